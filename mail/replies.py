"""Answering by email: the signed Reply-To address of each notification, and the headers that thread a
conversation.

mail knows conversations only by a number (`thread`: in this project a request's number) and people only
by their id; the app that owns them (tickets) puts both on what it sends and is handed them back when an
answer arrives (mail.inbound).

- Reply-To is `<local>+<token>@<domain>` of INBOUND_ADDRESS. The token names the thread, the person the
  notice was sent to and whether the notice was internal (an answer to it stays internal), and carries an
  HMAC-SHA256 of those, keyed on SECRET_KEY: nobody can make a token for a thread or a person they were
  not sent one for. Only lower-case letters, digits and dashes, so mail servers that change the case of
  the local part do not break it; at most ~40 characters, within the 64 an email local part may have.
- Message-ID is new for each email (the outbox chooses it); In-Reply-To and References name the thread's
  root `<solicitud-N@host>`, the same for every email of the thread, so mail apps show them together.
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from email.utils import getaddresses, parseaddr
from urllib.parse import urlparse

from django.conf import settings

SIGNATURE_LENGTH = 20  # base32 characters: 100 bits
TOKEN_SHAPE = re.compile(r"^[0-9a-z]+-[0-9a-z]+-[pi]-")  # looks like a token, valid or not
TOKEN = re.compile(rf"^(?P<thread>[0-9a-z]{{1,13}})-(?P<person>[0-9a-z]{{1,13}})-(?P<kind>[pi])-"
                   rf"(?P<sig>[a-z2-7]{{{SIGNATURE_LENGTH}}})$")


@dataclass(frozen=True)
class ReplyToken:
    """What a Reply-To token says: which thread, which person it was sent to, and whether it was internal."""

    thread: int
    person: int
    internal: bool


def _base36(number):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _signature(payload):
    key = hashlib.sha256(b"sysmo.mail.reply-token\x00" + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:SIGNATURE_LENGTH]


def make_token(thread, person, internal=False):
    """The signed token (str) for `person` (an id) answering `thread` (a number); `internal` notices."""
    payload = f"{_base36(thread)}-{_base36(person)}-{'i' if internal else 'p'}"
    return f"{payload}-{_signature(payload)}"


def read_token(token):
    """The ReplyToken a token stands for, or None if it is not one of ours (malformed or forged)."""
    match = TOKEN.match((token or "").strip().lower())
    if not match:
        return None
    payload = f"{match['thread']}-{match['person']}-{match['kind']}"
    if not hmac.compare_digest(_signature(payload), match["sig"]):
        return None
    return ReplyToken(int(match["thread"], 36), int(match["person"], 36), match["kind"] == "i")


def inbound_address():
    """(local part, domain) of INBOUND_ADDRESS, the mailbox answers and new requests arrive at."""
    address = parseaddr(settings.INBOUND_ADDRESS)[1] or "soporte@localhost"
    local, _at, domain = address.rpartition("@")
    return local, domain.lower()


def reply_address(thread, person, internal=False):
    """The Reply-To address of a notice about `thread` sent to `person` (an id)."""
    local, domain = inbound_address()
    return f"{local}+{make_token(thread, person, internal)}@{domain}"


def tags_of(addresses):
    """The `+tag`s of those addresses (str or lists of "Name <a@b>") that are at the inbound mailbox, plus ""
    for the mailbox's own address; lower-case, in order, each once."""
    local, domain = inbound_address()
    tags = []
    for _name, address in getaddresses(addresses if isinstance(addresses, list | tuple) else [addresses]):
        their_local, _at, their_domain = address.rpartition("@")
        base, _plus, tag = their_local.partition("+")
        if their_domain.lower() == domain and base.lower() == local.lower() and tag.lower() not in tags:
            tags.append(tag.lower())
    return tags


def token_in(addresses):
    """The first valid ReplyToken among the `+tag`s of `addresses` at the inbound mailbox, or None."""
    for tag in tags_of(addresses):
        if token := read_token(tag):
            return token
    return None


def _host():
    return urlparse(settings.SITE_URL).hostname or "localhost"


def thread_root(thread):
    """The Message-ID every email of `thread` answers: stable, so they all thread together."""
    return f"<solicitud-{thread}@{_host()}>"


def thread_headers(thread):
    """In-Reply-To and References for an email of `thread` (the outbox adds a new Message-ID)."""
    root = thread_root(thread)
    return {"In-Reply-To": root, "References": root}
