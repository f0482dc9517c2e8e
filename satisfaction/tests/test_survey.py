"""The survey of the closing email (issue 15): who is asked, the signed links, one answer per request, the
7 days to change it, and what a tampered or foreign link gets. The client answers without logging in."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from satisfaction import services
from satisfaction.models import Score, Survey
from tickets import services as ticket_services
from tickets.models import State
from tickets.tests.conftest import make_world

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://[^\s\"<>]+/encuesta/[^\s\"<>/]+/\?respuesta=(\d)")


def closing_email_to(person):
    return next(message for message in reversed(mail.outbox) if person.email in message.to)


def survey_links(message):
    """{score: path} of the answers in both parts of an email (they must agree)."""
    html = message.alternatives[0][0].replace("&amp;", "&")
    text_links = {int(m.group(1)): m.group(0) for m in LINK.finditer(message.body)}
    html_links = {int(m.group(1)): m.group(0) for m in LINK.finditer(html)}
    assert text_links == html_links
    return {score: url.split("://", 1)[1].split("/", 1)[1].join(["/", ""]) for score, url in text_links.items()}


@pytest.fixture
def closed(db):
    world = make_world()
    # Closed by an administrator: the assignee is told too, and stays the one the answer counts for.
    ticket_services.close(world.ticket, by=world["administrator"], message="Listo, ya quedó.")
    world.ticket.refresh_from_db()
    return world


def test_a_colleague_in_copy_is_told_of_the_closing_but_not_asked():
    """The survey's links answer for the requester: a colleague in copy (issue 14) gets the closing email without
    them, in both parts."""
    from tickets.tests.conftest import add_copies

    world = add_copies(make_world())
    ticket_services.close(world.ticket, by=world["administrator"], message="Listo, ya quedó.")
    message = closing_email_to(world["colleague in copy"])
    assert "en copia" in message.body
    assert not LINK.search(message.body) and not LINK.search(message.alternatives[0][0])
    assert "Cómo te atendimos" not in message.body
    assert survey_links(closing_email_to(world["requester"]))


def answer_path(world, score):
    return survey_links(closing_email_to(world["requester"]))[score]


def test_the_closing_email_asks_the_requester_with_five_links_worst_first(closed):
    message = closing_email_to(closed["requester"])
    assert "¿Cómo te atendimos?" in message.body
    links = survey_links(message)
    assert sorted(links) == [1, 2, 3, 4, 5]
    assert [label for _score, label in Score.choices] == ["Muy mal", "Mal", "Regular", "Bien", "Excelente"]
    survey = Survey.objects.get()
    assert (survey.ticket, survey.requester, survey.assignee, survey.topic, survey.score) == (
        closed.ticket, closed["requester"], closed["assignee"], closed.topic, None)
    # Nobody else is asked: the assignee's notice carries no survey.
    others = [m for m in mail.outbox if closed["requester"].email not in m.to]
    assert others and not any("encuesta" in m.body for m in others)


@pytest.mark.parametrize("how", ["the client closes it", "it closes itself after waiting"])
def test_no_survey_when_staff_did_not_close_it(how):
    world = make_world()
    if how == "the client closes it":
        ticket_services.resolve(world.ticket, by=world["requester"], message="Ya anda.")
    else:
        ticket_services._auto_close(world.ticket, timezone.now())
    assert not Survey.objects.exists()


def test_the_link_page_does_not_record_on_get_then_the_post_records(client, closed):
    path = answer_path(closed, 5)
    page = client.get(path)  # what a mail scanner does
    assert page.status_code == 200
    assert page.context["send_at_once"] is True
    assert page.context["form"]["score"].value() == Score.EXCELLENT
    assert Survey.objects.get().score is None

    sent = client.post(path.split("?")[0], {"score": 5})

    assert sent.status_code == 302 and sent["Location"].endswith("/gracias/")
    survey = Survey.objects.get()
    assert (survey.score, survey.changed_at) == (5, None) and survey.answered_at is not None
    thanks = client.get(sent["Location"])
    assert "Registramos tu respuesta: 5 · «Excelente»" in thanks.content.decode()


def test_a_second_answer_changes_it_and_a_comment_can_be_added(client, closed):
    path = answer_path(closed, 2).split("?")[0]
    client.post(path, {"score": 2})
    first = Survey.objects.get()

    assert client.get(answer_path(closed, 4)).context["send_at_once"] is True
    client.post(path, {"score": 4})
    client.post(path + "gracias/", {"comment": "Tardaron, pero lo resolvieron bien."})

    survey = Survey.objects.get()
    assert survey.score == 4 and survey.answered_at == first.answered_at and survey.changed_at is not None
    assert survey.comment == "Tardaron, pero lo resolvieron bien."
    # The link of the answer already recorded is not sent again.
    assert client.get(answer_path(closed, 4)).context["send_at_once"] is False


def test_the_same_answer_twice_changes_nothing(client, closed):
    path = answer_path(closed, 3).split("?")[0]
    client.post(path, {"score": 3})
    before = Survey.objects.values().get()
    again = client.post(path, {"score": 3})
    assert again.status_code == 302
    assert Survey.objects.values().get() == before


def test_after_seven_days_the_answer_can_no_longer_be_changed(client, closed):
    survey = services.answer(Survey.objects.get(), score=4)
    Survey.objects.filter(pk=survey.pk).update(answered_at=timezone.now() - timedelta(days=7, minutes=1))
    path = answer_path(closed, 1)

    page = client.get(path)
    assert page.context["open"] is False and page.context["send_at_once"] is False
    assert "Ya no se puede cambiar" in page.content.decode()
    refused = client.post(path.split("?")[0], {"score": 1})
    assert refused.status_code == 200
    assert "no se puede cambiar" in refused.context["refusal"]
    comment = client.post(path.split("?")[0] + "gracias/", {"comment": "Cambié de idea"})
    assert comment.status_code == 200
    assert Survey.objects.values_list("score", "comment").get() == (4, "")


def test_within_seven_days_it_can_still_be_changed():
    world = make_world()
    ticket_services.close(world.ticket, by=world["assignee"])
    survey = services.answer(Survey.objects.get(), score=4)
    later = survey.answered_at + timedelta(days=6, hours=23)
    assert services.answer(survey, score=5, now=later).score == 5
    with pytest.raises(services.Refused):
        services.answer(survey, score=3, now=survey.answered_at + timedelta(days=7, seconds=1))


def test_an_unanswered_survey_expires_a_month_after_the_closing(client, closed):
    Survey.objects.update(sent_at=timezone.now() - timedelta(days=services.ANSWER_DAYS, minutes=1))
    path = answer_path(closed, 5)
    page = client.get(path)
    assert page.status_code == 200 and page.context["open"] is False
    assert "Esta encuesta ya cerró" in page.content.decode()
    client.post(path.split("?")[0], {"score": 5})
    assert Survey.objects.get().score is None


def _token(path):
    return path.split("/encuesta/")[1].split("/")[0]


@pytest.mark.parametrize("fault", ["tampered", "another request", "another requester", "another salt", "garbage"])
def test_a_bad_link_gets_a_clear_page_and_records_nothing(client, closed, fault):
    other = make_world(suffix="2")
    ticket_services.close(other.ticket, by=other["assignee"])
    token = _token(answer_path(closed, 5))
    token = {
        "tampered": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "another request": signing.dumps([other.ticket.number, closed["requester"].pk], salt=services.SALT),
        "another requester": signing.dumps([closed.ticket.number, other["requester"].pk], salt=services.SALT),
        "another salt": signing.dumps([closed.ticket.number, closed["requester"].pk], salt="mail.replies"),
        "garbage": "no-es-un-enlace",
    }[fault]
    url = reverse("satisfaction:survey", args=[token])

    page = client.get(url + "?respuesta=5")
    posted = client.post(url, {"score": 5})
    comment = client.post(reverse("satisfaction:thanks", args=[token]), {"comment": "hola"})

    for response in (page, posted, comment):
        assert response.status_code == 404
        assert "Este enlace de encuesta no sirve" in response.content.decode()
    assert not Survey.objects.filter(score__isnull=False).exists()


def test_another_client_logged_in_cannot_answer_another_request(client, closed):
    """The link is the key: another client's own link names only their own request."""
    other = make_world(suffix="2")
    ticket_services.close(other.ticket, by=other["assignee"])
    client.force_login(other["requester"])
    own_token = _token(survey_links(closing_email_to(other["requester"]))[1])
    payload, timestamp, signature = own_token.split(":")
    assert signing.b64_decode(payload.encode()).decode() == f"[{other.ticket.number},{other['requester'].pk}]"
    # Their own link's signature on a payload naming the other request.
    forged = ":".join([signing.b64_encode(f"[{closed.ticket.number},{other['requester'].pk}]".encode()).decode(),
                       timestamp, signature])
    assert client.post(reverse("satisfaction:survey", args=[forged]), {"score": 1}).status_code == 404
    assert Survey.objects.get(ticket=closed.ticket).score is None


@pytest.mark.parametrize("bad", ["", "0", "6", "cinco", "-1"])
def test_an_answer_out_of_the_five_is_refused_next_to_the_choices(client, closed, bad):
    path = answer_path(closed, 5).split("?")[0]
    response = client.post(path, {"score": bad})
    assert response.status_code == 200
    assert response.context["form"].errors["score"] == ["Elegí una de las cinco respuestas."]
    assert Survey.objects.get().score is None


def test_a_comment_before_answering_goes_back_to_the_question(client, closed):
    path = answer_path(closed, 5).split("?")[0]
    response = client.post(path + "gracias/", {"comment": "Hola"})
    assert response.status_code == 302 and response["Location"] == path
    assert Survey.objects.get().comment == ""


def test_too_many_posts_from_one_address_are_slowed_down(client, closed, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "satisfaction_answer": "3/m/ip"}
    path = answer_path(closed, 5).split("?")[0]
    answers = [client.post(path, {"score": score}).status_code for score in (1, 2, 3, 4)]
    assert answers == [302, 302, 302, 429]
    assert Survey.objects.get().score == 3


def test_reopened_and_closed_again_asks_again_only_if_not_answered():
    world = make_world()
    by = world["assignee"]
    ticket_services.close(world.ticket, by=by)
    first_sent = Survey.objects.get().sent_at
    ticket_services.reopen(world.ticket, by=by)
    ticket_services.close(world.ticket, by=by)
    survey = Survey.objects.get()
    assert survey.sent_at > first_sent  # not answered: asked again, counted on the new closing
    assert "¿Cómo te atendimos?" in closing_email_to(world["requester"]).body

    services.answer(survey, score=5)
    ticket_services.reopen(world.ticket, by=by)
    mail.outbox.clear()
    ticket_services.close(world.ticket, by=by)
    assert Survey.objects.get().score == 5 and Survey.objects.get().sent_at == survey.sent_at
    assert "¿Cómo te atendimos?" not in closing_email_to(world["requester"]).body


def test_closing_a_new_request_records_the_closer_as_its_assignee():
    world = make_world(State.NEW)
    ticket_services.close(world.ticket, by=world["topic operator"])
    assert Survey.objects.get().assignee == world["topic operator"]


def test_the_links_are_masked_where_administrators_read_emails(closed):
    """/correo/ and Mis datos show emails with one-time links masked (mail.masking): the survey's too."""
    from mail import masking

    body = closing_email_to(closed["requester"]).body
    token = _token(answer_path(closed, 5))
    assert token in body and token not in masking.mask(body)


def test_a_deleted_client_keeps_the_answer_without_their_name_in_the_comment():
    """Mis datos (privacy.services.erase): the reports keep the answer; the comment loses their name."""
    from privacy import services as privacy
    from privacy.models import DeletionRequest

    world = make_world()
    ticket_services.close(world.ticket, by=world["assignee"])
    services.answer(Survey.objects.get(), score=4)
    services.comment(Survey.objects.get(), text="Soy Rita Requirente, escribanme a rita@example.com")
    deletion = DeletionRequest.objects.create(user=world["requester"])

    privacy.erase(deletion, by=world["administrator"])

    survey = Survey.objects.get()
    assert survey.score == 4
    assert survey.comment == "Soy Usuario eliminado, escribanme a Usuario eliminado"
