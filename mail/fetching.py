"""Fetching from an IMAP mailbox (INBOUND_IMAP_URL), with imap-tools.

`imaps://user:password@host:993/INBOX` (TLS), `imap+starttls://…:143/…` or `imap://…` (plain, for a server on
this machine). Each unread message is read without marking it (BODY.PEEK), stored (mail.inbound.store: once
per Message-ID) and committed, and only then marked read on the server. So the server going away at any
moment loses nothing: a message not yet marked is fetched again next time and its second copy is ignored.
The stored messages are then processed (mail.inbound.process_received).
"""

import logging
from urllib.parse import unquote, urlparse

from django.conf import settings
from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessageFlags

from mail import inbound

log = logging.getLogger(__name__)
DEFAULT_PORTS = {"imaps": 993, "imap": 143, "imap+starttls": 143}


class NotConfigured(Exception):  # noqa: N818
    pass


def _mailbox(url):
    parsed = urlparse(url)
    if parsed.scheme not in DEFAULT_PORTS or not parsed.hostname:
        raise NotConfigured("INBOUND_IMAP_URL must look like imaps://user:password@host:993/INBOX")
    port = parsed.port or DEFAULT_PORTS[parsed.scheme]
    timeout = settings.INBOUND_IMAP_TIMEOUT
    kind = {"imaps": MailBox, "imap": MailBoxUnencrypted, "imap+starttls": MailBoxStartTls}[parsed.scheme]
    box = kind(parsed.hostname, port, timeout=timeout)
    folder = unquote(parsed.path.lstrip("/")) or "INBOX"
    return box.login(unquote(parsed.username or ""), unquote(parsed.password or ""), initial_folder=folder)


def fetch(url=None, batch=200):
    """Store every unread message of the mailbox, then process what is stored; returns (stored, processed).

    Raises NotConfigured without a URL, and the IMAP or network error when the server cannot be reached
    (nothing is lost: the caller tries again later).
    """
    url = url or settings.INBOUND_IMAP_URL
    if not url:
        raise NotConfigured("INBOUND_IMAP_URL is not set.")
    stored = 0
    with _mailbox(url) as box:
        while True:
            uids = box.uids(AND(seen=False))[:batch]
            if not uids:
                break
            done = []
            for uid in uids:
                status, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((part[1] for part in data if isinstance(part, tuple)), None)
                if status != "OK" or raw is None:
                    continue
                _message, created = inbound.store(raw, source="imap")
                stored += created
                done.append(uid)
            if not done:
                break
            box.flag(done, MailMessageFlags.SEEN, True)  # after the rows are committed (autocommit)
            if len(uids) < batch:
                break
    processed = inbound.process_received()
    return stored, processed
