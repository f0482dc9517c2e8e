from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tickets import bulk as bulk_actions
from tickets import canned, news, pagination, permissions, recipients, search, selectors, services, uploads
from tickets.bulk_forms import BulkForm
from tickets.canned_forms import CannedPickForm
from tickets.filters import TicketFilter
from tickets.forms import (
    AssignForm,
    CloseForm,
    ColleagueForm,
    PriorityForm,
    ReplyForm,
    ResolveForm,
    TicketForm,
    TopicForm,
)
from tickets.links import InboxLinks
from tickets.models import Ticket


def home(request):
    if request.user.is_authenticated:
        return redirect("tickets:inbox")
    return render(request, "home.html")


@login_required
def inbox(request):
    """The trays: tabs with counts, the search box, filters and one page of requests; everything in the URL."""
    return _inbox_page(request)


def _inbox_page(request, refused_bulk=None):
    """The tray of request.GET; with `refused_bulk` (a BulkForm with errors) its bar shows them next to its fields,
    with what was ticked and typed, and the page answers 400."""
    user = request.user
    trays = selectors.trays_for(user)
    tray = next((tray for tray in trays if tray.key == request.GET.get("bandeja")), None)
    tray = tray or selectors.landing_tray(user, trays)
    jump = _jump_to_match(request, tray)
    if jump:
        return jump
    filters = TicketFilter(request.GET, queryset=selectors.tray_tickets(user, tray.key), user=user,
                           staff=selectors.assignable_people())
    tickets = filters.qs
    number = pagination.page_number(request.GET.get("pagina"))
    try:
        page = selectors.list_page(tickets, filters.ordering, after=request.GET.get("despues", ""),
                                   before=request.GET.get("antes", ""), number=number, user=user)
    except pagination.BadCursor:
        messages.warning(request, _("No pudimos abrir esa página de la lista: te mostramos la primera."))
        page = selectors.list_page(tickets, filters.ordering, user=user)
    count, capped = selectors.result_count(tray, tickets, page, filters.ordering,
                                           counted_states=filters.counted_states())
    lists = selectors.filter_options(user)
    bulk_form = refused_bulk or (_bulk_form(user, lists) if page.items else None)
    return render(request, "tickets/inbox.html", {
        "trays": trays, "tray": tray, "filters": filters, "page": page, "count": count, "capped": capped,
        "options": filters.options_with(lists),
        "links": InboxLinks(request.GET, tray.key, trays=trays, page=page, active=filters.active()),
        "bulk_form": bulk_form, "bulk_ticked": bulk_form.ticked() if bulk_form else (),
    }, status=400 if refused_bulk else 200)


def _bulk_form(user, lists, data=None):
    """The trays' bulk actions: staff only (clients never get the checkboxes nor the form)."""
    if not user.is_operator:
        return None
    return BulkForm(data, people=lists["asignada"], topics=lists["tematica_activa"])


@login_required
@require_POST
def bulk(request):
    """One move on the requests ticked in a tray (tickets.bulk); back to the same tray, filters and page kept
    (the query string of the form's action), with what was done and what was refused and why."""
    user = request.user
    form = _bulk_form(user, selectors.filter_options(user), request.POST)
    if form is None:
        raise Http404
    back = f"{reverse('tickets:inbox')}?{request.GET.urlencode()}" if request.GET else reverse("tickets:inbox")
    if not form.is_valid():
        return _inbox_page(request, refused_bulk=form)  # the errors beside their fields; nothing typed is lost
    data = form.cleaned_data
    try:
        params = {
            bulk_actions.Action.ASSIGN: lambda: {"assignee": selectors.assignable_people().get(pk=data["choice"])},
            bulk_actions.Action.CHANGE_TOPIC: lambda: {"topic": selectors.active_topic(data["choice"])},
            bulk_actions.Action.SET_PRIORITY: lambda: {"priority": data["choice"]},
            bulk_actions.Action.CLOSE: lambda: {"message": data["mensaje"]},
        }.get(data["action"], dict)()
    except ObjectDoesNotExist:  # deactivated a moment ago
        messages.error(request, _("Esa persona o temática ya no está disponible: elegí otra."))
        return redirect(back)
    try:
        result = bulk_actions.apply_to_many(data["numbers"], by=user, action=data["action"], **params)
    except bulk_actions.TooMany as refusal:
        messages.error(request, str(refusal))
        return redirect(back)
    if result.done:
        messages.success(request, _bulk_done(result))
    if result.refused:
        messages.error(request, _bulk_refused(result))
    return redirect(back)


def _bulk_done(result):
    count = len(result.done)
    return {
        bulk_actions.Action.TAKE: ngettext("Tomaste %(count)d solicitud.", "Tomaste %(count)d solicitudes.", count),
        bulk_actions.Action.ASSIGN: ngettext("Asignaste %(count)d solicitud.", "Asignaste %(count)d solicitudes.",
                                             count),
        bulk_actions.Action.CHANGE_TOPIC: ngettext("%(count)d solicitud cambió de temática.",
                                                   "%(count)d solicitudes cambiaron de temática.", count),
        bulk_actions.Action.SET_PRIORITY: ngettext("%(count)d solicitud cambió de prioridad.",
                                                   "%(count)d solicitudes cambiaron de prioridad.", count),
        bulk_actions.Action.CLOSE: ngettext("Cerraste %(count)d solicitud.", "Cerraste %(count)d solicitudes.",
                                            count),
    }[result.action] % {"count": count}


def _bulk_refused(result):
    """«2 no se pudieron: #12, #15: La solicitud ya está cerrada.»: the numbers grouped by reason, in the order sent."""
    count = len(result.refused)
    by_reason = {}
    for number, reason in result.refused:
        by_reason.setdefault(reason, []).append(f"#{number}")
    reasons = " ".join(f"{', '.join(numbers)}: {reason}" for reason, numbers in by_reason.items())
    return ngettext("%(count)d no se pudo: %(reasons)s", "%(count)d no se pudieron: %(reasons)s", count) % {
        "count": count, "reasons": reasons}


def _jump_to_match(request, tray):
    """A request number typed in the box opens it; a CUIT (staff) lists its company's requests."""
    query = search.interpret(request.GET.get("q"))
    if query.number:
        ticket = selectors.ticket_for(request.user, query.number)
        if ticket is not None:
            return redirect(ticket)
    if query.cuit and request.user.is_operator:
        return redirect(InboxLinks(request.GET, tray.key).replacing(q=None, empresa=query.cuit))
    return None


@login_required
def create(request):
    """File a request; staff may file it for a client they find on the page (?cliente=…, then ?para=<id>)."""
    chosen = _chosen_requester(request)
    form = TicketForm(request.POST or None, request.FILES or None, user=request.user, requester=chosen)
    if request.method == "POST":
        if form.is_valid():
            try:
                ticket, created = _file(request.user, form)
            except services.Refused as refusal:
                form.add_error("topic", str(refusal))
            except uploads.StorageUnavailable:
                form.storage_unavailable()
            except ValidationError as error:  # the address was taken a moment ago
                form.add_error("cliente_correo", error.message_dict.get("email", error.messages))
            else:
                form.forget_unticked_files()
                if created:
                    messages.success(request, _filed_message(ticket, request.user,
                                                             new_client=form.new_client is not None))
                if selectors.ticket_for(request.user, ticket.number) is None:
                    return redirect("tickets:inbox")  # filed for a client in a topic this operator does not work
                return redirect(ticket)
        form.keep_files_for_next_try()
    context = {"form": form, **_upload_limits()}
    status = 503 if getattr(form, "said_storage_down", False) else 200
    if form.on_behalf:
        looked_for = request.GET.get("cliente", "").strip()[:100]
        matches = selectors.requesters_matching(looked_for)
        context.update(requester=form.requester, looked_for=looked_for, matches=matches,
                       new_client_suggested=bool(looked_for and not matches))
        if looked_for and not matches and not form.is_bound and form.offers_new_client:
            form.initial["cliente_correo" if "@" in looked_for else "cliente_nombre"] = looked_for
    return render(request, "tickets/create.html", context, status=status)


def _file(user, form):
    kwargs = form.service_kwargs()
    if "new_client" in kwargs:
        ticket, _client = services.create_for_new_client(by=user, **kwargs)
        return ticket, True
    return services.create(by=user, **kwargs)


def _chosen_requester(request):
    if not request.user.is_operator or not request.GET.get("para", "").isdigit():
        return None
    return selectors.possible_requesters().filter(pk=int(request.GET["para"])).first()


def _filed_message(ticket, user, *, new_client=False):
    if new_client:
        return _("Cargaste la solicitud #%(number)s para %(name)s. Le enviamos el comprobante y un enlace para "
                 "elegir su contraseña.") % {"number": ticket.number, "name": ticket.requester}
    if ticket.requester_id != user.pk:
        return _("Cargaste la solicitud #%(number)s para %(name)s. Le enviamos el comprobante por correo.") % {
            "number": ticket.number, "name": ticket.requester}
    return _("Recibimos tu solicitud #%(number)s. Te enviamos un comprobante por correo y te avisamos cada vez "
             "que haya una respuesta.") % {"number": ticket.number}


# --- The request page and its writes ------------------------------------------------------------


def _visible_ticket(request, number):
    ticket = selectors.ticket_for(request.user, number)
    if ticket is None:
        raise Http404
    return ticket


def _reply_form(request, ticket, data=None, files=None):
    return ReplyForm(data, files, user=request.user,
                     can_comment_internally=permissions.can_comment_internally(request.user, ticket),
                     can_wait=permissions.can_wait(request.user, ticket),
                     can_record_time=permissions.can_record_time(request.user, ticket))


@login_required
def detail(request, number):
    ticket = _visible_ticket(request, number)
    news.opened(request.user, ticket)  # staff: what changed since is no longer news
    return _render_detail(request, ticket, _reply_form(request, ticket))


def _render_detail(request, ticket, reply_form, status=200, canned_form=None):
    user = request.user
    colleagues = selectors.colleagues_in_copy(ticket)  # first: the predicates below read who is in copy from it
    actions = permissions.actions_for(user, ticket)
    timeline = selectors.timeline(ticket, user)
    context = {"ticket": ticket, "timeline": timeline, "actions": actions, "reply_form": reply_form,
               "time_spent": selectors.time_spent(timeline), **_upload_limits()}
    if actions["comment_internally"]:  # staff working on it: canned answers and their signature
        canned_form = canned_form or CannedPickForm(offers=canned.offered(ticket, user))
        shown = canned_form.offers or canned_form.errors  # none offered: no picker, unless to say why
        context.update(canned_form=canned_form if shown else None, signature=user.signature)
    if actions["reply"]:
        context["public_recipients"] = recipients.preview(ticket, user)
    if actions["comment_internally"]:
        context["internal_recipients"] = recipients.preview(ticket, user, internal=True)
    if actions["assign"]:
        context["assign_form"] = AssignForm(objects=selectors.assignable_operators(ticket), current=ticket.assignee_id)
    if actions["change_topic"]:
        context["topic_form"] = TopicForm(objects=selectors.topics_to_move_to(ticket))
    if actions["close"]:
        context["close_form"] = CloseForm()
    if actions["resolve"]:
        context["resolve_form"] = ResolveForm()
    if actions["set_priority"]:
        context["priority_form"] = PriorityForm(initial={"priority": ticket.priority})
    context["colleagues"] = colleagues
    context["copied_ids"] = {colleague.user_id for colleague in colleagues}
    if actions["manage_colleagues"]:
        candidates = selectors.colleague_candidates(ticket)
        context["colleague_form"] = ColleagueForm(objects=list(candidates)) if candidates is not None else None
    return render(request, "tickets/detail.html", context, status=status)


def _upload_limits():
    return {"max_file_mb": settings.ATTACHMENT_MAX_SIZE_MB, "max_files": settings.ATTACHMENT_MAX_FILES}


@login_required
@require_POST
def reply(request, number):
    ticket = _visible_ticket(request, number)
    form = _reply_form(request, ticket, request.POST, request.FILES)
    if (form.internal and not form.offers_internal) or (form.wait and not form.offers_wait):
        raise Http404  # a client asking for an internal comment or to wait: not theirs to make
    if "insertar" in request.POST:
        return _insert_canned_answer(request, ticket, form)
    if not form.is_valid():
        form.keep_files_for_next_try()
        return _render_detail(request, ticket, form)
    write = services.comment_internally if form.internal else services.reply
    try:
        outcome = write(ticket, by=request.user, **form.service_kwargs())
    except services.NotFound:
        raise Http404 from None
    except uploads.StorageUnavailable:
        form.storage_unavailable()
        form.keep_files_for_next_try()
        return _render_detail(request, ticket, form, status=503)
    form.forget_unticked_files()
    # Land on the new message, its confirmation shown on it rather than ~2,000 px above (templates/base.html
    # leaves out the messages tagged "beside-message").
    anchor = selectors.message_anchor(outcome.intervention.pk)
    messages.success(request, _reply_done(outcome), extra_tags=f"beside-message {anchor}")
    return redirect(f"{ticket.get_absolute_url()}#{anchor}")


def _insert_canned_answer(request, ticket, form):
    """«Insertar» without JavaScript: the form comes back with the chosen answer's text added to what was
    typed (files kept as after an error); nothing is sent. Only the answers offered on this request."""
    if not form.offers_internal:
        raise Http404  # clients are offered no canned answers
    pick = CannedPickForm(request.POST, offers=canned.offered(ticket, request.user))
    if pick.is_valid():
        data = request.POST.copy()
        data[form.add_prefix("body")] = canned.insert(data.get(form.add_prefix("body"), ""),
                                                      pick.cleaned_data["respuesta"].text)
        form = _reply_form(request, ticket, data, request.FILES)
        form.is_valid()  # checks the files, so that they are kept for the real send
        form.keep_files_for_next_try()
        pick = CannedPickForm(offers=list(pick.offers.values()))
    else:
        form.is_valid()
        form.keep_files_for_next_try()
    return _render_detail(request, ticket, form, canned_form=pick)


def _reply_done(outcome):
    if outcome.intervention.internal:
        return _("Guardaste un comentario interno. El cliente no lo ve.")
    if outcome.waiting:
        return _("Enviamos tu respuesta. La solicitud queda «Esperando al cliente».")
    if outcome.reopened:
        return _("Enviamos tu mensaje y la solicitud se reabrió.")
    if outcome.taken:
        return _("Enviamos tu respuesta. La solicitud pasó a «En proceso» y quedó asignada a vos.")
    return _("Enviamos tu respuesta.")


def _act(request, number, change, done_message):
    """Run one move on a request the user works on; refused moves come back as a message."""
    ticket = _visible_ticket(request, number)
    if not permissions.works_on(request.user, ticket):
        raise Http404
    try:
        changed = change(ticket).ticket
    except services.NotFound:
        raise Http404 from None
    except services.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect(ticket)
    if done_message:
        messages.success(request, done_message(changed) if callable(done_message) else done_message)
    if not Ticket.objects.visible_to(request.user).filter(pk=ticket.pk).exists():
        return redirect("tickets:inbox")  # moved to a topic this operator does not work
    return redirect(ticket)


class _InvalidForm(services.Refused):
    pass


def _valid(form):
    if not form.is_valid():
        raise _InvalidForm(" ".join(message for errors in form.errors.values() for message in errors))
    return form.cleaned_data


@login_required
@require_POST
def take(request, number):
    return _act(request, number, lambda ticket: services.take(ticket, by=request.user),
                _("Tomaste la solicitud. Ahora figura como asignada a vos."))


@login_required
@require_POST
def assign(request, number):
    def change(ticket):
        data = _valid(AssignForm(request.POST, objects=selectors.assignable_operators(ticket)))
        return services.assign(ticket, by=request.user, assignee=data["assignee"])

    return _act(request, number, change,
                lambda ticket: _("Asignaste la solicitud a %(name)s.") % {"name": ticket.assignee})


@login_required
@require_POST
def change_topic(request, number):
    def change(ticket):
        data = _valid(TopicForm(request.POST, objects=selectors.topics_to_move_to(ticket)))
        return services.change_topic(ticket, by=request.user, topic=data["topic"])

    return _act(request, number, change,
                lambda ticket: _("La solicitud #%(number)s pasó a la temática «%(topic)s».")
                % {"number": ticket.number, "topic": ticket.topic.name})


@login_required
@require_POST
def close(request, number):
    def change(ticket):
        data = _valid(CloseForm(request.POST))
        return services.close(ticket, by=request.user, message=data["message"])

    return _act(request, number, change, _("Cerraste la solicitud."))


@login_required
@require_POST
def set_priority(request, number):
    def change(ticket):
        data = _valid(PriorityForm(request.POST))
        return services.set_priority(ticket, by=request.user, priority=data["priority"])

    return _act(request, number, change,
                lambda ticket: _("La prioridad ahora es %(priority)s.") % {"priority": ticket.get_priority_display()})


@login_required
@require_POST
def reopen(request, number):
    return _act(request, number, lambda ticket: services.reopen(ticket, by=request.user),
                _("Reabriste la solicitud: volvió a «En proceso»."))


@login_required
@require_POST
def resolve(request, number):
    """The requester closes their own request ("Ya está resuelto")."""
    ticket = _visible_ticket(request, number)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect(ticket)
    try:
        services.resolve(ticket, by=request.user, message=form.cleaned_data["message"])
    except services.NotFound:
        raise Http404 from None
    except services.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect(ticket)
    messages.success(request, _("Cerraste tu solicitud. Si necesitás algo más, escribí acá y se reabre."))
    return redirect(ticket)


@login_required
def download(request, number, attachment_id):
    ticket = _visible_ticket(request, number)
    attachment = selectors.attachment_for(request.user, ticket, attachment_id)
    if attachment is None or not permissions.can_download(request.user, attachment, ticket):
        raise Http404
    # Streamed through this view (not a signed link to the bucket): every byte passes the check above, a link
    # cannot be forwarded, and the storage need not be reachable from the internet.
    try:
        with uploads.using_storage(f"reading {attachment.file.name!r}"):
            stored = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    except uploads.StorageUnavailable:
        messages.error(request, _("No pudimos traer «%(name)s»: el almacenamiento de archivos no responde. Probá de "
                                  "nuevo en unos minutos.") % {"name": attachment.original_name})
        return redirect(ticket)
    response = FileResponse(stored, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Colleagues in copy (issue 14) ---------------------------------------------------------------------


def _change_copy(request, number, change, objects_of, done):
    """Add or remove a colleague in copy: the requester or staff working the request; anyone else who sees it
    (a colleague in copy) gets 404 like a request they do not see."""
    ticket = _visible_ticket(request, number)
    if not permissions.can_manage_colleagues(request.user, ticket):
        raise Http404
    form = ColleagueForm(request.POST, objects=objects_of(ticket))
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect(f"{ticket.get_absolute_url()}#en-copia")
    colleague = form.cleaned_data["colleague"]
    try:
        change(ticket, by=request.user, colleague=colleague)
    except services.NotFound:
        raise Http404 from None
    except services.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done % {"name": colleague.display_name})
    return redirect(f"{ticket.get_absolute_url()}#en-copia")


@login_required
@require_POST
def add_colleague(request, number):
    def candidates(ticket):
        found = selectors.colleague_candidates(ticket)
        return list(found) if found is not None else []

    return _change_copy(request, number, services.add_colleague, candidates,
                        _("Agregaste a %(name)s en copia: ya puede ver la solicitud y le avisamos por correo."))


@login_required
@require_POST
def remove_colleague(request, number):
    def in_copy(ticket):
        return [colleague.user for colleague in selectors.colleagues_in_copy(ticket)]

    return _change_copy(request, number, services.remove_colleague, in_copy,
                        _("Quitaste a %(name)s de la copia: ya no ve la solicitud."))
