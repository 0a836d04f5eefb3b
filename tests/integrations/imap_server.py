"""A private Dovecot IMAP server for the mail-intake tests: its own configuration, users
(passwd-file, plain-text passwords), maildirs, runtime directory and log in a temporary
directory, listening on 127.0.0.1 on a free port, without TLS. Debian's `dovecot-imapd`
provides it (.ci/run installs it); without it the tests are skipped, saying so.

Run as root, the mail processes take the `dovecot` system user (Dovecot refuses uid 0
for mail access); run as another user, everything runs as that user."""

from __future__ import annotations

import getpass
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
ACCOUNTS = 200  # one per test that needs a mailbox, in one session

CONFIG = """\
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
{users_line}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/home/%u
}}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{dir}/mail/%u
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def available() -> bool:
    return Path(DOVECOT).is_file() and os.access(DOVECOT, os.X_OK)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ImapServer:
    host = "127.0.0.1"

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="mail-dovecot-"))
        self.dir.chmod(0o755)  # Dovecot's unprivileged processes enter it
        self.port = _free_port()
        if os.geteuid() == 0:
            account = pwd.getpwnam("dovecot")
            self.uid, self.gid, users_line = account.pw_uid, account.pw_gid, ""
        else:
            me = getpass.getuser()
            self.uid, self.gid = os.getuid(), os.getgid()
            users_line = f"default_internal_user = {me}\ndefault_login_user = {me}"
        for name in ("run", "state", "mail", "home"):
            (self.dir / name).mkdir()
        for name in ("mail", "home"):
            os.chown(self.dir / name, self.uid, self.gid)
        # Every account is written before the start: Dovecot re-reads a changed passwd-file
        # only when its modification time moves on (whole seconds).
        self._accounts = [(f"support-{n}-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex) for n in range(ACCOUNTS)]
        (self.dir / "users").write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in self._accounts))
        (self.dir / "dovecot.conf").write_text(CONFIG.format(
            dir=self.dir, port=self.port, uid=self.uid, gid=self.gid, users_line=users_line))
        self.process: subprocess.Popen | None = None

    def start(self) -> ImapServer:
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.dir / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while True:  # until it accepts connections (a readiness check, not a wait for an outcome)
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot did not start: {self.process.stderr.read().decode()}")
            try:
                socket.create_connection((self.host, self.port), timeout=1).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"dovecot is not answering; see {self.dir}/dovecot.log") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def new_account(self) -> tuple[str, str]:
        """A mailbox never used before (user name, password): empty."""
        return self._accounts.pop()

    def connect(self, user: str, password: str):
        from imap_tools import MailBoxUnencrypted

        return MailBoxUnencrypted(self.host, port=self.port, timeout=10).login(user, password)
