"""The administrators' topics pages: create, edit, deactivate, assign operators (audited on each operator)."""

import pytest
from django.urls import reverse

from accounts.models import AccountAuditEntry, Role
from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory
from topics import selectors
from topics.models import Topic
from topics.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

Action = AccountAuditEntry.Action


@pytest.fixture
def admin():
    return AdminFactory(full_name="Laura Fernández")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_an_administrator_creates_a_topic_with_its_operators(admin_client, admin):
    martin, sofia = OperatorFactory(full_name="Martín Gómez"), OperatorFactory(full_name="Sofía Romero")

    response = admin_client.post(reverse("topics:create"), {
        "name": "  Facturación ", "description": "Facturas y pagos.", "operators": [martin.pk, sofia.pk],
    })

    assert response.status_code == 302
    topic = Topic.objects.get()
    assert (topic.name, topic.description, topic.is_active) == ("Facturación", "Facturas y pagos.", True)
    assert set(topic.operators.all()) == {martin, sofia}
    entry = AccountAuditEntry.objects.get(target=martin)
    assert (entry.actor, entry.action, entry.detail) == (admin, Action.TOPICS_CHANGED, {
        "added": ["Facturación"], "removed": [],
    })
    assert "Cambió las temáticas: agregó Facturación" in admin_client.get(
        reverse("accounts:user_detail", args=[martin.pk])
    ).content.decode()


def test_a_name_already_used_in_any_case_is_refused(admin_client):
    TopicFactory(name="Reclamos")
    response = admin_client.post(reverse("topics:create"), {"name": "RECLAMOS"})
    assert response.status_code == 200
    assert "Ya hay una temática con ese nombre." in response.content.decode()
    assert Topic.objects.count() == 1


def test_clients_cannot_be_made_operators_of_a_topic(admin_client):
    client_user = ClientFactory()
    response = admin_client.post(reverse("topics:create"), {"name": "Soporte", "operators": [client_user.pk]})
    assert response.status_code == 200
    assert "operators" in response.context["form"].errors
    assert not Topic.objects.exists()


def test_editing_a_topic_renames_it_and_changes_its_operators(admin_client):
    martin, sofia = OperatorFactory(), OperatorFactory()
    topic = TopicFactory(name="Soporte", operators=[martin])

    admin_client.post(reverse("topics:edit", args=[topic.pk]), {
        "name": "Soporte técnico", "description": "", "operators": [sofia.pk],
    })

    topic.refresh_from_db()
    assert topic.name == "Soporte técnico"
    assert list(topic.operators.all()) == [sofia]
    assert AccountAuditEntry.objects.get(target=martin).detail == {"added": [], "removed": ["Soporte técnico"]}
    assert AccountAuditEntry.objects.get(target=sofia).detail == {"added": ["Soporte técnico"], "removed": []}


def test_a_deactivated_topic_takes_no_new_requests_but_keeps_its_operators(admin_client):
    martin = OperatorFactory()
    topic = TopicFactory(name="Reclamos", operators=[martin])

    admin_client.post(reverse("topics:deactivate", args=[topic.pk]))

    topic.refresh_from_db()
    assert not topic.is_active
    assert topic not in selectors.open_topics()
    assert list(topic.operators.all()) == [martin]  # its requests stay visible to them (a row, never deleted)
    page = admin_client.get(reverse("topics:list")).content.decode()
    assert "Inactiva" in page and reverse("topics:reactivate", args=[topic.pk]) in page

    admin_client.post(reverse("topics:reactivate", args=[topic.pk]))
    topic.refresh_from_db()
    assert topic.is_active and topic in selectors.open_topics()


def test_an_operators_topics_are_chosen_from_their_page(admin_client, admin):
    martin = OperatorFactory(full_name="Martín Gómez")
    soporte, facturacion = TopicFactory(name="Soporte", operators=[martin]), TopicFactory(name="Facturación")
    TopicFactory(name="Vieja", is_active=False)
    url = reverse("topics:operator_topics", args=[martin.pk])

    form = admin_client.get(url).context["form"]
    assert [t.name for t in form.fields["topics"].queryset] == ["Facturación", "Soporte"]  # inactive ones hidden

    admin_client.post(url, {"topics": [facturacion.pk]})

    assert list(martin.topics.all()) == [facturacion]
    entry = AccountAuditEntry.objects.get()
    assert (entry.actor, entry.target) == (admin, martin)
    assert entry.detail == {"added": ["Facturación"], "removed": ["Soporte"]}
    assert soporte.operators.count() == 0


def test_a_client_has_no_topics_page(admin_client):
    target = ClientFactory()
    response = admin_client.get(reverse("topics:operator_topics", args=[target.pk]))
    assert response.status_code == 302
    assert response.url == reverse("accounts:user_detail", args=[target.pk])


def test_making_an_operator_a_client_takes_them_off_their_topics(admin_client):
    martin = OperatorFactory()
    topic = TopicFactory(name="Soporte", operators=[martin])

    admin_client.post(reverse("accounts:user_role", args=[martin.pk]), {"role": "client"})

    martin.refresh_from_db()
    assert martin.role == Role.CLIENT
    assert not topic.operators.exists()
    assert [(e.action, e.detail) for e in AccountAuditEntry.objects.order_by("id")] == [
        (Action.ROLE_CHANGED, {"before": "operator", "after": "client"}),
        (Action.TOPICS_CHANGED, {"added": [], "removed": ["Soporte"]}),
    ]


def test_the_list_shows_operators_with_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    for n in range(15):
        TopicFactory(operators=[OperatorFactory(), OperatorFactory()], name=f"Temática {n:02d}")

    with django_assert_max_num_queries(6):
        response = admin_client.get(reverse("topics:list"))
    assert response.content.decode().count(reverse("topics:deactivate", args=[Topic.objects.first().pk])) == 1
