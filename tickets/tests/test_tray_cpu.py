"""What the trays remember between requests to cost less (issue 19) never leaks from one request to the next:
the filters' form class is built once per kind of person, but each form has its own fields."""

from pathlib import Path

import pytest

from accounts.models import User
from tickets.filters import TicketFilter
from tickets.models import State, Ticket
from tickets.tests.html import spaced

pytestmark = pytest.mark.django_db


def filters(world, who, data=None, staff=None):
    return TicketFilter(data or {}, queryset=Ticket.objects.all(), user=world[who],
                        staff=staff if staff is not None else User.objects.staff())


@pytest.fixture(autouse=True)
def spanish():
    """Spanish unless a test says otherwise, whatever ran before."""
    from django.utils import translation

    with translation.override("es-ar"):
        yield


@pytest.mark.parametrize("first", ["requester", "assignee"])
def test_each_kind_of_person_gets_its_own_form_whoever_came_first(world, first):
    filters(world, first)
    for _ in range(2):
        client, staff = filters(world, "requester").form, filters(world, "assignee").form
        assert "asignada" not in client.fields and "asignada" in staff.fields
        assert [value for value, _label in client.fields["orden"].choices if value in ("prioridad", "vence")] == []
        assert {"prioridad", "vence"} <= {value for value, _label in staff.fields["orden"].choices}
        assert str(client.fields["q"].widget.attrs["placeholder"]) == "Palabras o número de solicitud"
        assert str(staff.fields["q"].widget.attrs["placeholder"]) == "Palabras, número o CUIT"


def test_the_assignee_list_is_the_one_given_each_time(world):
    ana, olga = world["assignee"], world["topic operator"]
    first = filters(world, "assignee", staff=User.objects.filter(pk=ana.pk)).form.fields["asignada"]
    second = filters(world, "assignee", staff=User.objects.filter(pk=olga.pk)).form.fields["asignada"]
    assert list(first.queryset) == [ana] and list(second.queryset) == [olga]
    refused = filters(world, "assignee", {"asignada": str(ana.pk)}, staff=User.objects.filter(pk=olga.pk))
    assert "asignada" in refused.form.errors


def test_a_refused_value_marks_only_its_own_form(world):
    refused = filters(world, "assignee", {"q": "x" * 300, "creada_desde": "99/99/9999"}).form
    assert refused.fields["q"].widget.attrs["class"] == "form-control is-invalid"
    assert list(refused.fields["q"].widget.attrs)[-3:] == ["aria-invalid", "placeholder", "autocomplete"]
    fine = filters(world, "assignee", {"q": "factura"}).form
    for name in ("q", "creada_desde"):
        assert fine.fields[name].widget.attrs["class"] == "form-control"
        assert "aria-invalid" not in fine.fields[name].widget.attrs


# The rows as templates/tickets/_ticket_table.html wrote them before tickets.templatetags.inbox.ticket_row.
TEMPLATE_ROW = (Path(__file__).parent / "snapshots" / "ticket_row_before.html").read_text().removesuffix("\n")
TAG_ROW = """{% load inbox %}{% for ticket in tickets %}
        {% ticket_row ticket %}
      {% endfor %}"""


def _rows():
    """Rows of every shape: news of each kind, no company, nobody assigned, closed, waiting, past its SLA, odd
    characters in every text."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Company
    from topics.models import Topic

    now = timezone.now()
    topic = Topic(name='Fact <u>"&"</u>')
    odd = User(pk=5, role="client", full_name="", email="o'brien@x.com", company_id=3, company_confirmed=False)
    named = User(pk=6, role="client", full_name="Ñandú <b>", company_id=3, company_confirmed=True)
    staff = User(pk=7, role="operator", full_name="Ana & Asignada")
    company = Company(pk=3, name="La Espiga <S.R.L.>")
    shapes = [
        {"requester": odd, "company": company, "state": State.NEW, "priority": 4,
         "sla_due_at": now - timedelta(hours=1), "new_client_reply": True, "new_internal_comment": True,
         "new_other": True},
        {"requester": named, "company": company, "assignee": staff, "state": State.IN_PROGRESS, "priority": 2,
         "waiting_since": now, "new_other": True},
        {"requester": named, "company": None, "assignee": staff, "state": State.CLOSED, "priority": 1,
         "sla_due_at": now + timedelta(days=2), "new_client_reply": False},
        {"requester": odd, "company": None, "state": State.IN_PROGRESS, "priority": 3,
         "sla_due_at": now + timedelta(hours=3)},
    ]
    rows = []
    for index, shape in enumerate(shapes):
        flags = {flag: shape.pop(flag) for flag in ("new_client_reply", "new_internal_comment", "new_other")
                 if flag in shape}  # what tickets.news.annotated adds to staff's rows
        ticket = Ticket(number=10 ** index + 9, subject=f"Asunto {index} <i>'x'</i> & «y»", topic=topic,
                        last_activity_at=now - timedelta(minutes=index), public_activity_at=now - timedelta(days=index),
                        **shape)
        vars(ticket).update(flags)
        rows.append(ticket)
    return rows


@pytest.mark.parametrize("language", ["es-ar", "en"])
@pytest.mark.parametrize("role", ["client", "operator", "admin"])
@pytest.mark.parametrize("tray", ["asignadas", "en_copia"])
@pytest.mark.parametrize("bulk", [None, (19, 10), ()])
def test_the_row_tag_writes_what_the_template_wrote(language, role, tray, bulk):
    from django.template import Context, Template
    from django.utils import translation

    from tickets.selectors import Tray

    context = {"tickets": _rows(), "user": User(pk=1, role=role), "tray": Tray(tray, 0),
               "bulk_form": bulk is not None, "bulk_ticked": bulk or ()}
    with translation.override(language):
        expected = Template(TEMPLATE_ROW).render(Context(context))
        assert spaced(Template(TAG_ROW).render(Context(context))) == spaced(expected)
        assert "has-news" in expected and "ticket-unassigned" in expected


SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.mark.parametrize("language", ["es-ar", "en"])
@pytest.mark.parametrize("data", [
    {},
    {"q": "café", "estado": "todos", "orden": "prioridad", "empresa": "O'Brien <x>", "creada_desde": "01/03/2026",
     "prioridad": "4", "canal": "web", "vence": "vencida"},
    {"estado": "ninguno", "orden": "???", "tematica": "999999", "asignada": "abc", "prioridad": "9",
     "creada_desde": "99/99/9999", "creada_hasta": "01/01/2026", "cerrada_hasta": "mañana", "canal": "fax"},
])
@pytest.mark.parametrize("who", ["requester", "assignee"])
def test_the_filter_tags_write_what_the_includes_wrote(world, who, data, language):
    """{% filter_select %} and {% filter_input %} against the includes they replaced (kept in snapshots/)."""
    from django.template import Context, Template
    from django.utils import translation

    from tickets import selectors

    select = SNAPSHOTS.joinpath("select_field_before.html").read_text()
    field = SNAPSHOTS.joinpath("filter_field_before.html").read_text()
    with translation.override(language):
        found = filters(world, who, data)
        options = found.options_with(selectors.filter_options(world[who]))
        form = found.form
        for name in ("estado", "orden", "tematica", "asignada", "prioridad", "canal", "vence"):
            if name in form.fields:
                context = Context({"field": form[name], "options": options[name]})
                tag = Template("{% load inbox %}{% filter_select field options %}").render(context)
                assert spaced(tag) == spaced(Template(select).render(context)), (name, data)
        for name in ("empresa", "solicitante", "creada_desde", "creada_hasta", "cerrada_desde", "cerrada_hasta"):
            if name in form.fields:
                context = Context({"field": form[name]})
                tag = Template("{% load inbox %}{% filter_input field %}").render(context)
                assert spaced(tag) == spaced(Template(field).render(context)), (name, data)
        assert bool(form.errors) == ("canal" in data and data["canal"] == "fax")  # the refused values were refused


@pytest.mark.parametrize("language", ["es-ar", "en"])
@pytest.mark.parametrize("data", [None, {}, {"accion": "cerrar", "mensaje": "Gracias <b>'O'Brien'</b> &\nhasta luego"},
                                  {"accion": "cerrar", "mensaje": "x" * 70_000}])
def test_the_textarea_tag_writes_what_the_widget_wrote(data, language):
    from django.template import Context, Template
    from django.utils import translation

    from tickets.bulk_forms import BulkForm
    from tickets.forms import CloseForm

    tag = Template("{% load inbox %}{% textarea_field field %}")
    with translation.override(language):
        forms = [BulkForm(data, people=[(1, "Ana")], topics=[(2, "Facturación")]),
                 CloseForm({"message": data["mensaje"]} if data else None)]
        fields = [forms[0]["mensaje"], forms[1]["message"]]
        for field in fields:
            field.form.is_bound and field.form.is_valid()
            assert tag.render(Context({"field": field})) == str(field.as_widget()), field.name
        if data and len(data["mensaje"]) > 10_000:
            assert "aria-invalid" in str(fields[1].as_widget())
