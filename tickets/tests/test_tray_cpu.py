"""What the trays remember between requests to cost less (issue 19) never leaks from one request to the next:
the filters' form class is built once per kind of person, but each form has its own fields."""

import pytest

from accounts.models import User
from tickets.filters import TicketFilter
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def filters(world, who, data=None, staff=None):
    return TicketFilter(data or {}, queryset=Ticket.objects.all(), user=world[who],
                        staff=staff if staff is not None else User.objects.staff())


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
