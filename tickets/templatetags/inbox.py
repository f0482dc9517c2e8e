"""Template helpers of the inbox and the request page.

The badges and the time of a row are written here rather than by template includes and filters: a tray page
shows 25 rows, and an include costs a template context and a render per row. They are f-strings escaped with
the standard library's html.escape (what django.utils.html.escape calls): format_html and escape wrap every
argument for lazy strings, and get_FOO_display builds the field's choices anew on each call.
"""

from html import escape

from django import forms, template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tickets import permissions
from tickets.models import Priority, State, WaitsOn

register = template.Library()


@register.simple_tag
def activity_time(ticket, user, css_class=""):
    """A <time> element with the request's last activity that `user` may see (tickets.permissions.activity_field),
    in local time (dd/mm/aaaa hh:mm)."""
    when = timezone.localtime(getattr(ticket, permissions.activity_field(user)))
    css = f' class="{escape(css_class)}"' if css_class else ""
    return mark_safe(f'<time{css} datetime="{when.isoformat()}">{when.strftime("%d/%m/%Y %H:%M")}</time>')  # noqa: S308


@register.simple_tag
def state_badge(ticket):
    """A request's state as colour and text, and «Esperando al cliente» when it waits."""
    state = State(ticket.state)
    badge = f'<span class="badge-state badge-state-{escape(state.value)}">{escape(str(state.label))}</span>'
    if ticket.is_waiting:
        badge += f' <span class="badge-waiting">{escape(_("Esperando al cliente"))}</span>'
    return mark_safe(badge)  # noqa: S308 — escaped above


@register.simple_tag
def priority_badge(ticket):
    """A request's priority as colour and text, for staff."""
    priority = Priority(ticket.priority)
    return mark_safe(  # noqa: S308 — escaped
        f'<span class="badge-priority badge-priority-{priority.value}">{escape(str(priority.label))}</span>')


@register.simple_tag
def waits_on(ticket, user):
    """Who the request waits for, as `user` reads it, or nothing once closed: clients are not told that nobody
    holds their request yet, only that support has the next step (Ticket.waits_on)."""
    waits = ticket.waits_on
    if waits is None:
        return ""
    if waits == WaitsOn.UNASSIGNED and not user.is_operator:
        waits = WaitsOn.SUPPORT
    return mark_safe(  # noqa: S308 — escaped
        f'<span class="ticket-waits ticket-waits-{escape(waits.value)}">{escape(str(waits.label))}</span>')


def _widget_attrs(bound_field):
    """The attributes BoundField.as_widget gives the field's widget (the widget's own, required, disabled,
    aria-invalid, aria-describedby, the id), written out."""
    widget = bound_field.field.widget
    attrs = bound_field.build_widget_attrs({}, widget)
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    return widget.build_attrs(widget.attrs, attrs)


def _written(attrs):
    return "".join(f" {name}" if value is True else f' {name}="{escape(str(value))}"'
                   for name, value in attrs.items() if value is not False)


@register.simple_tag
def select_field(bound_field):
    """A form's <select> as Django's widget writes it, its options written by select_options: Django's widget
    templates cost two includes per option, and the assignee list of a request's topic may hold dozens."""
    options = select_options(bound_field.field.choices, bound_field.value())
    html = f'<select name="{escape(bound_field.html_name)}"{_written(_widget_attrs(bound_field))}>{options}</select>'
    return mark_safe(html)  # noqa: S308 — every part was escaped


@register.simple_tag
def input_field(bound_field):
    """A form's <input> (text, search, date, checkbox…) as Django's widget template writes it, without the
    template: the trays' filters have eight of them (two includes each)."""
    widget = bound_field.field.widget
    if not isinstance(widget, forms.widgets.Input):
        return bound_field.as_widget()
    context = widget.get_context(bound_field.html_name, bound_field.value(), _widget_attrs(bound_field))["widget"]
    value = "" if context["value"] is None else f' value="{escape(str(context["value"]))}"'
    name = escape(context["name"])
    html = f'<input type="{escape(context["type"])}" name="{name}"{value}{_written(context["attrs"])}>'
    return mark_safe(html)  # noqa: S308 — every part was escaped


@register.simple_tag
def select_options(options, current):
    """The <option>s of a select, the current value selected. The assignee list of a large desk has hundreds
    of people: one pass here instead of a template loop or a widget include per option (milliseconds), escaped
    with the standard library's html.escape (what django.utils.html.escape calls, without its lazy-string
    wrapper, which costs more than the escaping)."""
    current = "" if current is None else str(current)
    html = []
    for value, label in options:
        value = str(value)
        selected = " selected" if value == current else ""
        html.append(f'<option value="{escape(value)}"{selected}>{escape(str(label))}</option>')
    return mark_safe("".join(html))  # noqa: S308 — every value and label was escaped just above
