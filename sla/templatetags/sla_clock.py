"""«vence en 2 h» / «vencida»: the SLA deadline of an open request, for staff (issue 15)."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def due_label(ticket, now):
    """(css modifier, text) for the request's active SLA deadline, or None (closed, waiting, no target)."""
    if ticket.sla_due_at is None or not ticket.is_open:
        return None
    if ticket.waiting_since is not None:
        return "paused", _("SLA en pausa")
    left = (ticket.sla_due_at - now).total_seconds()
    if left <= 0:
        return "breached", _("vencida")
    if left < 3600:
        return "soon", _("vence en %(minutes)d min") % {"minutes": max(1, int(left // 60))}
    if left < 48 * 3600:
        return ("soon" if ticket.sla_warn_at and now >= ticket.sla_warn_at else "ok"), (
            _("vence en %(hours)d h") % {"hours": int(left // 3600)})
    return "ok", _("vence el %(date)s") % {"date": date_format(timezone.localtime(ticket.sla_due_at), "d/m H:i")}


@register.simple_tag
def sla_badge(ticket, now=None):
    """A badge with due_label(), or nothing."""
    label = due_label(ticket, now or timezone.now())
    if label is None:
        return ""
    modifier, text = label
    return format_html('<span class="sla-badge sla-badge-{}" title="{}">{}</span>', modifier,
                       _("Vencimiento del SLA"), text)
