"""A stand-in for the three platforms' robot webhooks on 127.0.0.1: it checks each request the
way the service does (address, key, body shape, signature recomputed from the secret and a
timestamp within the hour) and answers with the service's success or error JSON."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DINGTALK_TOKEN = "50cb6e954c89afa14fb97754eafd886d658fcda27d05015a"
DINGTALK_SECRET = "SEC5a3ecf88f2b3eb50db30ecfc00f53033ac909c99bf7f88"
FEISHU_HOOK = "2d7c0c1e-6b44-4a58-9ac1-3d7f6bd0e0a1"
FEISHU_SECRET = "qmHgcW0ZJ2xWyb7ah3GpUc"


@dataclass
class RobotServer:
    port: int = 0
    # Every message taken: (platform, body).
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # Requests seen, taken or not.
    requests: int = 0
    # Set to hold each request until released (a slow server).
    hold: threading.Event | None = None

    def url(self, platform: str) -> str:
        base = f"http://127.0.0.1:{self.port}"
        if platform == "wecom":
            return f"{base}/cgi-bin/webhook/send?key={WECOM_KEY}"
        if platform == "dingtalk":
            return f"{base}/robot/send?access_token={DINGTALK_TOKEN}"
        return f"{base}/open-apis/bot/v2/hook/{FEISHU_HOOK}"


def _hmac_base64(key: str, message: str) -> str:
    return base64.b64encode(
        hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
    ).decode()


def _wecom(query: dict[str, list[str]], body: dict[str, Any]) -> dict[str, Any] | None:
    if query.get("key") != [WECOM_KEY]:
        return {"errcode": 93000, "errmsg": "invalid webhook url, hint: [key]"}
    markdown = body.get("markdown")
    if body.get("msgtype") != "markdown" or not isinstance(markdown, dict):
        return {"errcode": 40008, "errmsg": "invalid message type"}
    if not isinstance(markdown.get("content"), str) or not markdown["content"]:
        return {"errcode": 44004, "errmsg": "empty content"}
    return None


def _dingtalk(query: dict[str, list[str]], body: dict[str, Any]) -> dict[str, Any] | None:
    if query.get("access_token") != [DINGTALK_TOKEN]:
        return {"errcode": 300001, "errmsg": "token is not exist"}
    stamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
    fresh = stamp.isdigit() and abs(int(stamp) - time.time() * 1000) < 3600 * 1000
    expected = _hmac_base64(DINGTALK_SECRET, f"{stamp}\n{DINGTALK_SECRET}")
    if not fresh or not hmac.compare_digest(sign, expected):
        return {"errcode": 310000, "errmsg": "sign not match, more: [connection]"}
    markdown = body.get("markdown")
    if body.get("msgtype") != "markdown" or not isinstance(markdown, dict):
        return {"errcode": 40035, "errmsg": "缺少参数 msgtype"}
    if not markdown.get("title") or not markdown.get("text"):
        return {"errcode": 40035, "errmsg": "缺少参数 markdown"}
    return None


def _feishu(path: str, body: dict[str, Any]) -> dict[str, Any] | None:
    if path != f"/open-apis/bot/v2/hook/{FEISHU_HOOK}":
        invalid = "param invalid: incoming webhook access token invalid"
        return {"code": 19001, "data": {}, "msg": invalid}
    stamp, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
    fresh = stamp.isdigit() and abs(int(stamp) - time.time()) < 3600
    expected = _hmac_base64(f"{stamp}\n{FEISHU_SECRET}", "")
    if not fresh or not hmac.compare_digest(sign, expected):
        return {
            "code": 19021,
            "data": {},
            "msg": "sign match fail or timestamp is not within one hour from current time",
        }
    post = body.get("content", {}).get("post", {}).get("zh_cn", {})
    if body.get("msg_type") != "post" or not post.get("title"):
        return {"code": 19002, "data": {}, "msg": "params error, msg_type need"}
    if not all(isinstance(line, list) for line in post.get("content", [None])):
        return {"code": 9499, "data": {}, "msg": "Bad Request"}
    return None


def _handler(server: RobotServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            server.requests += 1
            if server.hold is not None:
                server.hold.wait(timeout=10)
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if parts.path == "/cgi-bin/webhook/send":
                platform, refused = "wecom", _wecom(query, body)
                ok: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
            elif parts.path == "/robot/send":
                platform, refused = "dingtalk", _dingtalk(query, body)
                ok = {"errcode": 0, "errmsg": "ok"}
            else:
                platform, refused = "feishu", _feishu(parts.path, body)
                ok = {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}}
                ok["msg"] = "success"
            if refused is None:
                server.received.append((platform, body))
            answer = json.dumps(refused or ok).encode()
            self.send_response(200)  # the services answer errors with 200 and a code
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    return Handler


@contextmanager
def robot_server() -> Iterator[RobotServer]:
    state = RobotServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        if state.hold is not None:
            state.hold.set()
        httpd.shutdown()
        httpd.server_close()
