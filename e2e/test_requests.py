"""A request end to end: a client files it with a file, an operator finds the email, takes it, comments
internally and answers; the client sees the answer and not the comment, answers back; the operator
closes it; the client writes again and it reopens.

Two people, two browsers: the client on the `page` fixture's viewport, the operator on the other one,
so both the issue's journey (client on a phone, operator on a desktop) and its mirror run.
"""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.tests.factories import ClientFactory, CompanyFactory, OperatorFactory
from e2e.accessibility import check_as_left, check_every_page
from e2e.conftest import VIEWPORTS
from e2e.helpers import assert_csp_ready, assert_no_horizontal_overflow
from e2e.helpers import screenshot as full_page_screenshot
from tickets.models import Attachment
from tickets.tests.conftest import png_bytes
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECRET_NOTE = "Nota interna: el cliente tiene deuda, no prometer fecha."


@pytest.fixture
def operator_page(browser, viewport, live_server, request):
    """A second browser for the operator, on the other viewport; fails on console errors and axe violations
    like `page`."""
    other = "desktop" if viewport == "phone" else "phone"
    is_phone = other == "phone"
    context = browser.new_context(
        viewport=VIEWPORTS[other], locale="es-AR", timezone_id="America/Argentina/Buenos_Aires",
        base_url=live_server.url, is_mobile=is_phone, has_touch=is_phone, device_scale_factor=2 if is_phone else 1,
    )
    context.set_default_timeout(20_000)
    errors = []
    check_every_page(context, errors)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.test_name = f"{request.node.name}-operator-{other}"
    yield page
    errors.extend(check_as_left(page))
    context.close()
    if errors:
        pytest.fail("The operator's browser reported errors:\n" + "\n".join(errors), pytrace=False)


def log_in_page(page, live_server, user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


def screenshot(page, label):
    """From the top, so the sticky header is not painted in the middle of the full-page image."""
    page.evaluate("window.scrollTo({top: 0, behavior: \"instant\"})")
    return full_page_screenshot(page, label)


def reply_box(page):
    # Staff write a "Nueva intervención" (a reply or an internal comment); a client "Escribir una respuesta".
    return page.get_by_role("region", name=re.compile("^(Nueva intervención|Escribir una respuesta)$"))


def downloaded(page, name):
    """The bytes of a file of the history, downloaded by clicking its link."""
    link = history(page).get_by_role("link", name=re.compile(re.escape(name)))
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.failure() is None
    return Path(download.path()).read_bytes()


def history(page):
    return page.get_by_role("region", name="Historial")


def test_a_request_from_filing_to_reopening(page, operator_page, live_server, log_in, settings):
    settings.SITE_URL = live_server.url  # the links in the emails point to this test's server
    company = CompanyFactory(name="Panadería La Espiga S.R.L.")
    client_user = ClientFactory(full_name="Ana Martínez", email="ana@espiga.com.ar", company=company)
    operator = OperatorFactory(full_name="Martín Gómez", email="martin@sysmo.com.ar")
    TopicFactory(name="Facturación", operators=[operator])
    TopicFactory(name="Soporte técnico")
    log_in(client_user)
    log_in_page(operator_page, live_server, operator)

    # The client files a request; the first try forgets the description.
    page.goto("/solicitudes/")
    page.get_by_role("link", name="Nueva solicitud").first.click()
    expect(page.get_by_role("heading", level=1, name="Nueva solicitud")).to_be_visible()
    page.get_by_label("Temática").select_option(label="Facturación")
    page.get_by_label("Asunto").fill("La factura de marzo llegó duplicada")
    page.get_by_label("Adjuntos").set_input_files(
        [{"name": "factura-marzo.png", "mimeType": "image/png", "buffer": png_bytes(64, 40)}])
    page.get_by_role("button", name="Enviar solicitud").click()
    expect(page.get_by_text("Contanos qué necesitás.", exact=True)).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("factura-marzo.png"))).to_be_checked()
    assert_no_horizontal_overflow(page)
    screenshot(page, "form-error")

    page.get_by_label("Descripción").fill("Nos llegaron dos facturas B por el mismo abono.\nAdjunto la captura.")
    page.get_by_role("button", name="Enviar solicitud").click()
    expect(page.get_by_role("status")).to_contain_text("Recibimos tu solicitud #")
    number = re.search(r"#(\d+)", page.get_by_role("heading", level=1).inner_text()).group(1)
    # The file kept across the error is the one stored: downloaded, byte for byte (issue 20).
    assert downloaded(page, "factura-marzo.png") == png_bytes(64, 40)
    receipt = [m for m in mail.outbox if m.to == ["ana@espiga.com.ar"]]
    assert len(receipt) == 1 and f"#{number}" in receipt[0].subject

    # The operator finds the email and opens its link.
    [notice] = [m for m in mail.outbox if m.to == ["martin@sysmo.com.ar"]]
    assert notice.subject == f"Nueva solicitud #{number} en Facturación: La factura de marzo llegó duplicada"
    link = re.search(r"https?://\S+/solicitudes/\d+/", notice.body).group(0)
    operator_page.goto(link)
    expect(operator_page.get_by_role("heading", level=1)).to_contain_text("La factura de marzo llegó duplicada")
    assert downloaded(operator_page, "factura-marzo.png") == png_bytes(64, 40)
    actions = operator_page.get_by_role("region", name="Acciones")
    actions.get_by_role("button", name="Tomar").click()
    expect(operator_page.get_by_role("status")).to_contain_text("Tomaste la solicitud")
    expect(operator_page.get_by_text("En proceso", exact=True).first).to_be_visible()

    # An internal comment, then a public answer.
    operator_page.get_by_role("radio", name="Comentario interno").check()
    reply_box(operator_page).get_by_label("Mensaje").fill(SECRET_NOTE)
    expect(operator_page.get_by_text("Solo lo ven los operadores")).to_be_visible()
    screenshot(operator_page, "internal-mode")
    operator_page.get_by_role("button", name="Guardar comentario interno").click()
    expect(operator_page.get_by_role("status")).to_contain_text("Guardaste un comentario interno")
    expect(history(operator_page).get_by_role("article", name=re.compile("Comentario interno"))).to_contain_text(
        SECRET_NOTE)
    expect(operator_page.get_by_role("radio", name="Respuesta")).to_be_checked()
    expect(operator_page.get_by_text("Se envía por correo a: Ana Martínez (cliente).")).to_be_visible()
    reply_box(operator_page).get_by_label("Mensaje").fill("Hola Ana, ya anulamos la factura duplicada.")
    operator_page.get_by_role("button", name="Responder", exact=True).click()
    expect(operator_page.get_by_role("status")).to_contain_text("Enviamos tu respuesta")
    assert_no_horizontal_overflow(operator_page)
    screenshot(operator_page, "operator-view")

    # The client sees the answer, not the comment, and answers back.
    page.reload()
    expect(history(page)).to_contain_text("Hola Ana, ya anulamos la factura duplicada.")
    expect(history(page)).not_to_contain_text("Nota interna")
    expect(page.get_by_role("region", name="Acciones")).to_have_count(0)
    expect(page.get_by_role("radio", name="Comentario interno")).to_have_count(0)
    expect(page.get_by_text("Se envía por correo a: Martín Gómez.")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "client-view")
    reply_box(page).get_by_label("Mensaje").fill("¡Gracias! ¿Me mandan la nota de crédito?")
    page.get_by_role("button", name="Responder", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Enviamos tu respuesta")

    # The operator closes it with a message.
    operator_page.reload()
    expect(history(operator_page)).to_contain_text("¿Me mandan la nota de crédito?")
    actions.get_by_text("Cerrar", exact=True).click()
    actions.get_by_label("Mensaje de cierre (opcional)").fill("Te enviamos la nota de crédito por correo.")
    screenshot(operator_page, "closing")
    actions.get_by_role("button", name="Cerrar solicitud").click()
    expect(operator_page.get_by_role("status")).to_contain_text("Cerraste la solicitud")
    expect(actions.get_by_role("button", name="Reabrir")).to_be_visible()
    expect(history(operator_page)).to_contain_text("Martín Gómez cerró la solicitud")
    assert_no_horizontal_overflow(operator_page)
    screenshot(operator_page, "closed")

    # The client writes again and it reopens.
    page.reload()
    expect(page.get_by_text("Cerrado", exact=True).first).to_be_visible()
    expect(page.get_by_text("Esta solicitud está cerrada. Si escribís, se reabre")).to_be_visible()
    reply_box(page).get_by_label("Mensaje").fill("Me llegó, pero con el importe equivocado.")
    page.get_by_role("button", name="Responder", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("la solicitud se reabrió")
    expect(page.get_by_text("En proceso", exact=True).first).to_be_visible()
    expect(history(page)).to_contain_text("Ana Martínez escribió en la solicitud cerrada y se reabrió")
    expect(history(page)).not_to_contain_text("Nota interna")
    assert_no_horizontal_overflow(page)
    screenshot(page, "reopened")

    for path in ("/solicitudes/nueva/", f"/solicitudes/{number}/"):
        assert_csp_ready(page, path)
        assert_csp_ready(operator_page, path)
    assert not [m for m in mail.outbox if m.to == ["ana@espiga.com.ar"] and "Nota interna" in m.body]
    for attachment in Attachment.objects.all():  # the uploaded file went to the test's private storage
        attachment.file.delete(save=False)
