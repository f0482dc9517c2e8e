"""Who sees a request's survey answer: its staff on the request page; never a client (issue 15)."""

import pytest
from django.urls import reverse

from satisfaction import services
from satisfaction.models import Survey
from tickets import services as ticket_services
from tickets.tests.conftest import make_world

pytestmark = pytest.mark.django_db

COMMENT = "La operadora fue muy clara, gracias."


@pytest.fixture
def answered():
    world = make_world()
    ticket_services.close(world.ticket, by=world["assignee"])
    services.answer(Survey.objects.get(), score=2)
    services.comment(Survey.objects.get(), text=COMMENT)
    return world


# (who, what they get on the request page)
SEES = [
    ("assignee", "the answer"),
    ("topic operator", "the answer"),
    ("administrator", "the answer"),
    ("requester", "nothing"),  # the client who answered: only on the survey page, never on the request
    ("colleague", "no page"),
    ("another client", "no page"),
    ("other operator", "no page"),
]


@pytest.mark.parametrize(("who", "sees"), SEES)
def test_the_answer_on_the_request_page(client, answered, who, sees):
    client.force_login(answered[who])
    response = client.get(reverse("tickets:detail", args=[answered.ticket.number]))
    if sees == "no page":
        assert response.status_code == 404
        return
    page = response.content.decode()
    shown = "Encuesta de satisfacción" in page
    assert shown == (sees == "the answer")
    assert ("2 · Mal" in page) == shown
    assert (COMMENT in page) == shown


def test_an_unanswered_survey_shows_nothing_to_staff(client):
    world = make_world()
    ticket_services.close(world.ticket, by=world["assignee"])
    client.force_login(world["assignee"])
    page = client.get(reverse("tickets:detail", args=[world.ticket.number])).content.decode()
    assert "Encuesta de satisfacción" not in page


def test_a_comment_is_shown_escaped(client):
    world = make_world()
    ticket_services.close(world.ticket, by=world["assignee"])
    services.answer(Survey.objects.get(), score=5)
    services.comment(Survey.objects.get(), text="<script>alert(1)</script>")
    client.force_login(world["administrator"])
    page = client.get(reverse("tickets:detail", args=[world.ticket.number])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# Every page a person may open about the request, and the report pages and downloads (administrators only).
def _pages(world):
    number = world.ticket.number
    pages = [reverse("home"), reverse("tickets:inbox"), f"{reverse('tickets:inbox')}?q=operadora",
             f"{reverse('tickets:inbox')}?estado=cerrado", reverse("tickets:detail", args=[number]),
             reverse("accounts:profile"), reverse("privacy:my_data"), reverse("reports:page")]
    from reports.satisfaction import TABLES

    pages += [reverse("reports:export", args=[table, extension]) for table in TABLES for extension in ("csv", "xlsx")]
    return pages


@pytest.mark.parametrize("who", ["requester", "colleague", "another client", "other operator"])
def test_no_score_or_comment_on_any_page_of_the_wrong_people(client, answered, who):
    """A client never sees a score, not even their own, on any page but the survey's (nor in the reports, which
    are the administrators'); an operator of another topic does not see the request, nor its answer in a report."""
    client.force_login(answered[who])
    for url in _pages(answered):
        response = client.get(url)
        content = response.content if not response.streaming else b"".join(response.streaming_content)
        text = content.decode("utf-8", "replace")
        assert COMMENT not in text, url
        assert "2 · Mal" not in text and "Encuesta de satisfacción" not in text, url
        if url.startswith(reverse("reports:page")):
            assert response.status_code in (403, 404), url
        elif "estado=cerrado" in url and who == "requester":
            assert "Factura duplicada" in text  # the closed request is listed to them, without its answer
