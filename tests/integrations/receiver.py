"""A real webhook receiver for the tests: an http.server in a thread on 127.0.0.1 that
checks each call's signature like a client's receiver would, and answers the status
codes it is told to (200 by default). `hang()` makes it never answer (until stopped)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from integrations.webhooks import SIGNATURE_HEADER, verify_signature


@dataclass
class Call:
    path: str
    headers: dict
    body: bytes
    signature_ok: bool

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str = ""
    statuses: list[int] = field(default_factory=list)  # answered in turn, then 200
    calls: list[Call] = field(default_factory=list)
    _release: threading.Event = field(default_factory=threading.Event)
    _hang: bool = False

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ok = verify_signature(receiver.secret, self.headers.get(SIGNATURE_HEADER, ""), body)
                receiver.calls.append(Call(self.path, dict(self.headers), body, ok))
                if receiver._hang:
                    receiver._release.wait(10)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if not ok:
                    status = 400
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/portal"

    def hang(self) -> None:
        self._hang = True

    def stop(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
