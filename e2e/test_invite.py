"""An administrator invites an operator (name, role, topic); the invitee opens the email's link, chooses a
password and lands logged in on the requests of their topic."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.models import Role, User
from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory, verified
from e2e.helpers import assert_csp_ready, assert_no_horizontal_overflow, open_menu, screenshot
from mail.models import OutboxMessage
from tickets import search, tray_counts
from tickets.models import State, Ticket
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "martin.gomez@demo.sysmo.ar"
PASSWORD = "yerba-con-palo-y-menta-9"


@pytest.fixture(autouse=True)
def mail_through_the_outbox(settings, live_server):
    from mail import outbox

    settings.EMAIL_BACKEND = "mail.outbox.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url  # the links in the emails point to this test's server
    outbox._broker_paused_until = 0.0
    cache.clear()


@pytest.fixture
def invitee_page(new_page):
    """The invitee, at a browser of their own."""
    return new_page("invitee")


def test_an_administrator_invites_an_operator_who_then_logs_in(page, invitee_page, log_in):
    admin = verified(AdminFactory(email="laura@demo.sysmo.ar", full_name="Laura Fernández"))
    soporte = TopicFactory(name="Soporte técnico", operators=[OperatorFactory(full_name="Sofía Romero")])
    TopicFactory(name="Facturación")
    TopicFactory(name="Reclamos viejos", is_active=False)
    OperatorFactory(email="diego@demo.sysmo.ar", full_name="Diego Sánchez")
    TicketFactory(topic=soporte, requester=ClientFactory(full_name="Ana Martínez"), state=State.NEW,
                  subject="La impresora fiscal no imprime", description="Desde el lunes da error.")
    search.refresh(Ticket.objects.values_list("pk", flat=True))
    tray_counts.rebuild()
    log_in(admin)

    # Usuarios → Invitar a una persona.
    page.goto("/")
    open_menu(page)
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Usuarios").click()
    page.get_by_role("link", name="Invitar a una persona").click()
    expect(page.get_by_role("heading", level=1, name="Invitar a una persona")).to_be_visible()
    main = page.get_by_role("main")
    expect(main.get_by_label("Reclamos viejos")).to_have_count(0)  # inactive topics are not offered
    expect(main.get_by_label("Cliente")).to_have_count(0)  # clients sign up themselves
    assert_no_horizontal_overflow(page)
    assert_csp_ready(page, "/usuarios/invitar/")
    screenshot(page, "form")

    # An address already in use: told next to the field, nothing created.
    main.get_by_label("Nombre y apellido").fill("Martín Gómez")
    main.get_by_label("Correo electrónico").fill("DIEGO@demo.sysmo.ar")
    main.get_by_label(re.compile(r"^\s*Operador")).check()
    main.get_by_label("Soporte técnico").check()
    main.get_by_role("button", name="Enviar invitación").click()
    expect(main.get_by_label("Correo electrónico")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#div_id_email")).to_contain_text("Ya hay una cuenta con ese correo electrónico.")
    expect(main.get_by_label("Soporte técnico")).to_be_checked()  # what was typed stays
    assert not User.objects.filter(full_name="Martín Gómez").exists()
    assert_no_horizontal_overflow(page)
    screenshot(page, "address-taken")

    main.get_by_label("Correo electrónico").fill(EMAIL)
    main.get_by_role("button", name="Enviar invitación").click()

    expect(page.get_by_role("heading", level=1, name="Martín Gómez")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(f"Invitaste a Martín Gómez. Le enviamos a {EMAIL} un enlace")
    expect(page.get_by_role("main").get_by_text("Invitación pendiente", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Reenviar invitación")).to_be_visible()
    expect(page.get_by_role("region", name="Temáticas que atiende")).to_contain_text("Soporte técnico")
    registro = page.get_by_role("region", name="Registro de cambios")
    expect(registro).to_contain_text(f"Invitó a {EMAIL} como operador")
    assert_no_horizontal_overflow(page)
    screenshot(page, "invited")

    # On the list, too: "Invitación pendiente", and a filter for them.
    page.get_by_role("link", name="← Usuarios").click()
    row = page.get_by_role("row").filter(has_text="Martín Gómez")
    expect(row).to_contain_text("Invitación pendiente")
    page.get_by_role("search").get_by_label("Cuentas").select_option(label="Invitaciones pendientes")
    page.get_by_role("search").get_by_role("button", name="Buscar").click()
    expect(page.get_by_text("1 persona", exact=True)).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "pending-list")
    page.get_by_role("link", name="Martín Gómez").click()

    # The invitation, read from the outbox.
    message = OutboxMessage.objects.get(to=[EMAIL])
    assert message.status == OutboxMessage.Status.SENT
    assert message.subject == "Te invitaron a Sysmo Tickets"
    assert "Laura Fernández te invitó a Sysmo Tickets como operador." in message.body
    link = re.search(r"https?://\S+/invitacion/\S+/", message.body).group(0)

    # The invitee, in their own browser: choose a password, land on the requests of their topic.
    invitee_page.goto(link)
    expect(invitee_page.get_by_role("heading", level=1, name="Hola, Martín")).to_be_visible()
    expect(invitee_page).not_to_have_url(re.compile(re.escape(link.rstrip("/").rsplit("-", 1)[-1])))
    form = invitee_page.get_by_role("main")
    expect(form).to_contain_text(EMAIL)
    assert_no_horizontal_overflow(invitee_page)
    assert_csp_ready(invitee_page, invitee_page.url)  # the same session: the form, key and all
    screenshot(invitee_page, "choose-password")
    form.get_by_label(re.compile(r"^\s*Contraseña\s*\*?\s*$")).fill(PASSWORD)
    form.get_by_label("Repetí la contraseña").fill(PASSWORD)
    form.get_by_role("button", name="Guardar e ingresar").click()

    trays = invitee_page.get_by_role("navigation", name="Bandejas")
    expect(trays.get_by_role("link", name=re.compile("^De mis temáticas"))).to_have_attribute("aria-current", "page")
    expect(invitee_page.get_by_role("alert")).to_contain_text("Hola, Martín Gómez")
    expect(invitee_page.get_by_role("main")).to_contain_text("La impresora fiscal no imprime")
    assert_no_horizontal_overflow(invitee_page)
    screenshot(invitee_page, "tray")

    invitee = User.objects.get(email=EMAIL)
    assert invitee.role == Role.OPERATOR and invitee.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=invitee).verified

    # The link worked once.
    invitee_page.context.clear_cookies()
    invitee_page.goto(link)
    expect(invitee_page.get_by_role("heading", level=1, name="Este enlace de invitación ya no sirve")).to_be_visible()
    assert_no_horizontal_overflow(invitee_page)
    assert_csp_ready(invitee_page, link)
    screenshot(invitee_page, "used-link")

    # Back on the administrator's side: no longer pending.
    page.reload()
    expect(page.get_by_role("main").get_by_text("Activa", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Reenviar invitación")).to_have_count(0)
    expect(registro).to_contain_text("Aceptó la invitación y eligió su contraseña")


def test_an_administrator_edits_a_persons_name_phone_and_address(page, log_in):
    admin = verified(AdminFactory(email="laura@demo.sysmo.ar", full_name="Laura Fernández"))
    diego = verified(OperatorFactory(email="diego@demo.sysmo.ar", full_name="Diego Sanchez"))
    log_in(admin)

    page.goto(f"/usuarios/{diego.pk}/")
    page.get_by_role("link", name="Editar datos").click()
    expect(page.get_by_role("heading", level=1, name="Datos de Diego Sanchez")).to_be_visible()
    datos = page.get_by_role("region", name="Nombre y teléfono")
    datos.get_by_label("Nombre y apellido").fill("Diego Sánchez")
    datos.get_by_label("Teléfono de contacto").fill("11 5555")
    datos.get_by_role("button", name="Guardar datos").click()
    expect(page.locator("#div_id_phone")).to_contain_text("Ingresá un teléfono válido")
    assert_no_horizontal_overflow(page)
    screenshot(page, "bad-phone")
    datos = page.get_by_role("region", name="Nombre y teléfono")
    datos.get_by_label("Teléfono de contacto").fill("011 4321-5678")
    datos.get_by_role("button", name="Guardar datos").click()
    expect(page.get_by_role("alert")).to_contain_text("Guardaste los datos de Diego Sánchez.")
    expect(page.get_by_role("main")).to_contain_text("011 4321-5678")

    page.get_by_role("link", name="Editar datos").click()
    correo = page.get_by_role("region", name="Correo electrónico")
    correo.get_by_label("Correo electrónico nuevo").fill("diego.sanchez@demo.sysmo.ar")
    correo.get_by_role("button", name="Enviar el enlace de confirmación").click()
    expect(page.get_by_role("alert")).to_contain_text("Le enviamos un enlace a diego.sanchez@demo.sysmo.ar")
    expect(page.get_by_role("main")).to_contain_text("Cambia a diego.sanchez@demo.sysmo.ar cuando lo confirme")
    registro = page.get_by_role("region", name="Registro de cambios")
    expect(registro).to_contain_text(
        "Cambió el nombre de «Diego Sanchez» a «Diego Sánchez» y el teléfono de — a 011 4321-5678")
    expect(registro).to_contain_text("Pidió cambiar el correo de diego@demo.sysmo.ar a diego.sanchez@demo.sysmo.ar")
    assert_no_horizontal_overflow(page)
    assert_csp_ready(page, f"/usuarios/{diego.pk}/editar/")
    screenshot(page, "email-pending")
    assert OutboxMessage.objects.filter(to=["diego.sanchez@demo.sysmo.ar"]).count() == 1
    diego.refresh_from_db()
    assert diego.email == "diego@demo.sysmo.ar"
