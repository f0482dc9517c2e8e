"""Template helpers of the inbox."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from tickets import permissions
from tickets.models import WaitsOn

register = template.Library()


@register.filter
def last_activity_for(ticket, user):
    """The request's last activity that `user` may see (tickets.permissions.activity_field)."""
    return getattr(ticket, permissions.activity_field(user))


@register.filter
def waits_on_for(ticket, user):
    """(code, label) of who the request waits for, as `user` reads it, or None when closed: clients are not
    told that nobody holds their request yet, only that support has the next step (Ticket.waits_on)."""
    waits = ticket.waits_on
    if waits is None:
        return None
    if waits == WaitsOn.UNASSIGNED and not user.is_operator:
        waits = WaitsOn.SUPPORT
    return waits.value, waits.label


@register.simple_tag
def select_options(options, current):
    """The <option>s of a select, the current value selected. The assignee list of a large desk has hundreds
    of people: one pass here instead of a template loop or a widget include per option (milliseconds)."""
    current = "" if current is None else str(current)
    html = []
    for value, label in options:
        value = str(value)
        selected = " selected" if value == current else ""
        html.append(f'<option value="{escape(value)}"{selected}>{escape(label)}</option>')
    return mark_safe("".join(html))  # noqa: S308 — every value and label was escaped just above
