"""The request page's «Encuesta» fact, for staff who work the request (never for clients)."""

from django import template

from satisfaction.models import Survey

register = template.Library()


@register.inclusion_tag("satisfaction/_request_answer.html")
def survey_answer(ticket):
    """The answered survey of `ticket` (one query), or nothing. The template calls it only for staff."""
    survey = Survey.objects.filter(ticket_id=ticket.pk, score__isnull=False).only(
        "score", "comment", "answered_at", "changed_at").first()
    return {"survey": survey}
