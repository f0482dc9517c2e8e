"""tickets.services: each change of a request, its Event, its last activity and its emails."""

import uuid

import pytest
from django.core import mail

from accounts.tests.factories import ClientFactory, OperatorFactory
from tickets import services
from tickets.models import Attachment, Event, EventKind, Intervention, PendingUpload, State, Ticket
from tickets.tests.conftest import checked, png, text_file
from tickets.tests.factories import InterventionFactory
from tickets.tests.history import assert_consistent_history
from topics.tests.factories import TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def events(ticket):
    return list(Event.objects.filter(ticket=ticket).order_by("at", "id").values_list("kind", "before", "after"))


# --- create --------------------------------------------------------------------------------------


def test_create_files_the_request_with_its_event_files_and_emails(world):
    requester = world["requester"]
    second_operator = OperatorFactory(email="segundo@example.com", language="en")
    world.topic.operators.add(second_operator)
    OperatorFactory(email="inactivo@example.com", is_active=False).topics.add(world.topic)

    ticket, created = services.create(by=requester, topic=world.topic, subject="Sin luz", description="Se cortó.",
                                      files=[checked(png())])

    assert created
    assert (ticket.state, ticket.requester, ticket.company, ticket.assignee) == (
        State.NEW, requester, requester.company, None)
    assert events(ticket) == [(EventKind.CREATED, "", "")]
    assert ticket.last_activity_at == ticket.created_at
    attachment = Attachment.objects.get(ticket=ticket)
    assert (attachment.intervention, attachment.original_name, attachment.content_type) == (
        None, "captura.png", "image/png")
    assert recipients() == ["ana.asignada@example.com", "olga@example.com", "rita@example.com", "segundo@example.com"]
    receipt = next(m for m in mail.outbox if m.to == ["rita@example.com"])
    assert f"Recibimos tu solicitud #{ticket.number}" in receipt.subject
    assert f"/solicitudes/{ticket.number}/" in receipt.body
    english = next(m for m in mail.outbox if m.to == ["segundo@example.com"])
    assert english.extra_headers["Content-Language"] == "en"
    assert_consistent_history(Ticket.objects.filter(pk=ticket.pk))


def test_the_same_form_sent_twice_files_one_request(world):
    key = uuid.uuid4()
    first, created = services.create(by=world["requester"], topic=world.topic, subject="A", description="B",
                                     submission_key=key)
    again, created_again = services.create(by=world["requester"], topic=world.topic, subject="A", description="B",
                                           submission_key=key)
    assert (created, created_again, again) == (True, False, first)
    assert Ticket.objects.filter(requester=world["requester"]).count() == 2  # the world's one and this one


def test_an_inactive_topic_takes_no_new_requests(world):
    world.topic.is_active = False
    world.topic.save()
    with pytest.raises(services.Refused):
        services.create(by=world["requester"], topic=world.topic, subject="A", description="B")


def test_files_kept_from_an_earlier_try_become_attachments_without_a_copy(world):
    from tickets import uploads

    key = uuid.uuid4()
    [pending] = uploads.keep(world["requester"], key, [checked(text_file("log.txt"))])
    stored_name = pending.file.name

    ticket, _ = services.create(by=world["requester"], topic=world.topic, subject="A", description="B",
                                pending=[pending], submission_key=key)

    attachment = Attachment.objects.get(ticket=ticket)
    assert (attachment.file.name, attachment.original_name, attachment.content_type) == (
        stored_name, "log.txt", "text/plain")
    assert not PendingUpload.objects.exists()


def test_a_failed_create_leaves_no_file_behind(world, private_storage, monkeypatch):
    monkeypatch.setattr(services.notifications, "send", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.create(by=world["requester"], topic=world.topic, subject="A", description="B",
                        files=[checked(png())])
    assert not Attachment.objects.exists()
    assert not [path for path in private_storage.rglob("*") if path.is_file()]


# --- reply and internal comments ----------------------------------------------------------------


def test_a_client_reply_goes_to_the_assignee_only(world):
    services.reply(world.ticket, by=world["requester"], body="¿Novedades?")
    assert recipients() == ["ana.asignada@example.com"]
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    intervention = Intervention.objects.get(ticket=ticket)
    assert ticket.last_activity_at == intervention.created_at


def test_a_client_reply_on_an_unassigned_request_goes_to_the_topic_operators(new_world):
    world = new_world
    world.topic.operators.add(world["administrator"])
    services.reply(world.ticket, by=world["requester"], body="¿Novedades?")
    assert recipients() == ["adela@example.com", "ana.asignada@example.com", "olga@example.com"]


def test_an_operator_reply_goes_to_the_client_and_the_assignee_never_its_author(world):
    services.reply(world.ticket, by=world["topic operator"], body="Lo estamos viendo.", files=[checked(png())])
    assert recipients() == ["ana.asignada@example.com", "rita@example.com"]
    to_client = next(m for m in mail.outbox if m.to == ["rita@example.com"])
    assert "Lo estamos viendo." in to_client.body and "captura.png" in to_client.body
    mail.outbox.clear()
    services.reply(world.ticket, by=world["assignee"], body="Listo.")
    assert recipients() == ["rita@example.com"]


def test_an_internal_comment_reaches_the_assignee_and_involved_operators_never_the_client(world):
    InterventionFactory(ticket=world.ticket, author=world["topic operator"], body="Hola")
    InterventionFactory(ticket=world.ticket, author=world["other operator"], body="Lo miro")  # not of the topic
    services.comment_internally(world.ticket, by=world["administrator"], body="Ojo con este cliente.")
    assert recipients() == ["ana.asignada@example.com", "olga@example.com"]
    assert all("Ojo con este cliente" in m.body for m in mail.outbox)


def test_a_client_may_not_comment_internally(world):
    with pytest.raises(services.NotFound):
        services.comment_internally(world.ticket, by=world["requester"], body="¿Y esto?")
    assert not Intervention.objects.exists()


def test_the_requester_writing_on_a_closed_request_reopens_it(world):
    services.close(world.ticket, by=world["assignee"])
    mail.outbox.clear()
    services.reply(world.ticket, by=world["requester"], body="Sigue fallando.")
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    assert (ticket.state, ticket.closed_at, ticket.closed_by, ticket.assignee) == (
        State.IN_PROGRESS, None, None, world["assignee"])
    assert events(ticket)[-1] == (EventKind.REOPENED, State.CLOSED, State.IN_PROGRESS)
    assert recipients() == ["ana.asignada@example.com"]
    assert "se reabrió" in mail.outbox[0].body


def test_an_operator_writing_on_a_closed_request_leaves_it_closed(world):
    services.close(world.ticket, by=world["assignee"])
    services.reply(world.ticket, by=world["assignee"], body="Un dato más.")
    assert Ticket.objects.get(pk=world.ticket.pk).state == State.CLOSED


# --- moves ---------------------------------------------------------------------------------------


def test_take_moves_a_new_request_to_in_progress(new_world):
    world = new_world
    ticket = services.take(world.ticket, by=world["topic operator"]).ticket
    assert (ticket.state, ticket.assignee) == (State.IN_PROGRESS, world["topic operator"])
    assert ticket.taken_at == ticket.last_activity_at
    assert events(ticket)[-1] == (EventKind.TAKEN, "", "Olga Operadora")


def test_the_second_taker_is_told_who_took_it(new_world):
    world = new_world
    services.take(world.ticket, by=world["topic operator"])
    with pytest.raises(services.AlreadyTaken) as refused:
        services.take(world.ticket, by=world["administrator"])
    assert str(refused.value) == "Olga Operadora ya tomó esta solicitud."
    assert Event.objects.filter(ticket=world.ticket, kind=EventKind.TAKEN).count() == 1


@pytest.mark.parametrize("who", ["requester", "colleague", "other operator", "another client"])
def test_only_those_who_work_on_it_may_take_it(new_world, who):
    with pytest.raises(services.NotFound):
        services.take(new_world.ticket, by=new_world[who])
    assert Ticket.objects.get(pk=new_world.ticket.pk).state == State.NEW


def test_assign_a_new_request_to_an_operator_of_the_topic(new_world):
    world = new_world
    colleague = OperatorFactory(full_name="Pablo Par", email="pablo@example.com")
    world.topic.operators.add(colleague)
    ticket = services.assign(world.ticket, by=world["topic operator"], assignee=colleague).ticket
    assert (ticket.state, ticket.assignee) == (State.IN_PROGRESS, colleague)
    assert ticket.taken_at is not None
    assert events(ticket)[-1] == (EventKind.ASSIGNED, "", "Pablo Par")
    assert recipients() == ["pablo@example.com"]


def test_reassigning_keeps_the_previous_name_in_the_history(world):
    ticket = services.assign(world.ticket, by=world["administrator"], assignee=world["topic operator"]).ticket
    assert events(ticket)[-1] == (EventKind.ASSIGNED, "Ana Asignada", "Olga Operadora")


def test_assigning_to_someone_outside_the_topic_is_refused(world):
    with pytest.raises(services.Refused, match="no atiende"):
        services.assign(world.ticket, by=world["administrator"], assignee=world["other operator"])
    assert Ticket.objects.get(pk=world.ticket.pk).assignee == world["assignee"]


def test_change_topic_tells_the_new_topics_operators(world):
    ticket = services.change_topic(world.ticket, by=world["topic operator"], topic=world.other_topic).ticket
    assert ticket.topic == world.other_topic
    assert events(ticket)[-2:] == [(EventKind.TOPIC_CHANGED, "Facturación", "Reclamos"),
                                   (EventKind.RELEASED, "Ana Asignada", State.NEW)]  # Ana does not work «Reclamos»
    assert (ticket.state, ticket.assignee) == (State.NEW, None)
    assert recipients() == ["omar@example.com"]
    assert "pasó esta solicitud" in mail.outbox[0].body


def test_change_topic_to_an_inactive_topic_is_refused(world):
    closed_topic = TopicFactory(name="Vieja", is_active=False)
    with pytest.raises(services.Refused):
        services.change_topic(world.ticket, by=world["topic operator"], topic=closed_topic)


def test_close_with_a_message_sends_it_to_the_client(world):
    ticket = services.close(world.ticket, by=world["assignee"], message="Emitimos la nota de crédito.").ticket
    assert (ticket.state, ticket.closed_by) == (State.CLOSED, world["assignee"])
    assert ticket.closed_at == ticket.last_activity_at
    assert Intervention.objects.get(ticket=ticket).body == "Emitimos la nota de crédito."
    assert events(ticket)[-1] == (EventKind.CLOSED, State.IN_PROGRESS, State.CLOSED)
    assert recipients() == ["rita@example.com"]
    assert "Emitimos la nota de crédito." in mail.outbox[0].body


def test_closing_a_new_request_takes_it_on_the_way(new_world):
    operator = new_world["topic operator"]
    outcome = services.close(new_world.ticket, by=operator, message="Ya está resuelto.")
    ticket = Ticket.objects.get(pk=new_world.ticket.pk)
    assert outcome.taken and (ticket.state, ticket.assignee, ticket.closed_by) == (State.CLOSED, operator, operator)
    assert [kind for kind, _before, _after in events(ticket)] == [EventKind.TAKEN, EventKind.CLOSED]


def test_a_closed_request_cannot_be_closed_again_and_nothing_changes(world):
    services.close(world.ticket, by=world["assignee"])
    before = Event.objects.count()
    with pytest.raises(services.Refused, match="ya está cerrada"):
        services.close(world.ticket, by=world["topic operator"])
    assert Event.objects.count() == before


def test_reopen_a_closed_request(world):
    services.close(world.ticket, by=world["assignee"])
    ticket = services.reopen(world.ticket, by=world["topic operator"]).ticket
    assert (ticket.state, ticket.closed_at, ticket.assignee) == (State.IN_PROGRESS, None, world["assignee"])
    assert events(ticket)[-1] == (EventKind.REOPENED, State.CLOSED, State.IN_PROGRESS)


def test_reopening_an_open_request_is_refused(world):
    with pytest.raises(services.Refused, match="Solo se puede reabrir"):
        services.reopen(world.ticket, by=world["topic operator"])


def test_a_client_may_file_and_an_operator_may_file_on_their_own_behalf(db):
    operator = OperatorFactory()
    topic = TopicFactory(operators=[OperatorFactory()])
    ticket, _ = services.create(by=operator, topic=topic, subject="Mi notebook", description="No prende.")
    assert (ticket.requester, ticket.company) == (operator, None)
    client = ClientFactory()
    ticket, _ = services.create(by=client, topic=topic, subject="A", description="B")
    assert ticket.company == client.company


def test_a_whole_life_leaves_a_consistent_history(new_world):
    world = new_world
    ticket, _ = services.create(by=world["requester"], topic=world.topic, subject="A", description="B")
    services.take(ticket, by=world["topic operator"])
    services.comment_internally(ticket, by=world["topic operator"], body="Interno")
    services.reply(ticket, by=world["topic operator"], body="Público")
    services.close(ticket, by=world["topic operator"], message="Listo")
    services.reply(ticket, by=world["requester"], body="Otra vez")
    services.close(ticket, by=world["topic operator"])
    assert_consistent_history(Ticket.objects.filter(pk=ticket.pk))
