"""A stand-in for an integrator's webhook receiver on 127.0.0.1: it checks each delivery's
signature the way a receiver should (kehu.ops.webhooks.verify, recomputed from the secret and
a recent timestamp) and answers with the status codes it is told to (a 500 first, then 200)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kehu.ops.webhooks import verify

SECRET = "integrator-shared-secret-0123456789"


@dataclass
class WebhookServer:
    port: int = 0
    # Status codes to answer, in order; 200 once they are used up.
    answers: list[int] = field(default_factory=list)
    # Every request: (headers, body bytes, signature valid).
    received: list[tuple[dict[str, str], bytes, bool]] = field(default_factory=list)

    def url(self, path: str = "/hooks/kehu") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def accepted(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _headers, body, valid in self.received if valid]


def _handler(server: WebhookServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {key.lower(): value for key, value in self.headers.items()}
            valid = verify(
                SECRET,
                headers.get("x-kehu-timestamp", ""),
                body,
                headers.get("x-kehu-signature", ""),
            )
            server.received.append((headers, body, valid))
            code = server.answers.pop(0) if server.answers else 200
            if not valid:
                code = 401
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    return Handler


@contextmanager
def webhook_server() -> Iterator[WebhookServer]:
    state = WebhookServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
