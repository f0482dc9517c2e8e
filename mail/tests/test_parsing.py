"""Reading received emails (mail.parsing): the new text of answers from the usual mail programs, HTML,
charsets, attachments, and machines' messages."""

import pytest

from mail import parsing
from mail.tests import messages

REPLY_TO = "soporte+1-2-p-abcdefghijklmnopqrst@sysmo.example.com.ar"


@pytest.mark.parametrize("quote, new_text", [
    (messages.GMAIL_QUOTE, "Gracias, ya lo probé y funciona."),
    (messages.OUTLOOK_QUOTE, "Adjunto la factura corregida."),
    (messages.APPLE_QUOTE, "Perfecto, quedo atenta."),
], ids=["gmail", "outlook", "apple mail"])
def test_the_quoted_history_of_spanish_mail_programs_is_cut(quote, new_text):
    raw = messages.build(sender="Rita <rita@example.com>", to=REPLY_TO,
                         text=new_text + "\n\n" + quote.format(reply_to=REPLY_TO))
    parsed = parsing.parse(raw)
    assert parsed.reply == new_text
    assert "Ya anulamos" in parsed.text  # the whole text is kept apart
    assert parsed.from_address == "rita@example.com"
    assert parsed.recipients == [REPLY_TO]
    assert parsed.automatic == ""


def test_an_html_only_message_becomes_plain_text_without_markup_or_scripts():
    html = ("<html><head><style>p{color:red}</style></head><body><p>Hola,</p><p>la <b>factura</b> sigue "
            "<a href='https://evil.example'>mal</a>.</p><script>alert('x')</script>"
            "<img src='https://tracker.example/p.gif'></body></html>")
    parsed = parsing.parse(messages.build(sender="rita@example.com", to=REPLY_TO, html=html))
    assert "Hola," in parsed.reply and "la factura sigue mal." in parsed.reply
    for unsafe in ("<", "alert", "color:red", "tracker", "evil.example"):
        assert unsafe not in parsed.reply


def test_windows_1252_labelled_as_latin_1_is_read_right():
    text = "La factura de “marzo” cuesta 1.500 €, señor — gracias."
    parsed = parsing.parse(messages.windows_1252(sender="rita@example.com", to=REPLY_TO, text=text))
    assert parsed.reply == text


def test_attachments_are_read_with_their_names():
    raw = messages.build(sender="rita@example.com", to=REPLY_TO, text="Va la factura.",
                         attachments=[("factura de marzo.pdf", b"%PDF-1.4 ...", "application/pdf")])
    [attachment] = parsing.parse(raw).attachments
    assert (attachment.name, attachment.content, attachment.content_type) == (
        "factura de marzo.pdf", b"%PDF-1.4 ...", "application/pdf")


@pytest.mark.parametrize("headers, why", [
    ({"Auto-Submitted": "auto-replied"}, "Auto-Submitted"),
    ({"Auto-Submitted": "auto-generated"}, "Auto-Submitted"),
    ({"Precedence": "bulk"}, "Precedence"),
    ({"Precedence": "auto_reply"}, "Precedence"),
    ({"X-Autoreply": "yes"}, "X-Autoreply"),
    ({"List-Id": "<novedades.example.com>"}, "lista"),
], ids=lambda value: str(value))
def test_messages_sent_by_machines_are_recognised(headers, why):
    raw = messages.build(sender="rita@example.com", to=REPLY_TO, text="Estoy de vacaciones.", headers=headers)
    assert why in parsing.parse(raw).automatic


def test_a_bounce_is_recognised_and_a_person_saying_no_is_not():
    assert parsing.parse(messages.bounce(to=REPLY_TO, original_to="rita@example.com")).automatic
    raw = messages.build(sender="rita@example.com", to=REPLY_TO, text="Hola", headers={"Auto-Submitted": "no"})
    assert parsing.parse(raw).automatic == ""


def test_a_message_without_message_id_gets_one_from_its_bytes():
    raw = b"From: rita@example.com\r\nTo: soporte@example.com\r\nSubject: Hola\r\n\r\nHola\r\n"
    assert parsing.message_id_of(raw) == parsing.message_id_of(raw)
    assert parsing.message_id_of(raw).endswith("@inbound.invalid>")
    assert parsing.message_id_of(raw) != parsing.message_id_of(raw + b"!")


@pytest.mark.parametrize("raw_headers, name, address, subject", [
    # Encoded words (RFC 2047), as Gmail and Outlook send accented names and subjects.
    (b"From: =?UTF-8?Q?Jos=C3=A9_P=C3=A9rez?= <Jose@Example.com>\r\n"
     b"Subject: =?UTF-8?B?UmU6IEZhY3R1cmEgZGUgbWFyem8g4oKs?=\r\n",
     "José Pérez", "jose@example.com", "Re: Factura de marzo €"),
    # A comma inside an encoded name does not split the address.
    (b"From: =?ISO-8859-1?Q?P=E9rez=2C_Jos=E9?= <jose@example.com>\r\nSubject: Hola\r\n",
     "Pérez, José", "jose@example.com", "Hola"),
    # A long subject folded over two lines.
    (b"From: \"Rita\" <rita@example.com>\r\nSubject: =?UTF-8?Q?Solicitud_n=C3=BAmero?=\r\n =?UTF-8?Q?_uno?=\r\n",
     "Rita", "rita@example.com", "Solicitud número uno"),
    # Raw 8-bit UTF-8 in the headers (some programs send it): read, not dropped.
    ("From: José <jose@example.com>\r\nSubject: Año nuevo\r\n".encode(),
     "José", "jose@example.com", "Año nuevo"),
], ids=["encoded words", "comma in an encoded name", "folded", "8-bit"])
def test_headers_are_decoded_as_mail_programs_write_them(raw_headers, name, address, subject):
    raw = raw_headers + b"To: " + REPLY_TO.encode() + b"\r\nMessage-ID: <h@example.com>\r\n\r\nHola\r\n"
    parsed = parsing.parse(raw)
    assert (parsed.from_name, parsed.from_address, parsed.subject) == (name, address, subject)
    assert parsed.recipients == [REPLY_TO]
    assert parsing.parse_headers(raw) == {"from": address, "subject": subject}


def test_an_attachment_named_in_an_encoded_word_keeps_its_accented_name():
    raw = (b"From: rita@example.com\r\nTo: " + REPLY_TO.encode() + b"\r\nSubject: Va\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nVa.\r\n"
           b"--XX\r\nContent-Type: application/pdf\r\n"
           b"Content-Disposition: attachment; filename=\"=?UTF-8?Q?factura_a=C3=B1o.pdf?=\"\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--XX--\r\n")
    [attachment] = parsing.parse(raw).attachments
    assert (attachment.name, attachment.content) == ("factura año.pdf", b"%PDF-1.4")
