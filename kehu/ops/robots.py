"""Chat robots: the reminder engine posts reminders to WeCom, DingTalk and Feishu group chats.

`queue_robot_messages` writes one message per robot that takes the reminder, in the caller's
transaction; the job `robot-outbox` posts them (kehu.ops.delivery: leased rows, retries with
a doubling pause from KEHU_ROBOT_RETRY_SECONDS, failed after KEHU_ROBOT_MAX_ATTEMPTS tries,
an audit event). What each platform expects is in kehu.ops.robot_platforms. Administrators
keep the robots (`robot_create`, `robot_update`) and send a test message to check one.
"""

from __future__ import annotations

import datetime
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core.mail import absolute
from kehu.core.models import OrgUnit
from kehu.core.selectors import ancestor_ids
from kehu.generic.services import audited_create, audited_update
from kehu.ops.delivery import Queue, deliver_due, retry_failed
from kehu.ops.models import ChatRobot, RobotMessage
from kehu.ops.reminders import registered_kinds
from kehu.ops.robot_platforms import build, check_webhook, refusal

# The kind of the message an administrator sends to check a robot.
TEST_KIND = "ops.robot-test"
# A robot's answer is short; more than this is not read.
ANSWER_LIMIT = 64 * 1024


class RobotRefused(Exception):
    """The robot's server answered, and did not take the message."""


class RobotUnreachable(ConnectionError):
    """The robot's server could not be reached."""


# --- reminder kinds -------------------------------------------------------------------


def check_kinds(kinds: Any) -> list[str]:
    """The robot's kinds, each a kind of the reminder engine (ValidationError on `kinds`)."""
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise ValidationError({"kinds": [_("Give the reminder kinds as a list of names.")]})
    known = dict(registered_kinds())
    wrong = [kind for kind in kinds if kind not in known]
    if wrong:
        raise ValidationError(
            {"kinds": [_("Unknown reminder kinds: %(kinds)s") % {"kinds": "、".join(wrong)}]}
        )
    return sorted(set(kinds))


# --- administration -------------------------------------------------------------------

SETTINGS = ("name", "platform", "unit", "kinds", "is_active")


def robot_create(data: dict[str, Any]) -> ChatRobot:
    """A new robot from form or API data (webhook address and secret in plain text)."""
    robot = ChatRobot(
        **{name: data[name] for name in SETTINGS if name in data},
        webhook_url=(data.get("webhook_url") or "").strip(),
        secret=(data.get("secret") or "").strip(),
    )
    robot.kinds = check_kinds(robot.kinds)
    with transaction.atomic():
        robot.full_clean()
        return audited_create(robot)


def robot_update(robot: ChatRobot, data: dict[str, Any], expected_version: int) -> ChatRobot:
    """Change a robot. A blank webhook address or secret keeps the stored one (they are never
    shown, so a form cannot send them back); `clear_secret` removes the secret."""
    values = {name: data[name] for name in SETTINGS if name in data}
    if "kinds" in values:
        values["kinds"] = check_kinds(values["kinds"])
    if (data.get("webhook_url") or "").strip():
        values["webhook_url"] = data["webhook_url"].strip()
    if data.get("clear_secret"):
        values["secret"] = ""
    elif (data.get("secret") or "").strip():
        values["secret"] = data["secret"].strip()
    saved = audited_update(robot, values, expected_version)
    assert isinstance(saved, ChatRobot)
    return saved


def robot_send_test(robot: ChatRobot, *, by: Any) -> RobotMessage:
    """Queue a test message to `robot` (sent by the next round of the job, active or not)."""
    title = _("Kehu test message")
    text = _("This chat will receive Kehu's reminders (robot “%(name)s”).") % {"name": robot.name}
    with transaction.atomic():
        message = RobotMessage.objects.create(
            robot=robot,
            kind=TEST_KIND,
            title=title,
            text=text,
            link=absolute("/"),
            next_try_at=timezone.now(),
        )
        record("ops.chatrobot.test", robot, extra={"message": message.pk})
    return message


def robot_message_retry(message: RobotMessage, *, by: Any) -> RobotMessage:
    """An administrator posts a failed message again (from the next round on)."""
    return retry_failed(message, "ops.robotmessage.retry", {"robot": str(message.robot)})


# --- queueing and delivery ------------------------------------------------------------


def robots_for(kind: str, unit: OrgUnit | None) -> list[ChatRobot]:
    """The active robots that take reminders of `kind` about `unit`: those of the unit or a
    unit above it, and the organisation-wide ones; each listing the kind or no kinds."""
    where = Q(unit__isnull=True)
    if unit is not None:
        where |= Q(unit_id__in=ancestor_ids(unit))
    rows = ChatRobot.objects.filter(where, is_active=True).only("pk", "kinds").order_by("pk")
    return [robot for robot in rows if not robot.kinds or kind in robot.kinds]


def queue_robot_messages(kind: str, unit: OrgUnit | None, title: str, body: str, link: str) -> int:
    """One message per robot that takes this reminder, in the caller's transaction; returns
    how many were queued. `link` is a path of Kehu's (made absolute) or a full address."""
    now = timezone.now()
    messages = [
        RobotMessage(
            robot_id=robot.pk,
            kind=kind,
            title=title[:300],
            text=body,
            link=absolute(link) if link else "",
            next_try_at=now,
        )
        for robot in robots_for(kind, unit)
    ]
    RobotMessage.objects.bulk_create(messages)
    return len(messages)


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook answers itself: a redirect elsewhere is refused, not followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_RefuseRedirects)


def post(message: RobotMessage) -> None:
    """Post one message to its robot; raises RobotRefused or RobotUnreachable. Errors never
    quote the webhook address (it holds the chat's key)."""
    robot = message.robot
    if not robot.is_active:  # deactivated after the message was queued
        raise RobotRefused(_("The robot has been deactivated."))
    try:  # the hosts allowed may have narrowed since the robot was saved
        check_webhook(robot.platform, robot.webhook_url, robot.secret)
    except ValidationError as error:
        raise RobotRefused("; ".join(error.messages)) from None
    outgoing = build(
        robot.platform,
        robot.webhook_url,
        robot.secret,
        message.title,
        message.text,
        message.link,
        time.time(),
    )
    request = urllib.request.Request(
        outgoing.url,
        data=outgoing.data(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=settings.KEHU_ROBOT_TIMEOUT_SECONDS) as response:
            answer = response.read(ANSWER_LIMIT)
    except urllib.error.HTTPError as error:
        detail = error.read(300).decode(errors="replace")
        raise RobotRefused(f"HTTP {error.code} {detail}".strip()) from None
    except urllib.error.URLError as error:
        raise RobotUnreachable(str(error.reason)) from None
    except (TimeoutError, ConnectionError) as error:
        raise RobotUnreachable(str(error) or type(error).__name__) from None
    problem = refusal(robot.platform, answer)
    if problem:
        raise RobotRefused(problem)


ROBOT_QUEUE = Queue(
    model=RobotMessage,
    send=post,
    max_attempts=lambda: settings.KEHU_ROBOT_MAX_ATTEMPTS,
    retry_seconds=lambda: settings.KEHU_ROBOT_RETRY_SECONDS,
    failed_action="ops.robotmessage.failed",
    unreachable=(RobotUnreachable,),
    route=lambda message: message.robot_id,
    related=("robot",),
)


def deliver_robot_messages(
    now: datetime.datetime | None = None, limit: int = 200
) -> dict[str, int]:
    """Post the due robot messages; returns how many were sent, deferred and failed."""
    return deliver_due(ROBOT_QUEUE, now, limit)
