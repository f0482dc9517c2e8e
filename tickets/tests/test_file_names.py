"""A file keeps the name the user chose: on the request page, in the emails and in the download.

The uploads are real multipart bodies written the way browsers write them (WHATWG HTML, the
"multipart/form-data encoding algorithm": in a file name LF becomes %0A, CR %0D, `"` %22, and nothing else
is escaped), parsed by Django's own parser, through every form that takes files.
"""

import uuid
from email.message import Message

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import content_disposition_header

from tickets.models import Attachment, PendingUpload, Ticket
from tickets.tests.conftest import pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

# (the name of the file on the user's computer, the name we show and send back)
NAMES = [
    ('Presupuesto "final".pdf', 'Presupuesto "final".pdf'),
    ('"Entre comillas".pdf', '"Entre comillas".pdf'),
    ("Informe de caja ñandú.pdf", "Informe de caja ñandú.pdf"),
    ("Informe de caja n\u0303andu\u0301.pdf", "Informe de caja ñandú.pdf"),  # decomposed, as macOS writes it
    ("Captura 📎 señal 😀.pdf", "Captura 📎 señal 😀.pdf"),
    ("Familia 👨\u200d👩\u200d👧 y 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f.pdf",
     "Familia 👨\u200d👩\u200d👧 y 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f.pdf"),  # joined emoji
    ("تقرير مالي.pdf", "تقرير مالي.pdf"),
    ("Descuento 50% final.pdf", "Descuento 50% final.pdf"),  # a `%` browsers do not escape
    ("Marzo%20abril.pdf", "Marzo%20abril.pdf"),
    ("Ahorro 100%25.pdf", "Ahorro 100%25.pdf"),
    ("Chico %0a.pdf", "Chico %0a.pdf"),  # browsers escape with capitals only
    # The one ambiguity the standard leaves: typed `%22` arrives like a quote, and reads as one.
    ("Cotización %22.pdf", 'Cotización ".pdf'),
    ("Ventas&notas.pdf", "Ventas&notas.pdf"),  # not an HTML entity (&not): our pages are UTF-8
    ("Tom &amp; Jerry.pdf", "Tom &amp; Jerry.pdf"),
    ("Línea uno\nLínea dos.pdf", "Línea uno Línea dos.pdf"),
    ("Tab\tseparado.pdf", "Tab separado.pdf"),
    ("Sin\u00a0corte.pdf", "Sin corte.pdf"),
    ("Con\r\nsalto.pdf", "Con salto.pdf"),
    ("Factura \u202efdp.exe.pdf", "Factura fdp.exe.pdf"),  # a right-to-left override would disguise it
    ("Nota\u2066 aislada\u2069.pdf", "Nota aislada.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\ana\\Escritorio\\informe.pdf", "informe.pdf"),  # old browsers sent the whole path
    ("..pdf", "archivo.pdf"),
    ("....pdf", "archivo.pdf"),
    (".oculto.pdf", "oculto.pdf"),
    ("  espacios   de más  .pdf", "espacios de más .pdf"),
    ("termina en punto.pdf.", "termina en punto.pdf"),
    ("<img src=x onerror=alert(1)>.pdf", "<img src=x onerror=alert(1)>.pdf"),
    ("=HYPERLINK(1).pdf", "=HYPERLINK(1).pdf"),
    ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
    ("😀" * 200 + ".pdf", "😀" * 146 + ".pdf"),
]


def browser_multipart(fields, files):
    """A multipart/form-data body as Chromium, Firefox and Safari write it: (body, content type).

    `fields` is a list of (name, value); `files` a list of (field name, file name, bytes).
    """
    boundary = f"----WebKitFormBoundary{uuid.uuid4().hex[:16]}"
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                     + str(value).encode() + b"\r\n")
    for name, filename, data in files:
        escaped = filename.replace("\n", "%0A").replace("\r", "%0D").replace('"', "%22")
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{escaped}"\r\n'
                     f"Content-Type: application/pdf\r\n\r\n".encode() + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def post_as_browser(client, url, fields, files=()):
    body, content_type = browser_multipart(fields, files)
    return client.post(url, data=body, content_type=content_type)


def file_in(name):
    return [("files", name, pdf_bytes())]


def filed_by(world):
    return Ticket.objects.filter(requester=world["requester"]).exclude(pk=world.ticket.pk).get()


def assert_shown_everywhere(client, ticket, attachment, shown, emails):
    """The name on the request page, in the emails' list of files, and in the download's header."""
    assert attachment.original_name == shown
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert escape(shown) in page
    assert emails, "the change sent no email"
    for message in emails:
        assert shown in message.body
        assert escape(shown) in message.alternatives[0][0]
    response = client.get(reverse("tickets:download", args=[ticket.number, attachment.pk]))
    header = response["Content-Disposition"]
    assert header == content_disposition_header(True, shown)  # Django's: quoted, or filename*= for non-ASCII
    assert "\r" not in header and "\n" not in header
    parsed = Message()
    parsed["Content-Disposition"] = header
    assert parsed.get_filename() == shown  # what a browser (or mail program) reads back


@pytest.mark.parametrize(("chosen", "shown"), NAMES)
def test_a_new_request(client, world, chosen, shown):
    client.force_login(world["requester"])
    fields = [("topic", world.topic.pk), ("subject", "Presupuesto"), ("description", "Adjunto el archivo."),
              ("submission_key", uuid.uuid4())]
    response = post_as_browser(client, reverse("tickets:create"), fields, file_in(chosen))
    assert response.status_code == 302
    ticket = filed_by(world)
    assert_shown_everywhere(client, ticket, Attachment.objects.get(ticket=ticket), shown, mail.outbox)


@pytest.mark.parametrize(("chosen", "shown"), NAMES)
@pytest.mark.parametrize("mode", ["public", "internal"])
def test_a_reply_or_an_internal_comment(client, world, mode, chosen, shown):
    client.force_login(world["topic operator"])  # so the assignee is told, also of an internal comment
    response = post_as_browser(client, reverse("tickets:reply", args=[world.ticket.number]),
                               [("body", "Va el archivo."), ("mode", mode)], file_in(chosen))
    assert response.status_code == 302
    [attachment] = Attachment.objects.filter(intervention__internal=(mode == "internal"))
    assert_shown_everywhere(client, world.ticket, attachment, shown, mail.outbox)


@pytest.mark.parametrize(("chosen", "shown"), NAMES)
def test_a_file_kept_while_the_form_comes_back_with_an_error(client, world, chosen, shown):
    client.force_login(world["requester"])
    key = uuid.uuid4()
    fields = [("topic", world.topic.pk), ("description", "Adjunto el archivo."), ("submission_key", key)]
    response = post_as_browser(client, reverse("tickets:create"), [*fields, ("subject", "")], file_in(chosen))
    assert response.status_code == 200
    [pending] = PendingUpload.objects.all()
    assert pending.original_name == shown
    assert escape(shown) in response.content.decode()  # ticked, by its name, on the form
    response = post_as_browser(client, reverse("tickets:create"),
                               [*fields, ("subject", "Presupuesto"), ("keep", pending.pk)])
    assert response.status_code == 302
    ticket = filed_by(world)
    assert_shown_everywhere(client, ticket, Attachment.objects.get(ticket=ticket), shown, mail.outbox)


@pytest.mark.parametrize("chosen", ["...", ". . .", "\u202e\u202e"])
def test_a_name_with_nothing_left_is_called_archivo(client, world, chosen):
    client.force_login(world["requester"])
    fields = [("topic", world.topic.pk), ("subject", "Asunto"), ("description", "Texto"),
              ("submission_key", uuid.uuid4())]
    response = post_as_browser(client, reverse("tickets:create"), fields, file_in(chosen))
    # Without an extension the type cannot be told, so the form says so, by the name we gave it.
    assert "«archivo»: no aceptamos ese tipo de archivo." in response.content.decode().replace(
        "&laquo;", "«").replace("&raquo;", "»")
