"""The satisfaction survey (issue 15): asking with the closing email, and recording the answer and comment.

The question travels in the email the requester gets when staff close their request (tickets.services.close):
five links, one per answer, each carrying a signed token for that request and that requester (django.core.signing,
its own salt), so no login is needed and a link cannot be bent to another request. Rules:
- one answer per request; the first one can be given for ANSWER_DAYS after the email;
- the answer (and the comment) can be changed for CHANGE_DAYS after the first answer, then it is final;
- a request reopened and closed again asks again only if the survey was not answered yet (the same row, now
  counted on the new closing's day, assignee and topic); an answered survey keeps its answer and the second
  closing email does not ask again;
- requests the client closes themselves ("Ya está resuelto") or that close on their own after waiting on the
  client are not surveyed: no closing email of staff reaches the client there.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mail.outbox import absolute_url
from reports import summary as report_summary
from satisfaction.models import Score, Survey

SALT = "satisfaction.survey"
ANSWER_DAYS = 30
CHANGE_DAYS = 7


class InvalidLink(Exception):
    """The token was altered, or names a survey that does not exist (any more)."""


class Refused(Exception):
    """The survey can no longer be answered or changed; the message says why."""


# --- Asking ----------------------------------------------------------------------------------------------------


def token_for(survey):
    """The signed token of a survey's links: the request's number and its requester."""
    return signing.dumps([survey.ticket_id, survey.requester_id], salt=SALT)


def survey_for_token(token):
    """The Survey a link's token names. Raises InvalidLink for a token altered or of a survey gone."""
    try:
        number, requester_id = signing.loads(token, salt=SALT)
    except (signing.BadSignature, TypeError, ValueError) as error:
        raise InvalidLink from error
    survey = Survey.objects.select_related("ticket").filter(ticket_id=number, requester_id=requester_id).first()
    if survey is None:
        raise InvalidLink
    return survey


def answer_links(survey):
    """[(score, label, absolute url)] of the five answers, worst first, for the closing email."""
    url = absolute_url("satisfaction:survey", token_for(survey))
    return [(score, label, f"{url}?{urlencode({'respuesta': score})}") for score, label in Score.choices]


def ask_with_closing(ticket, *, at):
    """The survey of `ticket` that its closing email asks for now (a Survey) or None when it is not asked again.

    Called by tickets.services.close inside its transaction, with the request locked and closed at `at`, when the
    requester is emailed. Records the assignee and topic of the closing. Returns None if the request's survey
    was already answered (a reopened request closed again keeps its first answer).
    """
    # Locked from the read: an answer to the earlier closing's email arriving now waits for this one
    # (satisfaction.answer locks it too), so the report summary moves from what the survey really was.
    survey = Survey.objects.select_for_update().filter(ticket=ticket).first()
    if survey is not None and survey.answered:
        return None
    before = report_summary.sent_of(survey)
    fields = {"requester_id": ticket.requester_id, "assignee_id": ticket.assignee_id, "topic_id": ticket.topic_id,
              "sent_at": at}
    if survey is None:
        survey = Survey.objects.create(ticket=ticket, **fields)
    else:
        for name, value in fields.items():
            setattr(survey, name, value)
        survey.save(update_fields=[*fields])
    report_summary.survey_moved(before, report_summary.sent_of(survey))
    return survey


# --- Answering -------------------------------------------------------------------------------------------------


def answer_deadline(survey):
    """Until when the first answer can be given (for a survey not answered yet)."""
    return survey.sent_at + timedelta(days=ANSWER_DAYS)


def change_deadline(survey):
    """Until when an answered survey can be changed, or None while it is not answered."""
    return survey.answered_at and survey.answered_at + timedelta(days=CHANGE_DAYS)


def can_answer(survey, now=None):
    """Whether the requester may answer (or change their answer and comment) now."""
    now = now or timezone.now()
    if survey.answered:
        return now <= change_deadline(survey)
    return now <= answer_deadline(survey)


def _refusal(survey):
    if survey.answered:
        return _("Ya pasaron %(days)s días desde tu respuesta: no se puede cambiar.") % {"days": CHANGE_DAYS}
    return _("El enlace de esta encuesta venció: pasaron más de %(days)s días desde el cierre.") % {
        "days": ANSWER_DAYS}


def answer(survey, *, score, now=None):
    """Record `score` (1 to 5, satisfaction.models.Score) as the answer of `survey`; returns the Survey.

    The first answer stamps answered_at; a different score later stamps changed_at; the same score again
    changes nothing (a link opened twice, a form sent twice). Raises Refused after the deadlines
    (can_answer), ValueError for a score out of range.
    """
    score = Score(int(score))
    now = now or timezone.now()
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if not can_answer(survey, now):
            raise Refused(_refusal(survey))
        if survey.score == score:
            return survey
        before = report_summary.sent_of(survey)
        if survey.answered:
            survey.changed_at = now
        else:
            survey.answered_at = now
        survey.score = score
        survey.save(update_fields=["score", "answered_at", "changed_at"])
        report_summary.survey_moved(before, report_summary.sent_of(survey))
    return survey


def comment(survey, *, text, now=None):
    """Set the optional comment of an answered survey (empty text removes it); returns the Survey.

    Raises Refused before the first answer or after the change deadline (can_answer).
    """
    now = now or timezone.now()
    text = text.strip()
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if not survey.answered:
            raise Refused(_("Primero elegí cómo te atendimos."))
        if not can_answer(survey, now):
            raise Refused(_refusal(survey))
        if survey.comment != text:
            survey.comment = text
            survey.changed_at = now
            survey.save(update_fields=["comment", "changed_at"])
    return survey
