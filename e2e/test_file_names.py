"""A client attaches `Presupuesto "final".pdf` to a new request and sees that very name on the request
page and in the download (the browser sends the quotes as %22).

The download's header carries the exact name. Chromium then applies its own rule for names on disk: it
replaces `"` (not allowed in Windows file names) with `_` on every system, whatever the header says, so
the name it suggests is `Presupuesto _final_.pdf`; before the fix it was `Presupuesto %22final%22.pdf`.
"""

import re
from email.message import Message

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import ClientFactory, OperatorFactory
from e2e.helpers import assert_no_horizontal_overflow, screenshot
from tickets.models import Attachment
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME = 'Presupuesto "final".pdf'


def minimal_pdf():
    """A valid one-page PDF, with the cross-reference table readers check."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_file_keeps_the_name_the_client_chose(page, log_in):
    client_user = ClientFactory(full_name="Ana Martínez", email="ana@espiga.com.ar")
    TopicFactory(name="Facturación", operators=[OperatorFactory(full_name="Martín Gómez")])
    log_in(client_user)

    page.goto("/solicitudes/nueva/")
    page.get_by_label("Temática").select_option(label="Facturación")
    page.get_by_label("Asunto").fill("Presupuesto para el mantenimiento")
    page.get_by_label("Descripción").fill("Les paso el presupuesto aprobado.")
    page.get_by_label("Adjuntos").set_input_files([{"name": NAME, "mimeType": "application/pdf",
                                                     "buffer": minimal_pdf()}])
    page.get_by_role("button", name="Enviar solicitud").click()
    expect(page.get_by_role("status")).to_contain_text("Recibimos tu solicitud #")

    link = page.get_by_role("region", name="Historial").get_by_role("link", name=re.compile(re.escape(NAME)))
    expect(link).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "attachment")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == NAME.replace('"', "_")  # Chromium's rule for names on disk
    header = page.request.get(download.url).headers["content-disposition"]
    parsed = Message()
    parsed["Content-Disposition"] = header
    assert parsed.get_filename() == NAME  # what the server says, read as a browser reads it

    [attachment] = Attachment.objects.all()
    assert attachment.original_name == NAME
    attachment.file.delete(save=False)  # the upload went to the test's private storage
