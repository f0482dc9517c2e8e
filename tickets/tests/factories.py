import factory
from django.utils import timezone

from accounts.tests.factories import ClientFactory
from tickets.models import Attachment, Event, EventKind, Intervention, State, Ticket
from topics.tests.factories import TopicFactory


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    topic = factory.SubFactory(TopicFactory)
    subject = factory.Sequence(lambda n: f"Solicitud de prueba {n}")
    description = "No funciona la impresora de la oficina."
    requester = factory.SubFactory(ClientFactory)
    company = factory.LazyAttribute(lambda t: t.requester.company)
    state = State.NEW
    last_activity_at = factory.LazyFunction(timezone.now)
    public_activity_at = factory.SelfAttribute("last_activity_at")  # no internal activity unless a test says so


class InProgressTicketFactory(TicketFactory):
    state = State.IN_PROGRESS
    taken_at = factory.LazyFunction(timezone.now)


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    ticket = factory.SubFactory(TicketFactory)
    author = factory.LazyAttribute(lambda i: i.ticket.requester)
    body = "Gracias, quedo atento."
    internal = False


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    ticket = factory.SubFactory(TicketFactory)
    intervention = None
    file = factory.django.FileField(data=b"contenido", filename="nota.txt")
    original_name = "nota.txt"
    size = 9
    content_type = "text/plain"
    uploaded_by = factory.LazyAttribute(lambda a: a.ticket.requester)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    ticket = factory.SubFactory(TicketFactory)
    actor = factory.LazyAttribute(lambda e: e.ticket.requester)
    kind = EventKind.CREATED
