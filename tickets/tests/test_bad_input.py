"""Bad input on the forms: each gets a clear message next to the field, or is stored safely; never a 500."""

import uuid

import pytest
from django.urls import reverse

from tickets import uploads
from tickets.models import Attachment, Ticket
from tickets.tests.conftest import pdf_bytes, png_bytes, upload, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

URL = reverse("tickets:create")


def post(client, world, files=(), **fields):
    client.force_login(world["requester"])
    data = {"topic": world.topic.pk, "subject": "Asunto", "description": "Descripción",
            "submission_key": str(uuid.uuid4()), **fields}
    if files:
        data["files"] = list(files)
    return client.post(URL, data)


def filed(world):
    return Ticket.objects.filter(requester=world["requester"]).exclude(pk=world.ticket.pk)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("vacío.pdf", b"", "«vacío.pdf» está vacío."),
    ("pagina.png", b"<!DOCTYPE html><html><script>alert(1)</script></html>",
     "«pagina.png»: su contenido no es un archivo PNG válido."),
    ("programa.exe", b"MZ\x90\x00" + b"\x00" * 100, "«programa.exe»: no aceptamos ese tipo de archivo."),
    ("pagina.html", b"<html></html>", "«pagina.html»: no aceptamos ese tipo de archivo."),
    ("imagen.svg", b"<svg onload=alert(1)></svg>", "«imagen.svg»: no aceptamos ese tipo de archivo."),
    ("trampa.txt", b"<!doctype html><script>alert(1)</script>", "«trampa.txt»: su contenido no es un archivo TXT"),
    ("binario.txt", b"\x00\x01\x02\x03", "«binario.txt»: su contenido no es un archivo TXT"),
    ("planilla.xlsx", png_bytes(), "«planilla.xlsx»: su contenido no es un archivo XLSX válido."),
    ("sin-extension", b"hola", "«sin-extension»: no aceptamos ese tipo de archivo."),
])
def test_refused_files_say_why_and_nothing_is_filed(client, world, name, data, message):
    response = post(client, world, [upload(name, data)])
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html.replace("&laquo;", "«").replace("&raquo;", "»")
    assert 'id="id_files-errors"' in html  # next to the field
    assert not filed(world).exists()


def test_a_file_too_big_is_refused(client, world, settings):
    settings.ATTACHMENT_MAX_SIZE_MB = 1
    response = post(client, world, [upload("grande.pdf", pdf_bytes() + b"0" * (1024 * 1024))])
    assert "«grande.pdf» pesa 1,0\xa0MB: el máximo es 1,0\xa0MB por archivo." in response.content.decode()
    assert not filed(world).exists()


def test_too_many_files_are_refused(client, world, settings):
    settings.ATTACHMENT_MAX_FILES = 2
    response = post(client, world, [upload(f"f{i}.pdf", pdf_bytes()) for i in range(3)])
    assert "Podés adjuntar hasta 2 archivos por mensaje; elegiste 3." in response.content.decode()
    assert not filed(world).exists()


def test_a_1_mb_subject_gets_a_message(client, world):
    response = post(client, world, subject="x" * (1024 * 1024))
    assert response.status_code == 200
    assert "Puede tener hasta 200 caracteres (tiene 1048576)." in response.content.decode()
    assert not filed(world).exists()


def test_a_path_and_unicode_in_the_name_are_stored_safely(client, world):
    response = post(client, world, [upload("../../etc/Factura ñandú\u202egnp.pdf", pdf_bytes())])
    assert response.status_code == 302
    attachment = Attachment.objects.get(ticket__in=filed(world))
    assert attachment.original_name == "Factura ñandúgnp.pdf"
    assert ".." not in attachment.file.name and "ñandú" not in attachment.file.name
    assert attachment.file.name.startswith("attachments/")


@pytest.mark.parametrize(("raw", "clean"), [
    ("..\\..\\windows\\system32\\informe.pdf", "informe.pdf"),
    ("../", "archivo"),
    ("  .oculto.txt ", "oculto.txt"),
    ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
    ("línea\nnueva\t.txt", "línea nueva .txt"),
])
def test_clean_name(raw, clean):
    assert uploads.clean_name(raw) == clean


def test_office_documents_and_text_are_accepted(client, world):
    files = [upload("planilla.xlsx", xlsx_bytes()), upload("datos.csv", "cuit;importe\n30-1;10,5\n".encode("cp1252")),
             upload("notas.txt", "acentos: áéíóú ñ".encode())]
    response = post(client, world, files)
    assert response.status_code == 302
    assert sorted(Attachment.objects.values_list("original_name", "content_type")) == [
        ("datos.csv", "text/csv"), ("notas.txt", "text/plain"),
        ("planilla.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]


def test_a_docx_whose_telling_entry_comes_late_is_still_recognised():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>" * 4000)
        archive.writestr("word/document.xml", "<w:document/>")
    assert uploads.check(upload("carta.docx", buffer.getvalue())).content_type.endswith("wordprocessingml.document")
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("virus.exe", "MZ")
    with pytest.raises(Exception, match="no es un archivo DOCX"):
        uploads.check(upload("carta.docx", plain_zip.getvalue()))


def test_a_reply_with_a_bad_file_keeps_the_text(client, world):
    client.force_login(world["requester"])
    response = client.post(reverse("tickets:reply", args=[world.ticket.number]),
                           {"body": "Mi mensaje largo", "files": [upload("x.png", b"<html>")]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mi mensaje largo" in html and "no es un archivo PNG" in html


def test_garbage_in_the_hidden_fields_is_harmless(client, world):
    response = post(client, world, submission_key="no-es-un-uuid", keep=["abc", "-1"])
    assert response.status_code in (200, 302)
    assert client.post(reverse("tickets:assign", args=[world.ticket.number]), {"assignee": "x"}).status_code == 404
    client.force_login(world["administrator"])
    response = client.post(reverse("tickets:assign", args=[world.ticket.number]), {"assignee": "x"}, follow=True)
    assert "Elegí un operador de la temática." in response.content.decode()
    response = client.post(reverse("tickets:change_topic", args=[world.ticket.number]), {"topic": "999"}, follow=True)
    assert "Elegí otra temática activa." in response.content.decode()
