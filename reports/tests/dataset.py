"""A small week of requests whose report figures are worked out by hand in the tests.

Local time is Buenos Aires (UTC−3). The period is 01/03/2026–07/03/2026, the comparison period the
week before, 22/02/2026–28/02/2026.

| #   | topic       | received    | closed      | by     | resolution  | notes                                  |
|-----|-------------|-------------|-------------|--------|-------------|----------------------------------------|
| T1  | Soporte     | 02/03 09:00 | 02/03 13:00 | Martín | 4 h         |                                        |
| T2  | Soporte     | 02/03 23:30 | 03/03 23:45 | Martín | 24 h 15 min | late evening: 03/03 in UTC             |
| T3  | Facturación | 04/03 10:00 | 06/03 10:00 | Sofía  | 48 h        | closed 04/03, reopened 05/03, closed   |
| T4  | Facturación | 05/03 08:00 | —           |        |             | in progress                            |
| T5  | Soporte     | 28/02 22:00 | 01/03 10:00 | Martín | 12 h        | received in the comparison week        |
| T6  | Soporte     | 07/03 23:59 | —           |        |             | new; 08/03 in UTC                      |
| T7  | Facturación | 25/02 10:00 | —           |        |             | closed 26/02, reopened 03/03, open     |
| T8  | Soporte     | 28/02 23:30 | 02/03 11:30 | Laura  | 36 h        | assigned to Martín, closed by an admin |
| T9  | Soporte     | 23/02 09:00 | 24/02 09:00 | Martín | 24 h        |                                        |
| T10 | Soporte     | 20/02 10:00 | 21/02 10:00 | Martín | 24 h        | before both periods                    |
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory
from reports import summary
from reports.metrics import Period
from tickets.models import EventKind, State
from tickets.tests.factories import EventFactory, TicketFactory
from topics.tests.factories import TopicFactory

BA = ZoneInfo("America/Argentina/Buenos_Aires")
PERIOD = Period(date(2026, 3, 1), date(2026, 3, 7))
COMPARISON = Period(date(2026, 2, 22), date(2026, 2, 28))


def local(day, month, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=BA)


@dataclass
class Week:
    admin: object
    martin: object
    sofia: object
    soporte: object
    facturacion: object
    tickets: dict


def build_week():
    admin = AdminFactory(full_name="Laura Fernández")
    martin = OperatorFactory(full_name="Martín Gómez")
    sofia = OperatorFactory(full_name="Sofía Romero")
    soporte = TopicFactory(name="Soporte técnico", operators=[martin])
    facturacion = TopicFactory(name="Facturación", operators=[sofia])
    client = ClientFactory(full_name="Ana Martínez")

    def ticket(topic, created, closed=None, by=None, assignee=None, state=None):
        state = state or (State.CLOSED if closed else State.IN_PROGRESS if assignee else State.NEW)
        return TicketFactory(
            topic=topic, requester=client, assignee=assignee, state=state, created_at=created,
            taken_at=created if assignee else None, closed_at=closed, closed_by=by,
            last_activity_at=closed or created,
        )

    tickets = {
        "T1": ticket(soporte, local(2, 3, 9), local(2, 3, 13), martin, martin),
        "T2": ticket(soporte, local(2, 3, 23, 30), local(3, 3, 23, 45), martin, martin),
        "T3": ticket(facturacion, local(4, 3, 10), local(6, 3, 10), sofia, sofia),
        "T4": ticket(facturacion, local(5, 3, 8), assignee=sofia),
        "T5": ticket(soporte, local(28, 2, 22), local(1, 3, 10), martin, martin),
        "T6": ticket(soporte, local(7, 3, 23, 59)),
        "T7": ticket(facturacion, local(25, 2, 10), assignee=sofia),
        "T8": ticket(soporte, local(28, 2, 23, 30), local(2, 3, 11, 30), admin, martin),
        "T9": ticket(soporte, local(23, 2, 9), local(24, 2, 9), martin, martin),
        "T10": ticket(soporte, local(20, 2, 10), local(21, 2, 10), martin, martin),
    }
    # The reopened requests' history, as tickets.services writes it: the first close is only an event.
    reopens = (("T3", local(4, 3, 12), local(5, 3, 9)), ("T7", local(26, 2, 10), local(3, 3, 11)))
    for number, closed, reopened in reopens:
        ticket_ = tickets[number]
        EventFactory(ticket=ticket_, actor=ticket_.assignee, kind=EventKind.CLOSED, at=closed,
                     before=State.IN_PROGRESS, after=State.CLOSED)
        EventFactory(ticket=ticket_, actor=client, kind=EventKind.REOPENED, at=reopened,
                     before=State.CLOSED, after=State.IN_PROGRESS)
    EventFactory(ticket=tickets["T3"], actor=sofia, kind=EventKind.CLOSED, at=local(6, 3, 10),
                 before=State.IN_PROGRESS, after=State.CLOSED)
    summary.rebuild()  # written around the services, as `generate_tickets` does
    return Week(admin, martin, sofia, soporte, facturacion, tickets)

WEEK_QUERY = {"desde": "01/03/2026", "hasta": "07/03/2026"}
