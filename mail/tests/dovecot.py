"""A Dovecot IMAP server of the test's own: its configuration, mail folder and one passwd-file user in a
temporary folder, listening on a free loopback port. Never the machine's own mail service.

Run as root (here and in CI) it still serves mail as an unprivileged user (`nobody`), and its login
processes run as Debian's `dovenull`; run as another user, it serves everything as that user.
"""

import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "soporte", "clave-imap-de-prueba"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def available():
    return os.path.exists(DOVECOT)


class DovecotServer:
    def __init__(self, folder):
        self.folder = Path(folder)
        self.port = _free_port()
        self.process = None
        self.url = f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"

    def _config(self):
        root = os.geteuid() == 0
        owner = pwd.getpwnam("nobody") if root else pwd.getpwuid(os.geteuid())
        login_user = "dovenull" if root else owner.pw_name
        for sub in ("run", "state", "home"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        (self.folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        if root:
            os.chown(self.folder / "home", owner.pw_uid, owner.pw_gid)
        config = self.folder / "dovecot.conf"
        config.write_text(f"""
base_dir = {self.folder}/run
state_dir = {self.folder}/state
log_path = {self.folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {min(owner.pw_uid, 1)}
first_valid_gid = {min(owner.pw_gid, 1)}
default_internal_user = {owner.pw_name if not root else "dovecot"}
default_login_user = {login_user}
mail_location = maildir:{self.folder}/home/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.folder}/passwd
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={self.folder}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")
        os.chmod(self.folder, 0o755)  # noqa: S103 (dovecot's unprivileged processes read their config)
        return config

    def start(self):
        config = self._config()
        self.process = subprocess.Popen(  # noqa: S603
            [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("dovecot did not start: " + self.process.stderr.read().decode(errors="replace")
                                   + self.log())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("dovecot did not answer: " + self.log())

    def log(self):
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def deliver(self, *raw_messages):
        """Put messages in the INBOX, unread, as an IMAP client (APPEND)."""
        from imap_tools import MailBoxUnencrypted

        with MailBoxUnencrypted("127.0.0.1", self.port, timeout=5).login(USER, PASSWORD) as box:
            for raw in raw_messages:
                box.append(raw, "INBOX", flag_set=())

    def unread(self):
        from imap_tools import AND, MailBoxUnencrypted

        with MailBoxUnencrypted("127.0.0.1", self.port, timeout=5).login(USER, PASSWORD) as box:
            return len(box.uids(AND(seen=False)))
