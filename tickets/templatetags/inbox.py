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

from accounts.templatetags.people import membership_badge
from sla.templatetags.sla_clock import sla_badge
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
def textarea_field(bound_field):
    """A form's <textarea> as Django's widget template writes it, without its two templates."""
    widget = bound_field.field.widget
    if not isinstance(widget, forms.Textarea):
        return bound_field.as_widget()
    context = widget.get_context(bound_field.html_name, bound_field.value(), _widget_attrs(bound_field))["widget"]
    value = escape(str(context["value"])) if context["value"] else ""
    html = f'<textarea name="{escape(context["name"])}"{_written(context["attrs"])}>\n{value}</textarea>'
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


# --- A tray's row ------------------------------------------------------------------------------------

def _row_labels():
    """The words every row repeats, in the active language; like {% translate %}'s, not escaped (translations
    of the product's own words are trusted: «CC'd» stays as written)."""
    return {
        "topic": _("Temática"), "assignee": _("Asignada a"), "activity": _("Última actividad"),
        "unassigned": _("Sin asignar"), "in_copy": _("En copia"), "pick": _("Seleccionar la solicitud"),
        "client": _("Respuesta nueva del cliente"), "internal": _("Comentario interno nuevo"),
        "other": _("Cambios nuevos"),
    }


@register.simple_tag(takes_context=True)
def ticket_row(context, ticket):
    """One request of a tray as a table row (templates/tickets/_ticket_table.html): written here because a page
    shows 25 of them and the template engine spent ~0.15 ms on each; every badge is still the tag above.
    Reads `user`, `tray`, `bulk_form` and `bulk_ticked` from the page."""
    labels = context.render_context.get("ticket_row_labels")
    if labels is None:
        labels = context.render_context["ticket_row_labels"] = _row_labels()
    user = context["user"]
    staff = user.is_operator
    number = ticket.number
    pick = ""
    if context.get("bulk_form"):
        checked = " checked" if number in context.get("bulk_ticked", ()) else ""
        pick = (f'<input type="checkbox" class="form-check-input bulk-pick" name="solicitudes" value="{number}" '
                f'form="acciones-en-bloque" aria-label="{labels["pick"]} #{number}"{checked}> ')
    news = ' class="has-news"' if ticket.has_news else ""
    in_copy = ""
    if context["tray"].key == "en_copia":
        in_copy = f' <span class="ticket-in-copy">{labels["in_copy"]}</span>'
    return mark_safe(  # noqa: S308 — every value was escaped
        f'<tr{news}>\n'
        f'          <td class="col-number">{pick}<span class="ticket-number">#{number}</span></td>\n'
        f'          <td class="col-subject">\n'
        f'            <a class="ticket-subject" href="{escape(ticket.get_absolute_url())}">{escape(ticket.subject)}</a>'
        f'{in_copy}\n'
        f'            {_news_chips(ticket, labels)}\n'
        f'            <span class="ticket-sub">\n'
        f'              {escape(ticket.requester.display_name)}{_company(ticket, staff)}\n'
        f'            </span>\n'
        f'          </td>\n'
        f'          <td class="col-topic" data-label="{labels["topic"]}"><span class="ticket-topic">'
        f'{escape(ticket.topic.name)}</span></td>\n'
        f'          <td class="col-state">{_state_cell(ticket, user, staff)}</td>\n'
        f'          <td class="col-assignee" data-label="{labels["assignee"]}">\n'
        f'            {_assignee(ticket, labels)}\n'
        f'          </td>\n'
        f'          <td class="col-when" data-label="{labels["activity"]}">\n'
        f'            {activity_time(ticket, user, "ticket-when")}\n'
        f'          </td>\n'
        f'        </tr>')


def _news_chips(ticket, labels):
    """What changed since the staff member opened it (tickets.news)."""
    if not ticket.has_news:
        return ""
    chips = [f'<span class="news-chip news-chip-{kind}">{labels[kind]}</span>'
             for kind, flag in (("client", "new_client_reply"), ("internal", "new_internal_comment"),
                                ("other", "new_other")) if getattr(ticket, flag, None)]
    return f'<span class="news-chips">{"".join(chips)}</span>'


def _company(ticket, staff):
    """« · the company», and for staff whether the requester's membership is still pending."""
    if not ticket.company:
        return ""
    return f" · {escape(ticket.company.name)}{membership_badge(ticket.requester) if staff else ''}"


def _state_cell(ticket, user, staff):
    """The state, for staff the priority when it stands out and the SLA, and whom the request waits on."""
    cell = state_badge(ticket)
    if staff and ticket.stands_out:
        cell += " " + priority_badge(ticket)
    if staff and ticket.sla_due_at:
        cell += " " + sla_badge(ticket)
    return cell + waits_on(ticket, user)


def _assignee(ticket, labels):
    """Who holds the request, or «Sin asignar»."""
    if ticket.assignee:
        person = f'<span class="ticket-person">{escape(ticket.assignee.display_name)}</span>'
    else:
        person = f'<span class="ticket-unassigned">{labels["unassigned"]}</span>'
    return person


# --- The trays' filters ------------------------------------------------------------------------------

def _labelled(bound_field, control):
    """A filter of the trays: its label, `control` and its errors, in a div named after it."""
    errors = "".join(f'<div class="invalid-feedback d-block" id="{escape(bound_field.auto_id)}_error">'
                     f"{escape(str(error))}</div>" for error in bound_field.errors)
    return mark_safe(  # noqa: S308 — every part was escaped
        f'<div class="inbox-field inbox-field-{escape(bound_field.name)}">\n'
        f'  <label class="form-label" for="{escape(bound_field.id_for_label)}">{escape(str(bound_field.label))}'
        f"</label>\n  {control}\n  {errors}\n</div>\n")


@register.simple_tag
def filter_select(bound_field, options):
    """A select of the trays' filters with its label and errors: the options written by select_options, since
    Django's widget templates cost one include per option and the assignee list of a large desk has hundreds."""
    invalid = ""
    if bound_field.errors:
        invalid = f' aria-invalid="true" aria-describedby="{escape(bound_field.auto_id)}_error"'
    field_id = escape(bound_field.id_for_label)
    select = (f'<select name="{escape(bound_field.html_name)}" id="{field_id}" '
              f'class="form-select{" is-invalid" if bound_field.errors else ""}"{invalid}>\n'
              f"    {select_options(options, bound_field.value())}\n  </select>")
    return _labelled(bound_field, select)


@register.simple_tag
def filter_input(bound_field):
    """An input of the trays' filters (words, a date) with its label and errors."""
    return _labelled(bound_field, input_field(bound_field))
