"""A small SMTP server on 127.0.0.1 for tests of real SMTP delivery.

It speaks just enough SMTP for `smtplib` (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
QUIT), keeps the messages it accepts, and refuses the next `n` messages at the end of
DATA when told to (`refuse(n)`, 451 by default: "try again later"). It runs in a thread
of the test process and stops with the fixture.
"""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    mail_from: str
    rcpt_to: list[str]
    data: bytes


@dataclass
class FakeSmtp:
    accepted: list[Received] = field(default_factory=list)
    refused: list[Received] = field(default_factory=list)
    _to_refuse: int = 0
    _code: int = 451
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: socketserver.ThreadingTCPServer | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    def refuse(self, n: int = 1, code: int = 451) -> None:
        """Refuse the next `n` messages with `code` (451 transient, 554 permanent)."""
        with self._lock:
            self._to_refuse, self._code = n, code

    def recipients(self) -> list[str]:
        """Every recipient of the accepted messages, sorted."""
        return sorted(to for message in self.accepted for to in message.rcpt_to)

    def _decide(self, message: Received) -> tuple[int, str]:
        with self._lock:
            if self._to_refuse > 0:
                self._to_refuse -= 1
                self.refused.append(message)
                return self._code, "4.3.0 try again later" if self._code < 500 else "5.7.1 refused"
            self.accepted.append(message)
            return 250, "2.0.0 queued"

    def start(self) -> FakeSmtp:
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, code: int, text: str) -> None:
                self.wfile.write(f"{code} {text}\r\n".encode())

            def handle(self) -> None:
                self.reply(220, "fake ESMTP ready")
                mail_from, rcpt_to = "", []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    command = line.decode("ascii", "replace").strip()
                    verb = command[:4].upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-fake.test\r\n250 8BITMIME\r\n")
                    elif verb in ("HELO", "NOOP"):
                        self.reply(250, "ok")
                    elif verb == "MAIL":
                        mail_from, rcpt_to = command.partition(":")[2].strip(" <>"), []
                        self.reply(250, "ok")
                    elif verb == "RCPT":
                        rcpt_to.append(command.partition(":")[2].strip(" <>"))
                        self.reply(250, "ok")
                    elif verb == "DATA":
                        self.reply(354, "end with <CRLF>.<CRLF>")
                        data = bytearray()
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data += chunk
                        self.reply(*fake._decide(Received(mail_from, rcpt_to, bytes(data))))
                        mail_from, rcpt_to = "", []
                    elif verb == "RSET":
                        mail_from, rcpt_to = "", []
                        self.reply(250, "ok")
                    elif verb == "QUIT":
                        self.reply(221, "bye")
                        return
                    else:
                        self.reply(502, "not implemented")

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, name="fake-smtp", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
