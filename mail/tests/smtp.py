"""A real SMTP server for the tests: aiosmtpd on a loopback port, counting what it accepted."""

import asyncio
import email
import socket
import threading
from collections import Counter
from email import policy
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller

_HEADERS = BytesHeaderParser(policy=policy.compat32)  # fast: headers only, no folding rules


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler:
    def __init__(self, server):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):
        # Counted as soon as the data is in, before the "250": a client killed while waiting for it makes
        # the duplicate the outbox must tolerate (same Message-ID). Parsed only when a test reads it.
        with self.server.lock:
            self.server.raw.append(envelope.original_content or envelope.content)
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        return "250 Message accepted for delivery"


class SMTPServer:
    """Start, stop and start again on the same port; `received` survives restarts."""

    def __init__(self, port=None, delay=0.0):
        self.port = port or free_port()
        self.delay = delay
        self.raw = []
        self.lock = threading.Lock()
        self._controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self._controller.start()
        return self

    def stop(self):
        if self._controller:
            self._controller.stop()
            self._controller = None

    @property
    def received(self):
        """Every message accepted, parsed, in order of arrival."""
        with self.lock:
            raw = list(self.raw)
        return [email.message_from_bytes(data, policy=policy.default) for data in raw]

    def message_ids(self):
        with self.lock:
            raw = list(self.raw)
        return [_HEADERS.parsebytes(data)["Message-ID"] for data in raw]

    def counts(self):
        """How many times each Message-ID arrived."""
        return Counter(self.message_ids())
