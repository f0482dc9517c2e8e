"""Reading a received email: who sent it, to which addresses, the new text without the quoted history,
its attachments, and whether it was sent by a machine (RFC 3834) and must never be acted on or answered.

Built on the standard library's `email` package. The text is the plain part, else the HTML part turned
into plain text (html2text; scripts, styles and markup never reach a request). A part that says
ISO-8859-1 or ASCII is read as windows-1252, as browsers do: mail programs label windows-1252 text (the
“smart quotes” and € of Outlook) as ISO-8859-1 all the time. Quoted history and signatures are cut by
`mail-parser-reply`, which knows Spanish and English mail programs ("El … escribió:", Outlook's
"De: … Enviado: …"), with a few extra patterns of ours for the headers it misses.
"""

import email
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import EmailPolicy, linesep_splitter
from email.utils import getaddresses
from functools import lru_cache

import html2text
from mailparser_reply import EmailReplyParser

# Read as windows-1252: a superset of ISO-8859-1 in every printable character.
CP1252_ALIASES = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "windows-1252", "cp1252"}
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To")
BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
DAEMONS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|noreply|bounce[s]?)(\+.*)?@", re.IGNORECASE)
# Quote headers mail-parser-reply may miss, cut as well: Gmail and Apple Mail in Spanish wrap
# "El … escribió:" over two lines; Outlook puts a line of underscores before "De:".
EXTRA_QUOTE_STARTS = [
    re.compile(r"^\s*El\s[^\n]*(?:\n[^\n]*)?escribi[óo]:\s*$", re.MULTILINE),
    re.compile(r"^\s*On\s[^\n]*(?:\n[^\n]*)?wrote:\s*$", re.MULTILINE),
    re.compile(r"^\s*_{8,}\s*\n\s*\**(De|From):", re.MULTILINE),
    re.compile(r"^\s*\**(De|From):\**[^\n]*\n\s*\**(Enviado|Sent|Fecha|Date)[^\n]*:", re.MULTILINE),
    re.compile(r"^\s*(Enviado desde mi|Sent from my)\s[^\n]*$", re.MULTILINE),
    re.compile(r"^\s*-{2,}\s*(Mensaje original|Original Message|Mensaje reenviado)\s*-{2,}", re.MULTILINE),
]
_REPLY_PARSER = EmailReplyParser(languages=["es", "en"])


@lru_cache(maxsize=512)
def _header_object(name, value):
    return policy.default.header_factory(name, value)


class _Policy(EmailPolicy):
    """policy.default, with each header object made once per distinct text: walking a message asks for
    its Content-Type some ten times, and each time the registry parsed it anew. The objects are
    immutable, so sharing them is safe."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):
            return value
        return _header_object(name, "".join(linesep_splitter.split(value)))


POLICY = _Policy()


@dataclass
class Attachment:
    name: str
    content: bytes
    content_type: str


@dataclass
class ParsedMessage:
    message_id: str
    from_name: str
    from_address: str
    recipients: list  # every address it was sent to (To, Cc, Delivered-To…), lower-case
    subject: str
    text: str  # the whole text, quotes included
    reply: str  # the new text only
    attachments: list = field(default_factory=list)
    automatic: str = ""  # why it is an auto-reply, a bounce or bulk mail; "" for a person's message


def message_id_of(raw):
    """The message's Message-ID, or one made from its bytes (the same bytes give the same id)."""
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    message_id = " ".join(str(headers.get("Message-ID", "")).split())
    if message_id and len(message_id) <= 255:
        return message_id
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@inbound.invalid>"


def parse_headers(raw):
    """{"from": address, "subject": text} of the message, for listing it before it is processed."""
    message = BytesHeaderParser(policy=POLICY).parsebytes(raw)
    return {"from": _from(message)[1], "subject": _subject(message)}


def parse(raw):
    """A ParsedMessage for the email's bytes `raw`. Never raises for a malformed message: what cannot be
    read is left empty."""
    message = email.message_from_bytes(raw, policy=POLICY)
    from_name, from_address = _from(message)
    recipients = []
    for _name, address in _addresses(message, RECIPIENT_HEADERS):
        if address and address.lower() not in recipients:
            recipients.append(address.lower())
    text = _text_of(message)
    return ParsedMessage(
        message_id=message_id_of(raw), from_name=from_name, from_address=from_address,
        recipients=recipients, subject=_subject(message), text=text,
        reply=cut_quotes(text), attachments=list(_attachments(message)), automatic=automatic_reason(message),
    )


# Headers are read from their source text (Message.raw_items) with the standard library's classic
# functions: policy.default's header objects parse every address list in pure Python, which was half the
# cost of reading an answer. A header those functions cannot decode (8-bit bytes, broken encoded words)
# is read through policy.default instead, as before.

def _raw_values(message, name):
    name = name.lower()
    return [value for key, value in message.raw_items() if key.lower() == name]


def _header(message, name):
    """The header's text (several occurrences joined by ", "), encoded words decoded; "" if absent."""
    values = _raw_values(message, name)
    try:
        return ", ".join(_decoded(value) for value in values)
    except Exception:  # not plain ASCII with encoded words: let policy.default try
        try:
            return ", ".join(str(value) for value in message.get_all(name) or [])
        except Exception:  # a header the parser cannot decode: as if it were absent
            return ""


def _decoded(value):
    if not value.isascii():
        raise ValueError("8-bit header")
    if "=?" not in value:
        return value
    return str(make_header(decode_header(value)))


def _addresses(message, names):
    """[(display name, address)] of those headers: split before decoding, so an encoded name with a comma
    stays one address."""
    raw = [value for name in names for value in _raw_values(message, name)]
    if not all(value.isascii() for value in raw):
        return getaddresses([_header(message, name) for name in names])
    return [(_name(name), address) for name, address in getaddresses(raw)]


def _name(name):
    try:
        return " ".join(_decoded(name).split())
    except Exception:  # a broken encoded word: shown as it came
        return name


def _from(message):
    """(display name, address in lower case) of the sender; ("", "") when it says none."""
    [(name, address), *_rest] = _addresses(message, ["From"]) or [("", "")]
    return name, address.strip().lower()


def _subject(message):
    return " ".join(_header(message, "Subject").split())


def automatic_reason(message):
    """Why `message` was sent by a machine (RFC 3834 and the usual practice), or "" if by a person."""
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    if message.get_content_type() == "multipart/report" or any(
        part.get_content_type() in ("message/delivery-status", "message/disposition-notification")
        for part in message.walk()
    ):
        return "informe de entrega (rebote)"
    precedence = _header(message, "Precedence").strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if _header(message, name):
            return name
    if _header(message, "List-Id") or _header(message, "List-Unsubscribe"):
        return "lista de correo"
    if _header(message, "Return-Path").strip() == "<>":
        return "Return-Path vacío (rebote)"
    if DAEMONS.match(_from(message)[1]):
        return "remitente automático"
    return ""


def _decode(part):
    payload = part.get_payload(decode=True) or b""
    charset = (part.get_content_charset() or "us-ascii").lower()
    if charset in CP1252_ALIASES:
        charset = "cp1252"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return payload.decode("utf-8", errors="replace")


def _text_of(message):
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except Exception:  # a broken MIME structure
        body = None
    if body is None:
        return ""
    text = _decode(body)
    if body.get_content_type() == "text/html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def html_to_text(html):
    """Plain text for an HTML-only email: no markup, scripts or styles; links kept as their text."""
    html = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", "", html)
    converter = html2text.HTML2Text(bodywidth=0)
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.ignore_links = True
    converter.ignore_tables = True
    return converter.handle(html).strip()


def cut_quotes(text):
    """The new part of an answer: without the quoted history, and without a signature mail-parser-reply
    recognises. Falls back to the whole text when cutting would leave nothing."""
    try:
        reply = _REPLY_PARSER.parse_reply(text) or ""
    except Exception:  # the library's regular expressions on strange input: keep the text whole
        reply = text
    for pattern in EXTRA_QUOTE_STARTS:
        if match := pattern.search(reply):
            reply = reply[:match.start()]
    reply = "\n".join(line for line in reply.strip().split("\n") if not line.startswith(">")).strip()
    return reply or text.strip()


def _attachments(message):
    for part in message.iter_attachments() if message.is_multipart() else []:
        if part.is_multipart() or part.get_content_maintype() == "message":
            continue
        name = part.get_filename() or ""
        if not name and part.get_content_disposition() != "attachment":
            continue  # an inline part without a name (e.g. an alternative body), not a file
        yield Attachment(name=name or "adjunto", content=part.get_payload(decode=True) or b"",
                         content_type=part.get_content_type())
