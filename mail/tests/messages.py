"""Emails as mail programs send them, as bytes, for the inbound tests."""

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

GMAIL_QUOTE = """El lun, 1 dic 2026 a las 10:15, Sysmo Tickets (<{reply_to}>)
escribió:

> Hola, Rita:
> Ana Asignada escribió en la solicitud:
> Ya anulamos la factura duplicada.
"""
OUTLOOK_QUOTE = """
________________________________
De: Sysmo Tickets <{reply_to}>
Enviado: lunes, 1 de diciembre de 2026 10:15
Para: Rita Requirente <rita@example.com>
Asunto: Nueva respuesta en la solicitud

Hola, Rita:
Ya anulamos la factura duplicada.
"""
APPLE_QUOTE = """
Enviado desde mi iPhone

> El 1 dic 2026, a las 10:15, Sysmo Tickets <{reply_to}> escribió:
>
> Hola, Rita:
> Ya anulamos la factura duplicada.
"""


def build(*, sender, to, subject="Re: Nueva respuesta en la solicitud", text="", html=None, headers=None,
          attachments=(), message_id=None, content_type=None):
    """The bytes of an email; `attachments` are (name, bytes, mime type)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate()
    message["Message-ID"] = message_id or make_msgid(domain="mail.example.com")
    for name, value in (headers or {}).items():
        message[name] = value
    if text or html is None:
        message.set_content(text)
    if html is not None:
        if text:
            message.add_alternative(html, subtype="html")
        else:
            message.set_content(html, subtype="html")
    for name, content, mimetype in attachments:
        maintype, subtype = mimetype.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    if content_type:
        message.replace_header("Content-Type", content_type)
    return message.as_bytes()


def windows_1252(*, sender, to, text, subject="Re: Solicitud"):
    """A message whose text is windows-1252 (Outlook's “smart quotes”, €), labelled as ISO-8859-1."""
    head = (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {formatdate()}\r\n"
            f"Message-ID: {make_msgid(domain='outlook.example.com')}\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
    return head.encode("ascii") + text.replace("\n", "\r\n").encode("cp1252")


def bounce(*, to, original_to):
    """A delivery status notification (RFC 3464), as mail servers send when an address does not exist."""
    return (
        f"From: Mail Delivery System <MAILER-DAEMON@mail.example.com>\r\nTo: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {make_msgid(domain='mail.example.com')}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        f"--b1\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; {original_to}\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n\r\n--b1--\r\n"
    ).encode()
