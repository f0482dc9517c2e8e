"""Mis datos (Ley 25.326): the export holds the person's data and nobody else's; deletion takes the person out
and leaves the requests and the reports as they were."""

import io
import json
import zipfile

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AccountAuditEntry, Company, User
from accounts.tests.factories import TEST_PASSWORD, AdminFactory, ClientFactory, OperatorFactory, verified
from mail.models import OutboxMessage
from privacy.models import DeletionRequest
from tickets import search
from tickets.models import Attachment, Event, Intervention, Ticket
from tickets.tests.conftest import private_storage  # noqa: F401 (a fixture)
from tickets.tests.factories import AttachmentFactory
from topics.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

INTERNAL_CANARY = "CANARIOINTERNO"
OTHER_CANARY = "CANARIOAJENO"


@pytest.fixture
def world(client, private_storage):  # noqa: F811
    company = Company.objects.create(name="Panadería La Espiga S.R.L.", cuit="30-71876543-5")
    ana = verified(ClientFactory(email="ana@espiga.com.ar", full_name="Ana Martínez", phone="+541143215678",
                                 company=company))
    # Her signature goes under her answer (issue 14): it is hers, not in a client's export.
    olga = verified(OperatorFactory(email="olga@sysmo.ar", full_name="Olga Operadora", signature="Olga · int. 204"))
    topic = TopicFactory(name="Facturación", operators=[olga])
    other = verified(ClientFactory(email="carlos@otro.com.ar", full_name="Carlos Otro"))
    admin = verified(AdminFactory(email="laura@sysmo.ar", full_name="Laura Fernández"))

    client.force_login(ana)
    client.post(reverse("tickets:create"), {"topic": topic.pk, "subject": "Factura duplicada",
                                            "description": "Soy Ana Martínez, nos llegó dos veces la factura."})
    ticket = Ticket.objects.get(requester=ana)
    client.force_login(other)
    client.post(reverse("tickets:create"), {"topic": topic.pk, "subject": f"Pedido {OTHER_CANARY}",
                                            "description": f"Texto de Carlos {OTHER_CANARY}."})
    client.force_login(olga)
    client.post(reverse("tickets:take", args=[ticket.number]))
    client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "Ya la anulamos, Ana Martínez."})
    client.post(reverse("tickets:reply", args=[ticket.number]),
                {"body": f"Nota interna {INTERNAL_CANARY}", "mode": "internal"})
    client.force_login(ana)
    client.post(reverse("tickets:reply", args=[ticket.number]),
                {"body": "Gracias. Saludos, Ana Martínez (ana@espiga.com.ar)"})
    AttachmentFactory(ticket=ticket, uploaded_by=ana, original_name="factura.pdf")
    AttachmentFactory(ticket=ticket, uploaded_by=olga, original_name=f"{INTERNAL_CANARY}.txt",
                      intervention=Intervention.objects.get(internal=True))
    OutboxMessage.objects.create(message_id="<a@x>", from_email="x@sysmo.ar", to=["carlos@otro.com.ar"],
                                 subject=f"Correo {OTHER_CANARY}", body=OTHER_CANARY)
    client.logout()
    return {"ana": ana, "olga": olga, "other": other, "admin": admin, "ticket": ticket}


def export(client, user):
    client.force_login(user)
    response = client.get(reverse("privacy:my_data_download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name) for name in archive.namelist()}


def test_the_export_holds_the_persons_data(client, world, settings):
    settings.EMAIL_BACKEND = "mail.outbox.OutboxBackend"
    from mail import outbox

    outbox.send_templated(world["ana"], "test_message", {"sent_on": "hoy", "outbox_url": "x"})
    files = export(client, world["ana"])

    profile = json.loads(files["perfil.json"])
    assert (profile["correo"], profile["nombre"], profile["telefono"]) == (
        "ana@espiga.com.ar", "Ana Martínez", "+541143215678")
    assert profile["empresa"] == {"nombre": "Panadería La Espiga S.R.L.", "cuit": "30-71876543-5"}
    [request] = json.loads(files["solicitudes.json"])
    assert request["asunto"] == "Factura duplicada"
    assert [m["texto"] for m in request["mensajes"]] == ["Ya la anulamos, Ana Martínez.",
                                                         "Gracias. Saludos, Ana Martínez (ana@espiga.com.ar)"]
    assert {m["de"] for m in request["mensajes"]} == {"Vos", "Equipo de Sysmo"}
    assert request["historia"]
    assert any(name.endswith("factura.pdf") for name in files)
    emails = json.loads(files["correos.json"])
    assert len(emails) == 1


def test_the_export_holds_nobody_elses_data_and_no_internal_comment(client, world):
    files = export(client, world["ana"])
    everything = b"".join(list(files.values()) + [name.encode() for name in files]).decode("utf-8", "replace")
    for canary in (INTERNAL_CANARY, OTHER_CANARY, "Olga", "olga@sysmo.ar", "Carlos", "carlos@otro.com.ar",
                   "Laura"):
        assert canary not in everything, canary


def test_a_staff_members_export_leaves_out_the_notices_of_internal_comments(client, world, settings,
                                                                            django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "mail.outbox.OutboxBackend"
    client.force_login(world["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("tickets:reply", args=[world["ticket"].number]),
                    {"body": f"Otra nota {INTERNAL_CANARY}B", "mode": "internal"})
    assert OutboxMessage.objects.filter(to=["olga@sysmo.ar"], body__contains=f"{INTERNAL_CANARY}B").exists()
    files = export(client, world["olga"])
    assert f"{INTERNAL_CANARY}B" not in files["correos.json"].decode()


def report_numbers(client, admin):
    client.force_login(admin)
    report = client.get(reverse("reports:page")).context["report"]
    return report


def test_deletion_is_asked_then_honoured_and_the_reports_stay_equal(client, world):
    ana, admin, ticket = world["ana"], world["admin"], world["ticket"]
    client.force_login(ana)
    client.post(reverse("privacy:my_data_delete"))
    client.post(reverse("privacy:my_data_delete"))  # asked twice: one request
    deletion = DeletionRequest.objects.get(user=ana)
    counts_before = (Ticket.objects.count(), Intervention.objects.count(), Event.objects.count())
    report_before = report_numbers(client, admin)
    page = client.get(reverse("privacy:deletion_list")).content.decode()
    assert "Ana Martínez" in page

    response = client.post(reverse("privacy:deletion_honour", args=[deletion.pk]))
    assert response.status_code == 302

    ana.refresh_from_db()
    assert (ana.full_name, ana.phone, ana.is_active, ana.has_usable_password()) == ("Usuario eliminado", "",
                                                                                     False, False)
    assert "espiga" not in ana.email
    assert not Attachment.objects.filter(uploaded_by=ana).exists()
    assert Attachment.objects.filter(uploaded_by=world["olga"]).exists()
    assert (Ticket.objects.count(), Intervention.objects.count(), Event.objects.count()) == counts_before
    assert report_numbers(client, admin) == report_before
    ticket.refresh_from_db()
    assert ticket.requester_id == ana.pk and "Ana Martínez" not in ticket.description
    assert AccountAuditEntry.objects.filter(target=ana, actor=admin, action="data_erased").exists()
    deletion.refresh_from_db()
    assert deletion.honoured_by == admin

    client.logout()
    login = client.post(reverse("account_login"), {"login": "ana@espiga.com.ar", "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session and login.status_code == 200


@pytest.mark.parametrize("typed", ["Ana Martínez", "Martínez", "ana@espiga.com.ar"])
def test_after_deletion_searching_for_the_person_finds_nothing(client, world, typed):
    admin = world["admin"]
    client.force_login(admin)
    assert search.matching(Ticket.objects.all(), typed, include_internal=True).exists()  # found before
    deletion = DeletionRequest.objects.create(user=world["ana"])
    client.post(reverse("privacy:deletion_honour", args=[deletion.pk]))

    assert not search.matching(Ticket.objects.all(), typed, include_internal=True).exists()
    assert not list(client.get(reverse("accounts:user_list"), {"q": typed}).context["page"].object_list)


@pytest.mark.parametrize("who", ["ana", "olga", "other"])
def test_only_administrators_see_and_honour_deletion_requests(client, world, who):
    deletion = DeletionRequest.objects.create(user=world["ana"])
    client.force_login(world[who])
    assert client.get(reverse("privacy:deletion_list")).status_code == 404
    assert client.post(reverse("privacy:deletion_honour", args=[deletion.pk])).status_code == 404
    assert User.objects.get(pk=world["ana"].pk).full_name == "Ana Martínez"


def test_an_administrator_does_not_honour_their_own_request(client, world):
    admin = world["admin"]
    deletion = DeletionRequest.objects.create(user=admin)
    client.force_login(admin)
    assert client.post(reverse("privacy:deletion_honour", args=[deletion.pk])).status_code == 404
    assert User.objects.get(pk=admin.pk).is_active


def test_anonymous_reads_the_privacy_page_and_nothing_else(client):
    assert "Ley 25.326" in client.get(reverse("privacy:privacy")).content.decode()
    for name in ("privacy:my_data", "privacy:my_data_download"):
        assert client.get(reverse(name)).status_code == 302
    assert mail.outbox == []


# --- Colleagues in copy (issue 14) ---------------------------------------------------------------------------------


@pytest.fixture
def colleague(world):
    """Juan, Ana's confirmed colleague, is in copy on her request and wrote on it; he was in copy on another one
    until she took him out, after writing there too."""
    from tickets import services

    juan = verified(ClientFactory(email="juan@espiga.com.ar", full_name="Juan Pérez", company=world["ana"].company))
    services.add_colleague(world["ticket"], by=world["ana"], colleague=juan)
    services.reply(world["ticket"], by=juan, body="Lo sigo yo también.")
    earlier, _created = services.create(by=world["ana"], topic=world["ticket"].topic, subject=f"Otra {OTHER_CANARY}",
                                        description=f"Descripción de Ana {OTHER_CANARY}")
    services.add_colleague(earlier, by=world["ana"], colleague=juan)
    services.reply(earlier, by=juan, body="Escribí antes de salir.")
    services.remove_colleague(earlier, by=world["ana"], colleague=juan)
    return {"juan": juan, "earlier": earlier}


def test_a_colleagues_export_lists_the_requests_in_copy_and_what_they_wrote_only(client, world, colleague):
    files = export(client, colleague["juan"])
    copies = json.loads(files["en_copia.json"])
    assert [(c["numero"], c["en_copia"]) for c in copies] == [(world["ticket"].number, True),
                                                             (colleague["earlier"].number, False)]
    current, former = copies
    assert (current["asunto"], [m["texto"] for m in current["tus_mensajes"]]) == (
        "Factura duplicada", ["Lo sigo yo también."])
    assert set(former) == {"numero", "en_copia", "tus_mensajes"}  # no longer in copy: not even the subject
    assert [m["texto"] for m in former["tus_mensajes"]] == ["Escribí antes de salir."]
    assert json.loads(files["solicitudes.json"]) == []
    everything = b"".join(files.values()).decode("utf-8", "replace")
    for canary in (INTERNAL_CANARY, OTHER_CANARY, "Soy Ana Martínez", "Ya la anulamos", "Olga"):
        assert canary not in everything, canary


def test_a_colleagues_deletion_blanks_their_name_in_the_history_and_ends_their_copies(client, world, colleague):
    juan, admin = colleague["juan"], world["admin"]
    deletion = DeletionRequest.objects.create(user=juan)
    client.force_login(admin)
    client.post(reverse("privacy:deletion_honour", args=[deletion.pk]))

    from tickets.models import Colleague

    assert not Colleague.objects.filter(user=juan, removed_at__isnull=True).exists()
    assert not Event.objects.filter(after__icontains="Juan").exists()
    assert not Intervention.objects.filter(body__icontains="Juan").exists()
    client.force_login(world["ana"])
    page = client.get(world["ticket"].get_absolute_url()).content.decode()
    assert "Juan Pérez" not in page and "Usuario eliminado" in page


# --- Satisfaction answers (issue 15) --------------------------------------------------------------------------

CLIENT_COMMENT = "Olga fue muy amable, gracias."


@pytest.fixture
def surveys(world):
    """Olga closes Ana's request and Carlos's; Ana answers 4 with a comment, Carlos 1 with his own canary."""
    from satisfaction import services as satisfaction
    from satisfaction.models import Survey
    from tickets import services

    carlos_ticket = Ticket.objects.get(requester=world["other"])
    services.close(world["ticket"], by=world["olga"])
    services.close(carlos_ticket, by=world["olga"])
    satisfaction.answer(Survey.objects.get(ticket=world["ticket"]), score=4)
    satisfaction.comment(Survey.objects.get(ticket=world["ticket"]), text=CLIENT_COMMENT)
    satisfaction.answer(Survey.objects.get(ticket=carlos_ticket), score=1)
    satisfaction.comment(Survey.objects.get(ticket=carlos_ticket), text=f"Malo {OTHER_CANARY}")
    return Survey.objects.get(ticket=world["ticket"])


def test_a_clients_export_holds_their_survey_answers_and_nobody_elses(client, world, surveys):
    files = export(client, world["ana"])
    [answer] = json.loads(files["encuestas.json"])
    assert answer == {
        "solicitud": world["ticket"].number, "enviada": surveys.sent_at.isoformat(), "respuesta": 4,
        "respuesta_texto": "Bien", "comentario": CLIENT_COMMENT, "respondida": surveys.answered_at.isoformat(),
        "cambiada": surveys.changed_at.isoformat(),
    }
    assert "encuestas_sobre_tu_atencion.json" not in files  # a client is nobody's assignee
    assert "encuestas.json" in files["LEEME.txt"].decode()
    # Not who held the request (the team's), nor Carlos's answer.
    everything = b"".join(files.values()).decode("utf-8", "replace")
    for canary in (OTHER_CANARY, "olga@sysmo.ar", "Olga Operadora"):
        assert canary not in everything, canary


def test_an_unanswered_survey_is_listed_as_asked(client, world):
    from tickets import services

    services.close(world["ticket"], by=world["olga"])
    [asked] = json.loads(export(client, world["ana"])["encuestas.json"])
    assert (asked["solicitud"], asked["respuesta"], asked["comentario"], asked["respondida"]) == (
        world["ticket"].number, None, "", None)


def test_an_operators_export_counts_their_surveys_but_names_no_client_and_quotes_no_comment(client, world, surveys):
    """Policy: the scores are the clients' answers. The operator's export says how many surveys were sent and
    answered about requests they held at closing and the average score; never which request, who answered what,
    or a comment (those are the clients' data; staff read them on the requests they work)."""
    files = export(client, world["olga"])
    assert json.loads(files["encuestas_sobre_tu_atencion.json"]) == {
        "enviadas": 2, "respondidas": 2, "puntaje_promedio": 2.5}
    assert json.loads(files["encuestas.json"]) == []  # she answered none herself
    everything = b"".join(files.values()).decode("utf-8", "replace")
    for canary in (CLIENT_COMMENT, OTHER_CANARY, "ana@espiga.com.ar", "carlos@otro.com.ar"):
        assert canary not in everything, canary

