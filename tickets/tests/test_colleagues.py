"""Colleagues in copy (issue 14, item 5): who may be put in copy and by whom, what a colleague in copy sees,
hears and may write (web and email), and a removed colleague losing all of it at once.

The world of tickets/tests/conftest.py with add_copies: Rita (requester) of «Panadería La Espiga»; Cecilia
is in copy, Ramiro was until Rita took him out, Clara (verified) is a member not in copy; Carlos is a client
of another company; Ana (assignee) and Olga work «Facturación», Omar works «Reclamos».
"""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.tests.factories import ClientFactory, CompanyFactory, OperatorFactory, verified
from mail import inbound, replies
from mail.models import InboundMessage
from mail.tests import messages
from tickets import permissions, recipients, selectors, services
from tickets.models import Colleague, Event, EventKind, Intervention, State, Ticket
from tickets.tests.conftest import add_copies, make_world
from tickets.tests.test_recipients import do as do_move

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def world(db):
    return add_copies(make_world())


def told():
    """{local part of each address emailed: subject}."""
    return {address.split("@")[0]: message.subject for message in mail.outbox for address in message.to}


def in_copy(world):
    return set(Colleague.objects.filter(ticket=world.ticket, removed_at=None).values_list("user__email", flat=True))


# --- Who may be put in copy --------------------------------------------------------------------------------------


def _other_company(world):
    return verified(ClientFactory(full_name="Otra Empresa", company=CompanyFactory()))


def _pending(world):
    person = verified(ClientFactory(full_name="Pablo Pendiente", company=world["requester"].company))
    User.objects.filter(pk=person.pk).update(company_confirmed=False)
    return User.objects.get(pk=person.pk)


def _unverified(world):
    return ClientFactory(full_name="Sin Verificar", company=world["requester"].company)


def _deactivated(world):
    person = verified(ClientFactory(full_name="Dado de Baja", company=world["requester"].company))
    User.objects.filter(pk=person.pk).update(is_active=False)
    return User.objects.get(pk=person.pk)


def _operator_of_the_company(world):
    return verified(OperatorFactory(full_name="Operador Con Empresa", company=world["requester"].company))


# Each kind of person who must not be put in copy, with the refusal's gist.
NOT_CANDIDATES = [
    ("a client of another company", _other_company),
    ("a member pending confirmation", _pending),
    ("a member who never verified their address", _unverified),
    ("a deactivated member", _deactivated),
    ("staff (even with the company set)", _operator_of_the_company),
    ("the requester", lambda w: w["requester"]),
    ("someone already in copy", lambda w: w["colleague in copy"]),
]


@pytest.mark.parametrize("by", ["requester", "assignee"])
@pytest.mark.parametrize(("kind", "make"), NOT_CANDIDATES, ids=[kind for kind, _make in NOT_CANDIDATES])
def test_only_confirmed_verified_active_members_of_the_company_may_be_put_in_copy(world, by, kind, make):
    person = make(world)
    before = (in_copy(world), Event.objects.count())
    assert person.pk not in {p.pk for p in selectors.colleague_candidates(world.ticket)}
    mail.outbox.clear()
    with pytest.raises(services.Refused):
        services.add_colleague(world.ticket, by=world[by], colleague=person)
    assert (in_copy(world), Event.objects.count()) == before
    assert mail.outbox == []


def test_the_choice_lists_the_confirmed_members_only(world):
    _pending(world), _unverified(world), _deactivated(world), _other_company(world)
    # Ramiro was taken out of copy: he may be added again.
    assert [p.full_name for p in selectors.colleague_candidates(world.ticket)] == ["Clara Colega", "Ramiro Removido"]


def test_a_requester_pending_confirmation_cannot_add_anyone_nor_learn_who_belongs(world, client):
    User.objects.filter(pk=world["requester"].pk).update(company_confirmed=False)
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    assert selectors.colleague_candidates(ticket) is None
    with pytest.raises(services.Refused):
        services.add_colleague(ticket, by=User.objects.get(pk=world["requester"].pk), colleague=world["colleague"])
    client.force_login(world["requester"])
    page = client.get(ticket.get_absolute_url())
    assert page.context["colleague_form"] is None
    assert "Clara Colega" not in page.content.decode()


# --- Adding and removing -------------------------------------------------------------------------------------


def test_the_requester_adds_a_colleague_who_gets_the_link_and_the_history_says_so(world):
    mail.outbox.clear()
    outcome = services.add_colleague(world.ticket, by=world["requester"], colleague=world["colleague"])

    row = Colleague.objects.get(ticket=world.ticket, user=world["colleague"], removed_at=None)
    assert (row.added_by, row.added_at is not None) == (world["requester"], True)
    event = Event.objects.filter(ticket=world.ticket).latest("id")
    assert (event.kind, event.actor, event.after) == (EventKind.COLLEAGUE_ADDED, world["requester"], "Clara Colega")
    assert told() == {"clara": f"Te agregaron en copia de la solicitud #{world.ticket.number}: Factura duplicada"}
    [message] = mail.outbox
    assert world.ticket.get_absolute_url() in message.body and "Rita Requirente te agregó en copia" in message.body
    assert [p.email for p in outcome.recipients] == ["clara@example.com"]
    assert permissions.can_view(world["colleague"], Ticket.objects.get(pk=world.ticket.pk))


def test_the_history_reads_who_added_whom(world, client):
    services.add_colleague(world.ticket, by=world["requester"], colleague=world["colleague"])
    services.remove_colleague(world.ticket, by=world["assignee"], colleague=world["colleague"])
    client.force_login(world["colleague in copy"])
    html = " ".join(client.get(world.ticket.get_absolute_url()).content.decode().split())
    assert "<strong>Rita Requirente</strong> agregó a <strong>Clara Colega</strong> en copia" in html
    assert "<strong>Ana Asignada</strong> quitó a <strong>Clara Colega</strong> de la copia" in html


def test_a_removed_colleague_loses_everything_at_once(world, client):
    person = world["colleague in copy"]
    client.force_login(person)
    url = world.ticket.get_absolute_url()
    assert client.get(url).status_code == 200
    token_address = replies.reply_address(world.ticket.number, person.pk)

    services.remove_colleague(world.ticket, by=world["requester"], colleague=person)

    assert client.get(url).status_code == 404
    assert client.post(reverse("tickets:reply", args=[world.ticket.number]), {"body": "Hola"}).status_code == 404
    assert world.ticket.number not in [t.number for t in Ticket.objects.visible_to(person)]
    assert [tray.key for tray in selectors.trays_for(person)] == ["realizadas"]
    mail.outbox.clear()
    services.reply(world.ticket, by=world["assignee"], body="Respuesta pública")
    assert "cecilia" not in told()
    raw = messages.build(sender=person.email, to=token_address, text="Sigo acá")
    message, _created = inbound.receive(raw)
    assert message.state == InboundMessage.State.REFUSED
    assert "ya no puede escribir" in message.reason
    assert not Intervention.objects.filter(author=person).exists()


def test_removing_someone_who_is_not_in_copy_is_refused(world):
    with pytest.raises(services.Refused):
        services.remove_colleague(world.ticket, by=world["requester"], colleague=world["removed colleague"])


def test_a_removed_colleague_may_be_added_again(world):
    services.add_colleague(world.ticket, by=world["requester"], colleague=world["removed colleague"])
    assert permissions.can_view(world["removed colleague"], Ticket.objects.get(pk=world.ticket.pk))
    assert Colleague.objects.filter(ticket=world.ticket, user=world["removed colleague"]).count() == 2


@pytest.mark.parametrize("who", ["colleague in copy", "removed colleague", "colleague", "another client",
                                 "other operator"])
def test_who_may_not_add_or_remove(world, who):
    for change, colleague in ((services.add_colleague, world["colleague"]),
                              (services.remove_colleague, world["colleague in copy"])):
        with pytest.raises(services.NotFound):
            change(world.ticket, by=world[who], colleague=colleague)
    assert in_copy(world) == {"cecilia@example.com"}


# --- Losing the right to see without being removed: the one rule follows the company --------------------------


def _refused_by_company(world):
    User.objects.filter(pk=world["colleague in copy"].pk).update(company_confirmed=False)


def _moved_to_another_company(world):
    User.objects.filter(pk=world["colleague in copy"].pk).update(company=CompanyFactory())


def _made_operator(world):
    User.objects.filter(pk=world["colleague in copy"].pk).update(role=Role.OPERATOR)


def _deactivated_colleague(world):
    User.objects.filter(pk=world["colleague in copy"].pk).update(is_active=False)


def _request_without_company(world):
    Ticket.objects.filter(pk=world.ticket.pk).update(company=None)


@pytest.mark.parametrize("change", [_refused_by_company, _moved_to_another_company, _made_operator,
                                    _deactivated_colleague, _request_without_company])
def test_a_colleague_who_is_no_longer_a_confirmed_member_sees_nothing(world, change):
    change(world)
    person = User.objects.get(pk=world["colleague in copy"].pk)
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    assert not permissions.can_view(person, ticket)
    assert not Ticket.objects.visible_to(person).filter(pk=ticket.pk).exists()
    mail.outbox.clear()
    services.reply(ticket, by=world["assignee"], body="Hola")
    assert "cecilia" not in told()


# --- What a colleague in copy hears and may write ----------------------------------------------------------------


# (move, actor) → who is emailed, with Cecilia in copy (and Ramiro removed, never told).
CASES = [
    ("reply", "requester", {"ana.asignada", "cecilia"}),
    ("reply", "colleague in copy", {"ana.asignada", "rita"}),
    ("reply", "assignee", {"rita", "cecilia"}),
    ("wait", "assignee", {"rita", "cecilia"}),
    ("comment", "topic operator", {"ana.asignada"}),  # internal: never the colleague
    ("close", "assignee", {"rita", "cecilia"}),
    ("resolve", "requester", {"ana.asignada", "cecilia"}),
    ("add clara", "requester", {"clara"}),
    ("add clara", "topic operator", {"clara", "rita"}),  # the requester learns who now sees their request
    ("remove cecilia", "requester", set()),
    ("remove cecilia", "administrator", {"rita"}),
]


def do(world, move, by):
    if move == "add clara":
        services.add_colleague(world.ticket, by=world[by], colleague=world["colleague"])
    elif move == "remove cecilia":
        services.remove_colleague(world.ticket, by=world[by], colleague=world["colleague in copy"])
    else:
        do_move(move, world, by)  # the moves of test_recipients.py


@pytest.mark.parametrize(("move", "actor", "expected"), CASES, ids=[f"{m}-{a}" for m, a, _e in CASES])
def test_the_table_of_recipients_with_a_colleague_in_copy(world, move, actor, expected):
    mail.outbox.clear()
    do(world, move, actor)
    assert set(told()) == expected


def test_the_reply_preview_names_the_colleagues_too(world):
    assert [p.email for p in recipients.preview(world.ticket, world["assignee"])] == [
        "rita@example.com", "cecilia@example.com"]
    assert [p.email for p in recipients.preview(world.ticket, world["colleague in copy"])] == [
        "ana.asignada@example.com", "rita@example.com"]


def test_a_colleague_writing_on_a_closed_request_reopens_it_like_the_requester(db):
    world = add_copies(make_world(State.CLOSED))
    outcome = services.reply(world.ticket, by=world["colleague in copy"], body="Volvió a pasar")
    assert outcome.reopened and outcome.ticket.state == State.IN_PROGRESS
    assert outcome.ticket.first_response_at is None  # a client's message is not support's first answer


def test_the_closing_email_to_a_colleague_does_not_call_the_request_theirs(world):
    mail.outbox.clear()
    services.close(world.ticket, by=world["assignee"])
    assert told()["cecilia"].startswith("Cerramos la solicitud #")
    assert told()["rita"].startswith("Cerramos tu solicitud #")
    body = next(m.body for m in mail.outbox if m.to == ["cecilia@example.com"])
    assert "de Rita Requirente, en la que estás en copia" in body


def test_a_colleague_answers_by_email_with_their_own_address(world, settings):
    settings.INBOUND_ADDRESS = "Sysmo <soporte@sysmo.example.com.ar>"
    person = world["colleague in copy"]
    mail.outbox.clear()
    services.reply(world.ticket, by=world["assignee"], body="¿Les llegó?")
    [notice] = [m for m in mail.outbox if m.to == [person.email]]
    raw = messages.build(sender=person.email, to=notice.reply_to[0], text="Sí, gracias.")
    message, _created = inbound.receive(raw)
    assert message.state == InboundMessage.State.PROCESSED, message.reason
    assert Intervention.objects.filter(ticket=world.ticket, author=person, internal=False, body="Sí, gracias.").exists()
    # Another client cannot write through Cecilia's address.
    forged = messages.build(sender=world["another client"].email, to=notice.reply_to[0], text="Hola")
    assert inbound.receive(forged)[0].state == InboundMessage.State.REFUSED


# --- Internal comments never reach a colleague in copy -----------------------------------------------------------

CANARY = "zanahoria-interna"


def test_an_internal_comment_never_reaches_a_colleague_by_any_path(world, client):
    from privacy.services import export_zip
    from tickets.tests.factories import AttachmentFactory

    person = world["colleague in copy"]
    mail.outbox.clear()
    note = services.comment_internally(world.ticket, by=world["assignee"], body=f"Ojo: {CANARY}").intervention
    hidden = AttachmentFactory(ticket=world.ticket, intervention=note, original_name=f"{CANARY}.txt",
                               uploaded_by=world["assignee"])
    assert not any(CANARY in m.body for m in mail.outbox if person.email in m.to)

    client.force_login(person)
    page = client.get(world.ticket.get_absolute_url()).content.decode()
    assert CANARY not in page
    assert client.get(reverse("tickets:download", args=[world.ticket.number, hidden.pk])).status_code == 404
    for tray in ("en_copia", "realizadas"):
        listing = client.get(reverse("tickets:inbox"), {"bandeja": tray, "q": CANARY, "estado": "todos"})
        assert listing.context["page"].items == [] and CANARY not in "".join(
            str(t.subject) for t in listing.context["page"].items)
    # Public words do find it in the «En copia» tray.
    found = client.get(reverse("tickets:inbox"), {"bandeja": "en_copia", "q": "factura"})
    assert [t.number for t in found.context["page"].items] == [world.ticket.number]
    assert CANARY.encode() not in export_zip(person)


# --- The request page ----------------------------------------------------------------------------------------------


def test_the_page_lists_who_is_in_copy_and_offers_the_company_members_to_the_requester(world, client):
    client.force_login(world["requester"])
    page = client.get(world.ticket.get_absolute_url())
    assert [c.user.full_name for c in page.context["colleagues"]] == ["Cecilia Copia"]
    assert [label for _value, label in page.context["colleague_form"].fields["colleague"].choices] == [
        "Clara Colega", "Ramiro Removido"]
    section = page.content.decode().split('id="en-copia"')[1].split("</section>")[0]
    assert 'aria-label="Quitar a Cecilia Copia de la copia"' in section
    assert 'aria-label="Quitar a Ramiro Removido de la copia"' not in section


def test_a_colleague_in_copy_sees_the_list_but_no_add_or_remove(world, client):
    client.force_login(world["colleague in copy"])
    page = client.get(world.ticket.get_absolute_url())
    assert page.context["actions"]["manage_colleagues"] is False
    assert "colleague_form" not in page.context
    html = page.content.decode()
    assert reverse("tickets:add_colleague", args=[world.ticket.number]) not in html
    assert reverse("tickets:remove_colleague", args=[world.ticket.number]) not in html
    assert page.context["actions"]["reply"] and not page.context["actions"]["resolve"]


def test_adding_through_the_page(world, client):
    client.force_login(world["requester"])
    response = client.post(reverse("tickets:add_colleague", args=[world.ticket.number]),
                           {"colleague": world["colleague"].pk}, follow=True)
    assert "Agregaste a Clara Colega en copia" in response.content.decode()
    assert in_copy(world) == {"cecilia@example.com", "clara@example.com"}


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_a_bad_choice_is_explained_and_changes_nothing(world, client, value):
    client.force_login(world["requester"])
    response = client.post(reverse("tickets:add_colleague", args=[world.ticket.number]), {"colleague": value},
                           follow=True)
    assert "Elegí un colega de la lista." in response.content.decode()
    assert in_copy(world) == {"cecilia@example.com"}


def test_a_client_of_another_company_cannot_be_chosen_by_id(world, client):
    outsider = _other_company(world)
    client.force_login(world["assignee"])
    response = client.post(reverse("tickets:add_colleague", args=[world.ticket.number]), {"colleague": outsider.pk},
                           follow=True)
    assert "Elegí un colega de la lista." in response.content.decode()
    assert in_copy(world) == {"cecilia@example.com"}


# --- The new URLs from the wrong side ----------------------------------------------------------------------------


def _pending_member_in_copy(world):
    """A member pending confirmation put in copy by a (wrong) direct write: the rule still refuses them."""
    person = _pending(world)
    Colleague.objects.create(ticket=world.ticket, user=person, added_by=world["requester"])
    return person


WRONG_SIDE = {
    "a client of another company": lambda w: w["another client"],
    "a member not in copy": lambda w: w["colleague"],
    "a member pending confirmation": _pending_member_in_copy,
    "an operator of another topic": lambda w: w["other operator"],
    "the colleague in copy": lambda w: w["colleague in copy"],
    "a removed colleague": lambda w: w["removed colleague"],
}


@pytest.mark.parametrize("url_name", ["add_colleague", "remove_colleague"])
@pytest.mark.parametrize("who", [*WRONG_SIDE, "anonymous"])
def test_the_new_urls_from_the_wrong_side(world, client, url_name, who):
    if who != "anonymous":
        client.force_login(WRONG_SIDE[who](world))
    before = (in_copy(world), Event.objects.count(), len(mail.outbox))
    data = {"colleague": (world["colleague"] if url_name == "add_colleague" else world["colleague in copy"]).pk}
    response = client.post(reverse(f"tickets:{url_name}", args=[world.ticket.number]), data)
    if who == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 404
    assert (in_copy(world), Event.objects.count(), len(mail.outbox)) == before


def test_a_pending_member_left_in_copy_sees_nothing(world, client):
    person = _pending_member_in_copy(world)
    client.force_login(person)
    assert client.get(world.ticket.get_absolute_url()).status_code == 404
    assert [tray.key for tray in selectors.trays_for(person)] == ["realizadas"]


# --- The «En copia» tray ---------------------------------------------------------------------------------------


def test_the_in_copy_tray_counts_exactly_what_it_lists_and_follows_each_change(world, client):
    person = world["colleague in copy"]
    other = make_world(suffix="-2")
    User.objects.filter(pk=other["requester"].pk).update(company=person.company)
    Ticket.objects.filter(pk=other.ticket.pk).update(company=person.company)
    services.add_colleague(Ticket.objects.get(pk=other.ticket.pk), by=other["assignee"], colleague=person)
    client.force_login(person)

    def tray():
        response = client.get(reverse("tickets:inbox"), {"bandeja": "en_copia"})
        [copied] = [t for t in response.context["trays"] if t.key == "en_copia"]
        return copied.count, sorted(t.number for t in response.context["page"].items), response

    count, listed, response = tray()
    assert count == len(listed) == 2
    assert response.context["tray"].key == "en_copia"  # lands there: nothing of their own is open
    assert response.content.decode().count('class="ticket-in-copy"') == 2
    services.close(world.ticket, by=world["assignee"])
    assert tray()[:2] == (1, [other.ticket.number])
    services.remove_colleague(other.ticket, by=other["assignee"], colleague=person)
    assert tray()[:2] == (0, [])
    # Still in copy on the closed one: the tab stays, its closed requests a filter away.
    closed = client.get(reverse("tickets:inbox"), {"bandeja": "en_copia", "estado": "cerrado"})
    assert [t.number for t in closed.context["page"].items] == [world.ticket.number]


def test_the_requesters_own_tray_is_unchanged(world, client):
    client.force_login(world["requester"])
    response = client.get(reverse("tickets:inbox"))
    assert [t.key for t in response.context["trays"]] == ["realizadas"]
    assert [t.number for t in response.context["page"].items] == [world.ticket.number]


def test_the_in_copy_tray_costs_a_fixed_number_of_queries(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets.tests.factories import TicketFactory

    world = add_copies(make_world())
    person, requester = world["colleague in copy"], world["requester"]

    def more(count):
        for _n in range(count):
            ticket = TicketFactory(topic=world.topic, requester=requester, state=State.IN_PROGRESS,
                                   assignee=world["assignee"], taken_at=timezone.now())
            Colleague.objects.create(ticket=ticket, user=person, added_by=requester)

    more(30)
    client.force_login(person)
    for query in ({"bandeja": "en_copia"}, {"bandeja": "realizadas"}, {"bandeja": "en_copia", "q": "prueba"}):
        with CaptureQueriesContext(connection) as fewer:
            assert client.get(reverse("tickets:inbox"), query).status_code == 200
        # A client's budget of test_trays.py: the «En copia» tab costs one query of it.
        assert len(fewer) <= 7, [q["sql"] for q in fewer.captured_queries]
        more(30)
        with django_assert_num_queries(len(fewer)):
            client.get(reverse("tickets:inbox"), query)


def test_the_request_page_costs_the_same_with_more_colleagues(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = add_copies(make_world())
    client.force_login(world["requester"])
    with CaptureQueriesContext(connection) as fewer:
        client.get(world.ticket.get_absolute_url())
    for n in range(5):
        person = verified(ClientFactory(full_name=f"Colega {n}", company=world["requester"].company))
        services.add_colleague(world.ticket, by=world["requester"], colleague=person)
    with django_assert_num_queries(len(fewer)):
        client.get(world.ticket.get_absolute_url())
