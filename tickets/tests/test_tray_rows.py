"""What a tray's row and a request's page write, now that the badges and times are template tags and the rows
are read with only the columns they show (issue 19): the same markup as the includes and filters wrote, in
either language, and no row ever goes back to the database for a column it was not given."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Model
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazystr

from accounts.models import User
from tickets import news, services, tray_counts
from tickets.filters import ORDERINGS
from tickets.models import Priority, State
from tickets.tests.conftest import make_world
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
INBOX = reverse("tickets:inbox")


@pytest.fixture(autouse=True)
def spanish():
    """The tags render in the active language: Spanish unless a test says otherwise, whatever ran before."""
    with translation.override("es-ar"):
        yield


def render(source, **context):
    return Template("{% load inbox people %}" + source).render(Context(context))


@pytest.mark.parametrize(("fields", "expected"), [
    ({"state": State.NEW}, '<span class="badge-state badge-state-new">Nuevo</span>'),
    ({"state": State.IN_PROGRESS}, '<span class="badge-state badge-state-in_progress">En proceso</span>'),
    ({"state": State.IN_PROGRESS, "waiting_since": datetime(2026, 3, 1, tzinfo=UTC)},
     '<span class="badge-state badge-state-in_progress">En proceso</span> '
     '<span class="badge-waiting">Esperando al cliente</span>'),
    # A closed request no longer waits, whatever the column says.
    ({"state": State.CLOSED, "waiting_since": datetime(2026, 3, 1, tzinfo=UTC)},
     '<span class="badge-state badge-state-closed">Cerrado</span>'),
])
def test_the_state_badge(fields, expected):
    from tickets.models import Ticket

    assert render("{% state_badge ticket %}", ticket=Ticket(**fields)) == expected


def test_the_badges_follow_the_language():
    from tickets.models import Ticket

    ticket = Ticket(state=State.IN_PROGRESS, priority=Priority.URGENT, waiting_since=timezone.now())
    with translation.override("en"):
        html = render("{% state_badge ticket %} {% priority_badge ticket %}", ticket=ticket)
    assert html == ('<span class="badge-state badge-state-in_progress">In progress</span> '
                    '<span class="badge-waiting">Waiting for the client</span> '
                    '<span class="badge-priority badge-priority-4">Urgent</span>')


@pytest.mark.parametrize(("priority", "label"), [(Priority.LOW, "Baja"), (Priority.NORMAL, "Normal"),
                                                 (Priority.HIGH, "Alta"), (Priority.URGENT, "Urgente")])
def test_the_priority_badge(priority, label):
    from tickets.models import Ticket

    assert render("{% priority_badge ticket %}", ticket=Ticket(priority=priority)) == (
        f'<span class="badge-priority badge-priority-{priority}">{label}</span>')


@pytest.mark.parametrize(("at", "css", "expected"), [
    # Buenos Aires is UTC-3 all year: the local day may be the previous one.
    (datetime(2026, 3, 2, 1, 30, tzinfo=UTC), "ticket-when",
     '<time class="ticket-when" datetime="2026-03-01T22:30:00-03:00">01/03/2026 22:30</time>'),
    (datetime(2026, 12, 31, 23, 59, 59, 123456, tzinfo=UTC), "",
     '<time datetime="2026-12-31T20:59:59.123456-03:00">31/12/2026 20:59</time>'),
])
def test_the_activity_time_is_local_and_as_the_date_filter_wrote_it(at, css, expected):
    from tickets.models import Ticket

    ticket = Ticket(last_activity_at=at, public_activity_at=at)
    staff, client = User(role="operator"), User(role="client")
    tag = '{% activity_time ticket user "' + css + '" %}' if css else "{% activity_time ticket user %}"
    for user in (staff, client):
        assert render(tag, ticket=ticket, user=user) == expected
    # What the date filter writes, for the same instant.
    filtered = render("{{ when|date:'c' }} {{ when|date:'d/m/Y H:i' }}", when=at)
    assert filtered in expected.replace('">', " ").replace("</time>", "")


def test_clients_see_the_time_of_the_activity_they_may_see():
    from tickets.models import Ticket

    ticket = Ticket(last_activity_at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
                    public_activity_at=datetime(2026, 3, 1, 15, 0, tzinfo=UTC))
    html = {role: render("{% activity_time ticket user %}", ticket=ticket, user=User(role=role))
            for role in ("client", "operator", "admin")}
    assert "01/03/2026 12:00" in html["client"]
    assert "02/03/2026 12:00" in html["operator"] and "02/03/2026 12:00" in html["admin"]


@pytest.mark.parametrize(("fields", "role", "expected"), [
    ({"state": State.NEW}, "operator", '<span class="ticket-waits ticket-waits-unassigned">Sin asignar</span>'),
    ({"state": State.NEW}, "admin", '<span class="ticket-waits ticket-waits-unassigned">Sin asignar</span>'),
    # Clients are not told nobody holds it yet: support has the next step.
    ({"state": State.NEW}, "client",
     '<span class="ticket-waits ticket-waits-support">Espera respuesta de soporte</span>'),
    ({"state": State.IN_PROGRESS, "assignee_id": 1}, "client",
     '<span class="ticket-waits ticket-waits-support">Espera respuesta de soporte</span>'),
    ({"state": State.IN_PROGRESS, "assignee_id": 1, "waiting_since": datetime(2026, 3, 1, tzinfo=UTC)}, "operator",
     '<span class="ticket-waits ticket-waits-client">Esperando al cliente</span>'),
    ({"state": State.CLOSED, "assignee_id": 1}, "operator", ""),
    ({"state": State.CLOSED}, "client", ""),
])
def test_whom_the_request_waits_on(fields, role, expected):
    from tickets.models import Ticket

    assert render("{% waits_on ticket user %}", ticket=Ticket(**fields), user=User(role=role)) == expected


@pytest.mark.parametrize(("company", "confirmed", "expected"), [
    (None, False, ""),
    (1, True, ""),
    (1, False, ' <span class="badge-soft badge-soft-warning">sin confirmar</span>'),
])
def test_the_membership_badge(company, confirmed, expected):
    person = User(company_id=company, company_confirmed=confirmed)
    assert render("{% membership_badge person %}", person=person) == expected


@pytest.mark.parametrize(("options", "current", "expected"), [
    ([(1, "Ana"), (2, "Beto")], 2, '<option value="1">Ana</option><option value="2" selected>Beto</option>'),
    ([(1, "Ana"), (2, "Beto")], "1", '<option value="1" selected>Ana</option><option value="2">Beto</option>'),
    ([("", lazystr("Todas")), (3, "Facturación")], None,
     '<option value="" selected>Todas</option><option value="3">Facturación</option>'),
    ([("nadie", "Sin asignar"), (7, 'O\'Brien <b>"&"</b>')], "nadie",
     '<option value="nadie" selected>Sin asignar</option>'
     '<option value="7">O&#x27;Brien &lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;</option>'),
    ([("a b", "con espacios"), ("ñ", "Año")], "ñ",
     '<option value="a b">con espacios</option><option value="ñ" selected>Año</option>'),
])
def test_select_options(options, current, expected):
    assert render("{% select_options options current %}", options=options, current=current) == expected


def test_select_options_escape_as_django_does():
    from django.utils.html import escape

    label = "<script>alert('x')</script> & \"Ñandú\""
    assert render("{% select_options options '' %}", options=[(label, label)]) == (
        f'<option value="{escape(label)}">{escape(label)}</option>')


@pytest.fixture
def busy_world():
    """The world's request with everything a row shows: waiting on the client, urgent, an SLA deadline, a
    requester whose membership is pending, news for its assignee; and 30 more requests, so lists have pages."""
    world = make_world()
    requester = world["requester"]
    User.objects.filter(pk=requester.pk).update(company_confirmed=False)
    now = timezone.now()
    ticket = world.ticket
    type(ticket).objects.filter(pk=ticket.pk).update(
        priority=Priority.URGENT, waiting_since=now, sla_due_at=now + timedelta(hours=5),
        last_activity_at=now + timedelta(minutes=2), public_activity_at=now + timedelta(minutes=1))
    for index in range(30):
        TicketFactory(topic=world.topic, requester=requester, state=State.IN_PROGRESS, assignee=world["assignee"],
                      priority=index % 4 + 1, last_activity_at=now - timedelta(minutes=index),
                      sla_due_at=now + timedelta(hours=index) if index % 2 else None)
    tray_counts.rebuild()
    ticket.refresh_from_db()
    news.opened(world["assignee"], ticket)
    services.comment_internally(ticket, by=world["topic operator"], body="Lo miro yo.")
    return world


def row_of(html, number):
    start = html.index(f'<span class="ticket-number">#{number}</span>')
    return html[start:html.index("</tr>", start)]


def test_a_row_writes_what_it_wrote_before(client, busy_world):
    ticket = busy_world.ticket
    ticket.refresh_from_db()
    local = timezone.localtime(ticket.last_activity_at)
    public = timezone.localtime(ticket.public_activity_at)
    expected = {
        "assignee": ("asignadas", local, True),
        "administrator": ("todas", local, True),
        "requester": ("realizadas", public, False),
    }
    for who, (tray, when, staff) in expected.items():
        client.force_login(busy_world[who])
        row = row_of(client.get(INBOX, {"bandeja": tray}).content.decode(), ticket.number)
        assert f'<a class="ticket-subject" href="/solicitudes/{ticket.number}/">Factura duplicada</a>' in row
        assert ('<span class="badge-state badge-state-in_progress">En proceso</span> '
                '<span class="badge-waiting">Esperando al cliente</span>') in row, who
        assert (' <span class="badge-priority badge-priority-4">Urgente</span>' in row) == staff, who
        assert ('<span class="sla-badge sla-badge-paused"' in row) == staff, who
        assert ('Panadería La Espiga S.R.L. <span class="badge-soft badge-soft-warning">sin confirmar</span>'
                in row) == staff, who
        assert "Rita Requirente" in row and '<span class="ticket-person">Ana Asignada</span>' in row
        assert (f'<time class="ticket-when" datetime="{when.isoformat()}">{when.strftime("%d/%m/%Y %H:%M")}</time>'
                in row), who
        assert ('<span class="news-chip news-chip-internal">Comentario interno nuevo</span>' in row) == (
            who == "assignee"), who


def test_a_row_reads_no_column_it_was_not_given(client, busy_world, monkeypatch):
    """The list's rows are read with tickets.selectors.ROW_FIELDS only: were a template or a helper to read
    another column, each row would cost one more query (Django loads a deferred column on first use)."""

    def refuse(instance, *args, fields=None, **kwargs):
        raise AssertionError(f"{type(instance).__name__}.{fields} was not read with the row")

    monkeypatch.setattr(Model, "refresh_from_db", refuse)
    for who in ("assignee", "administrator", "requester", "topic operator"):
        client.force_login(busy_world[who])
        for order in ORDERINGS:
            for state in ("abiertas", "todos"):
                page = client.get(INBOX, {"orden": order, "estado": state})
                assert page.status_code == 200
                following = page.context["links"].next
                if following:  # the cursor is built from the row's ordering keys
                    assert client.get(following).status_code == 200, (who, order)
                    assert client.get(client.get(following).context["links"].previous).status_code == 200


def test_the_request_page_writes_the_badges_as_before(client, busy_world):
    ticket = busy_world.ticket
    ticket.refresh_from_db()
    client.force_login(busy_world["assignee"])
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert ('<div class="ticket-header-meta">\n      <span class="badge-state badge-state-in_progress">En proceso'
            '</span> <span class="badge-waiting">Esperando al cliente</span>') in html
    assert '<dd><span class="badge-priority badge-priority-4">Urgente</span></dd>' in html
    assert ('Panadería La Espiga S.R.L. <span class="badge-soft badge-soft-warning">sin confirmar</span><br>'
            in html)
    when = timezone.localtime(ticket.last_activity_at)
    assert f'<dd><time datetime="{when.isoformat()}">{when.strftime("%d/%m/%Y %H:%M")}</time></dd>' in html
    client.force_login(busy_world["requester"])
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "badge-priority" not in html and "sin confirmar" not in html


class Named:
    def __init__(self, pk, name):
        self.pk, self.name = pk, name

    def __str__(self):
        return self.name


def _pick_forms():
    from tickets.forms import AssignForm, ColleagueForm, PriorityForm, TopicForm

    named = [Named(3, "Ana <Asignada>"), Named(11, "Ñoño O'Brien")]
    return [
        ("assignee", AssignForm(objects=named, current=11)),
        ("assignee", AssignForm(objects=named)),
        ("assignee", AssignForm({"assignee": "99"}, objects=named)),  # refused: Django marks it invalid
        ("topic", TopicForm(objects=named)),
        ("colleague", ColleagueForm(objects=named[:1])),
        ("priority", PriorityForm(initial={"priority": Priority.HIGH})),
        ("priority", PriorityForm({"priority": "4"})),
    ]


@pytest.mark.parametrize("language", ["es-ar", "en"])
def test_select_field_writes_what_the_widget_wrote(language):
    """The request page's selects: the same element as Django's widget templates, but for the whitespace
    between the options."""
    import re

    with translation.override(language):
        for name, form in _pick_forms():
            form.is_bound and form.is_valid()
            field = form[name]
            expected = re.sub(r">\s+<", "><", str(field.as_widget()))
            assert render("{% select_field field %}", field=field) == expected, (name, form.data)


@pytest.mark.parametrize("language", ["es-ar", "en"])
@pytest.mark.parametrize("data", [
    {},
    {"q": "café con leche", "empresa": "30-12345678-9", "solicitante": "O'Brien <x>", "adjuntos": "on",
     "creada_desde": "01/03/2026", "creada_hasta": "31/03/2026", "cerrada_desde": "1/3/26"},
    # Refused values come back as typed, marked invalid and described by their error.
    {"q": "x" * 300, "creada_desde": "99/99/9999", "creada_hasta": "01/01/2026", "cerrada_hasta": "mañana"},
    {"creada_desde": "10/03/2026", "creada_hasta": "01/03/2026", "adjuntos": ""},
])
@pytest.mark.parametrize("who", ["requester", "assignee"])
def test_input_field_writes_what_the_widget_wrote(world, data, language, who):
    """The trays' search box and filters: the same <input> as Django's widget template, for each role."""
    from tickets.filters import TicketFilter
    from tickets.models import Ticket

    with translation.override(language):
        filters = TicketFilter(data, queryset=Ticket.objects.all(), user=world[who], staff=User.objects.all())
        form = filters.form
        form.is_valid()
        for name in ("q", "empresa", "solicitante", "creada_desde", "creada_hasta", "cerrada_desde", "cerrada_hasta",
                     "adjuntos"):
            if name in form.fields:
                assert render("{% input_field field %}", field=form[name]) == str(form[name]), (name, data)
