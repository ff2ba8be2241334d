"""What each chat platform expects of a group robot's webhook: which addresses are genuine,
how a message is shaped and signed, and how the answer says it arrived.

- WeCom (企业微信): POST to https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… the JSON
  {"msgtype": "markdown", "markdown": {"content": …}}; the key in the address is the only
  credential (no signing secret). Answer {"errcode": 0, "errmsg": "ok"}.
- DingTalk (钉钉) custom robot with 加签: POST to https://oapi.dingtalk.com/robot/send?
  access_token=… plus &timestamp=<ms>&sign=<url-encoded base64 HMAC-SHA256, keyed with the
  secret, of "<timestamp>\\n<secret>">; body {"msgtype": "markdown", "markdown": {"title",
  "text"}}. Answer {"errcode": 0, "errmsg": "ok"}.
- Feishu / Lark (飞书) custom bot with 签名校验: POST to https://open.feishu.cn (or
  open.larksuite.com) /open-apis/bot/v2/hook/<id> the JSON {"timestamp": "<seconds>", "sign":
  base64 HMAC-SHA256 keyed with "<timestamp>\\n<secret>" of the empty message, "msg_type":
  "post", "content": {"post": {"zh_cn": {"title", "content": [[elements], …]}}}}. Answer
  {"code": 0, …} (older deployments: {"StatusCode": 0, …}).

A webhook must point at its platform's official host, so that a robot cannot be used to make
Kehu call addresses inside the network (SSRF); KEHU_ROBOT_ALLOWED_HOSTS adds hosts (a relay,
or 127.0.0.1 for tests). It must use https, except for a loopback host or under KEHU_DEBUG:
plain http would carry the chat's key in the clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class RobotPlatform(models.TextChoices):
    WECOM = "wecom", gettext_lazy("WeCom (企业微信)")
    DINGTALK = "dingtalk", gettext_lazy("DingTalk (钉钉)")
    FEISHU = "feishu", gettext_lazy("Feishu / Lark (飞书)")


WECOM, DINGTALK, FEISHU = RobotPlatform.WECOM, RobotPlatform.DINGTALK, RobotPlatform.FEISHU

OFFICIAL_HOSTS = {
    WECOM: ("qyapi.weixin.qq.com",),
    DINGTALK: ("oapi.dingtalk.com",),
    FEISHU: ("open.feishu.cn", "open.larksuite.com"),
}
LOOPBACK = ("127.0.0.1", "::1", "localhost")
# WeCom takes at most 4,096 bytes of markdown: a longer text is cut (a reminder never is).
MAX_TEXT = 1000


@dataclass(frozen=True)
class Outgoing:
    """One HTTP POST to a webhook: the full address (with any signature) and the JSON body."""

    url: str
    body: dict[str, Any]

    def data(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False).encode()


def _path_fits(platform: str, path: str, query: dict[str, list[str]]) -> bool:
    if platform == WECOM:
        return path == "/cgi-bin/webhook/send" and bool(query.get("key", [""])[0])
    if platform == DINGTALK:
        return path == "/robot/send" and bool(query.get("access_token", [""])[0])
    prefix = "/open-apis/bot/v2/hook/"
    return path.startswith(prefix) and len(path) > len(prefix) and "/" not in path[len(prefix) :]


def check_webhook(platform: str, url: str, secret: str) -> None:
    """Refuse (ValidationError by field) an address that is not the platform's robot webhook."""
    if platform not in OFFICIAL_HOSTS or not url:
        return  # the form's required fields and choices say so
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    official = OFFICIAL_HOSTS[RobotPlatform(platform)]
    allowed = {*official, *settings.KEHU_ROBOT_ALLOWED_HOSTS}
    errors: dict[str, list[str]] = {}
    if parts.scheme not in ("https", "http") or not host:
        errors["webhook_url"] = [_("Enter the robot's full webhook address (https://…).")]
    elif host not in allowed:
        errors["webhook_url"] = [
            _("This is not a %(platform)s robot address: the host must be %(hosts)s.")
            % {"platform": RobotPlatform(platform).label, "hosts": "、".join(official)}
        ]
    elif parts.scheme == "http" and host not in LOOPBACK and not settings.DEBUG:
        errors["webhook_url"] = [_("The webhook address must start with https://.")]
    elif parts.username or parts.password:
        errors["webhook_url"] = [_("The webhook address must not contain a user name.")]
    elif not _path_fits(platform, parts.path, parse_qs(parts.query)):
        errors["webhook_url"] = [_("Copy the complete webhook address the robot's settings show.")]
    if platform == WECOM and secret:
        errors["secret"] = [_("WeCom group robots have no signing secret; leave it empty.")]
    if errors:
        raise ValidationError(errors)


def mask_webhook(url: str) -> str:
    """The webhook as shown anywhere: its host and the last four characters of its key."""
    if not url:
        return ""
    parts = urlsplit(str(url))
    return f"{parts.scheme}://{parts.hostname or ''}/…{str(url)[-4:]}"


def _hmac_base64(key: str, message: str) -> str:
    digest = hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    return _hmac_base64(secret, f"{timestamp_ms}\n{secret}")


def feishu_sign(secret: str, timestamp: int) -> str:
    return _hmac_base64(f"{timestamp}\n{secret}", "")


def build(
    platform: str, url: str, secret: str, title: str, text: str, link: str, now: float
) -> Outgoing:
    """The request that posts one message (`now`: seconds since the epoch, for signatures)."""
    open_label = _("Open in Kehu")
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    lines = [line for line in text.splitlines() if line.strip()]
    if platform == WECOM:
        shown = [f"**{title}**", *lines, *([f"[{open_label}]({link})"] if link else [])]
        content = "\n".join(shown)
        return Outgoing(url, {"msgtype": "markdown", "markdown": {"content": content}})
    if platform == DINGTALK:
        markdown = "\n\n".join(
            [f"#### {title}", *lines, *([f"[{open_label}]({link})"] if link else [])]
        )
        if secret:
            stamp = int(now * 1000)
            url = f"{url}&timestamp={stamp}&sign={quote_plus(dingtalk_sign(secret, stamp))}"
        body = {"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}
        return Outgoing(url, body)
    paragraphs: list[list[dict[str, str]]] = [[{"tag": "text", "text": line}] for line in lines]
    if link:
        paragraphs.append([{"tag": "a", "text": open_label, "href": link}])
    feishu: dict[str, Any] = {
        "msg_type": "post",
        "content": {"post": {"zh_cn": {"title": title, "content": paragraphs}}},
    }
    if secret:
        stamp = int(now)
        feishu = {"timestamp": str(stamp), "sign": feishu_sign(secret, stamp), **feishu}
    return Outgoing(url, feishu)


def refusal(platform: str, answer: bytes) -> str:
    """Why the platform refused the message ("" when it took it), from its JSON answer."""
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        return _("The robot's server gave no JSON answer: %(start)s") % {
            "start": answer[:200].decode(errors="replace")
        }
    if not isinstance(data, dict):
        return _("The robot's server gave an unexpected answer.")
    if platform == FEISHU:
        code = data.get("code", data.get("StatusCode"))
        message = data.get("msg", data.get("StatusMessage", ""))
    else:
        code, message = data.get("errcode"), data.get("errmsg", "")
    if code == 0:
        return ""
    return f"{code}: {message}"
