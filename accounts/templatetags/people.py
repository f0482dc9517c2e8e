"""Template helpers about people."""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def membership_badge(person):
    """«sin confirmar» beside the company of a person whose membership its contact has not accepted yet (staff
    pages); a tag rather than an include, as the trays show it on every row."""
    if not person.membership_pending:
        return ""
    return mark_safe(f' <span class="badge-soft badge-soft-warning">{escape(_("sin confirmar"))}</span>')  # noqa: S308
