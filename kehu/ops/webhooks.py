"""Webhooks for integrators: an administrator registers a subscriber (address, events, signing
secret); each event the contexts report (`emit`, in the transaction of the change) queues one
delivery per active subscriber that listens to it, which the job `webhook-outbox` posts through
the shared delivery loop (kehu.ops.delivery: leased rows, retries with a doubling pause from
KEHU_WEBHOOK_RETRY_SECONDS, failed after KEHU_WEBHOOK_MAX_ATTEMPTS tries, an audit event; an
administrator retries a failed one from the delivery log).

A delivery is a JSON POST {"id", "event", "created_at", "data"} with the headers
X-Kehu-Event, X-Kehu-Delivery (the event id: a receiver drops a repeat), X-Kehu-Timestamp (Unix
seconds) and X-Kehu-Signature "sha256=<hex HMAC-SHA256 of '<timestamp>.<body>' keyed with the
subscriber's secret>". A receiver recomputes it and refuses a stale timestamp. Any 2xx answer
is success; anything else (or no answer) is tried again. Errors and logs never quote the
address (its query may hold a key)."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.generic.services import audited_create, audited_update
from kehu.ops.delivery import Queue, deliver_due, retry_failed
from kehu.ops.models import WebhookDelivery, WebhookEvent, WebhookSubscriber
from kehu.ops.webhook_urls import check_subscriber_url

SIGNATURE_HEADER = "X-Kehu-Signature"
TIMESTAMP_HEADER = "X-Kehu-Timestamp"
# A subscriber's answer is not read beyond this.
ANSWER_LIMIT = 4 * 1024


class WebhookRefused(Exception):
    """The subscriber answered, with a status other than 2xx."""


class WebhookUnreachable(ConnectionError):
    """The subscriber could not be reached."""


# --- administration -------------------------------------------------------------------


def check_events(events: Any) -> list[str]:
    """The subscriber's events, each a known one, at least one (ValidationError on `events`)."""
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise ValidationError({"events": [_("Give the events as a list of names.")]})
    known = set(WebhookEvent.values)
    wrong = [event for event in events if event not in known]
    if wrong:
        raise ValidationError(
            {"events": [_("Unknown events: %(events)s") % {"events": "、".join(wrong)}]}
        )
    if not events:
        raise ValidationError({"events": [_("Choose at least one event.")]})
    return sorted(set(events))


SETTINGS = ("name", "events", "is_active")


def subscriber_create(data: dict[str, Any]) -> WebhookSubscriber:
    """A new subscriber from form or API data (address and secret in plain text)."""
    subscriber = WebhookSubscriber(
        **{name: data[name] for name in SETTINGS if name in data},
        url=(data.get("url") or "").strip(),
        secret=(data.get("secret") or "").strip(),
    )
    subscriber.events = check_events(subscriber.events)
    if not subscriber.secret:
        raise ValidationError({"secret": [_("Give a signing secret of at least 16 characters.")]})
    check_secret(subscriber.secret)
    with transaction.atomic():
        subscriber.full_clean()
        return audited_create(subscriber)


def check_secret(secret: str) -> None:
    if len(secret) < 16:
        raise ValidationError({"secret": [_("Give a signing secret of at least 16 characters.")]})


def subscriber_update(
    subscriber: WebhookSubscriber, data: dict[str, Any], expected_version: int
) -> WebhookSubscriber:
    """Change a subscriber. A blank address or secret keeps the stored one (they are never
    shown, so a form cannot send them back)."""
    values = {name: data[name] for name in SETTINGS if name in data}
    if "events" in values:
        values["events"] = check_events(values["events"])
    url = (data.get("url") or "").strip()
    if url:
        check_subscriber_url(url)
        values["url"] = url
    secret = (data.get("secret") or "").strip()
    if secret:
        check_secret(secret)
        values["secret"] = secret
    saved = audited_update(subscriber, values, expected_version)
    assert isinstance(saved, WebhookSubscriber)
    return saved


def delivery_retry(delivery: WebhookDelivery, *, by: Any) -> WebhookDelivery:
    """An administrator posts a failed delivery again (from the next round on)."""
    return retry_failed(
        delivery,
        "ops.webhookdelivery.retry",
        {"subscriber": str(delivery.subscriber), "event": delivery.event},
    )


# --- events ---------------------------------------------------------------------------


def emit(event: str, data: dict[str, Any]) -> int:
    """Queue `event` for every active subscriber that listens to it, in the caller's
    transaction (the event and its deliveries commit or roll back together); how many."""
    WebhookEvent(event)  # an unknown event is a programming error
    now = timezone.now()
    subscribers = WebhookSubscriber.objects.filter(is_active=True).only("pk", "events")
    rows = []
    for subscriber in subscribers.order_by("pk"):
        if event not in subscriber.events:
            continue
        event_id = uuid.uuid4()
        body = {"id": str(event_id), "event": event, "created_at": now.isoformat(), "data": data}
        rows.append(
            WebhookDelivery(
                subscriber_id=subscriber.pk,
                event=event,
                event_id=event_id,
                payload=json.loads(json.dumps(body, cls=DjangoJSONEncoder)),
                next_try_at=now,
            )
        )
    WebhookDelivery.objects.bulk_create(rows)
    return len(rows)


def customer_data(customer: Any) -> dict[str, Any]:
    """What an event tells of a customer: its number, kind and status; an organisation's name
    and credit code (a person's name and numbers are personal data and stay in Kehu)."""
    data: dict[str, Any] = {"id": customer.pk, "kind": customer.kind, "status": customer.status}
    if customer.kind == "organization":
        data |= {"name": customer.name, "credit_code": customer.credit_code}
    return data


# --- delivery -------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Kehu-Signature value of `body` sent at `timestamp`."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, sent: str, tolerance: int = 300) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), sent)


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A subscriber answers itself: a redirect elsewhere is refused, not followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_RefuseRedirects)


def post(delivery: WebhookDelivery) -> None:
    """Post one delivery; raises WebhookRefused or WebhookUnreachable (never quoting the
    address). The answer's status is kept on the row."""
    subscriber = delivery.subscriber
    try:
        check_subscriber_url(subscriber.url)
    except ValidationError as error:
        raise WebhookRefused("; ".join(error.messages)) from None
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    stamp = int(time.time())
    request = urllib.request.Request(
        subscriber.url,
        data=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Kehu-Webhook/1",
            "X-Kehu-Event": delivery.event,
            "X-Kehu-Delivery": str(delivery.event_id),
            TIMESTAMP_HEADER: str(stamp),
            SIGNATURE_HEADER: signature(subscriber.secret, stamp, body),
        },
        method="POST",
    )
    try:
        with _opener.open(request, timeout=settings.KEHU_WEBHOOK_TIMEOUT_SECONDS) as response:
            response.read(ANSWER_LIMIT)
            delivery.response_status = response.status
    except urllib.error.HTTPError as error:
        delivery.response_status = error.code
        raise WebhookRefused(f"HTTP {error.code}") from None
    except urllib.error.URLError as error:
        raise WebhookUnreachable(type(error.reason).__name__) from None
    except (TimeoutError, ConnectionError) as error:
        raise WebhookUnreachable(type(error).__name__) from None
    finally:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            response_status=delivery.response_status
        )


WEBHOOK_QUEUE = Queue(
    model=WebhookDelivery,
    send=post,
    max_attempts=lambda: settings.KEHU_WEBHOOK_MAX_ATTEMPTS,
    retry_seconds=lambda: settings.KEHU_WEBHOOK_RETRY_SECONDS,
    failed_action="ops.webhookdelivery.failed",
    unreachable=(WebhookUnreachable,),
    route=lambda delivery: delivery.subscriber_id,
    related=("subscriber",),
)


def deliver_webhooks(now: datetime.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Post the due webhook deliveries; returns how many were sent, deferred and failed."""
    return deliver_due(WEBHOOK_QUEUE, now, limit)
