"""The surveys in Django's admin (/admin/satisfaction/survey/): its superusers (seed_demo's administrator,
createsuperuser) read and filter them; nobody adds, changes or deletes a client's answer there; the other roles
do not reach them (issue 15)."""

import pytest
from django.urls import reverse

from satisfaction import services
from satisfaction.models import Survey
from tickets import services as ticket_services
from tickets.tests.conftest import make_world

pytestmark = pytest.mark.django_db

COMMENT = "Muy amables, gracias."


@pytest.fixture
def answered():
    world = make_world()
    ticket_services.close(world.ticket, by=world["assignee"])
    services.answer(Survey.objects.get(), score=4)
    services.comment(Survey.objects.get(), text=COMMENT)
    world["administrator"].is_superuser = True
    world["administrator"].save(update_fields=["is_superuser"])
    return world


def test_an_administrator_lists_filters_and_reads_the_surveys(client, answered):
    client.force_login(answered["administrator"])
    listing = client.get(reverse("admin:satisfaction_survey_changelist"))
    assert listing.status_code == 200
    assert f"#{answered.ticket.number}" in listing.content.decode()
    assert client.get(reverse("admin:satisfaction_survey_changelist"), {"respondida": "no"}).context[
        "cl"].result_count == 0
    assert client.get(reverse("admin:satisfaction_survey_changelist"), {"respondida": "si", "score": "4"}).context[
        "cl"].result_count == 1
    detail = client.get(reverse("admin:satisfaction_survey_change", args=[answered.ticket.number]))
    assert detail.status_code == 200 and COMMENT in detail.content.decode()
    assert b'name="_save"' not in detail.content  # read-only: no «Guardar»


@pytest.mark.parametrize("url", ["add", "delete", "post"])
def test_nobody_adds_changes_or_deletes_an_answer_there(client, answered, url):
    client.force_login(answered["administrator"])
    number = answered.ticket.number
    if url == "add":
        assert client.get(reverse("admin:satisfaction_survey_add")).status_code == 403
    elif url == "delete":
        response = client.post(reverse("admin:satisfaction_survey_delete", args=[number]), {"post": "yes"})
        assert response.status_code == 403
    else:
        response = client.post(reverse("admin:satisfaction_survey_change", args=[number]),
                               {"score": "1", "comment": "cambiado"})
        assert response.status_code == 403
    survey = Survey.objects.get()
    assert (survey.score, survey.comment) == (4, COMMENT)


@pytest.mark.parametrize("who", ["requester", "assignee", "other operator", "another client", "plain administrator"])
def test_other_roles_do_not_reach_the_admins_surveys(client, answered, who):
    if who == "plain administrator":  # staff of the app, not a superuser of Django's admin
        from accounts.tests.factories import AdminFactory

        answered.people[who] = AdminFactory(email="otra.admin@example.com")
    client.force_login(answered[who])
    response = client.get(reverse("admin:satisfaction_survey_changelist"))
    assert response.status_code in (302, 403, 404)
    assert COMMENT not in response.content.decode()
