from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import handoff
from accounts.decorators import administrator_required
from accounts.forms import HandOffForm
from accounts.models import User
from topics import selectors, services
from topics.forms import OperatorTopicsForm, StaffInviteForm, TopicForm
from topics.models import Topic


@administrator_required
def topic_list(request):
    topics = list(selectors.topics_with_counts().prefetch_related("operators"))
    unworked = [topic.name for topic in topics if topic.is_active and not topic.active_operator_count]
    return render(request, "topics/list.html", {"topics": topics, "unworked": unworked})


@administrator_required
def topic_create(request):
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        topic = services.create_topic(**form.cleaned_data, by=request.user)
        messages.success(request, _("Creaste la temática «%(name)s».") % {"name": topic.name})
        return redirect("topics:list")
    return render(request, "topics/form.html", {"form": form, "topic": None})


@administrator_required
def topic_edit(request, pk):
    topic = get_object_or_404(Topic, pk=pk)
    form = TopicForm(request.POST or None, instance=topic)
    handoff_form = HandOffForm(request.POST or None, prefix="quitar")
    if request.method == "POST" and form.is_valid() and handoff_form.is_valid():
        result = services.update_topic(topic, **form.cleaned_data, by=request.user,
                                       reassign_to=handoff_form.reassign_to)
        messages.success(request, " ".join(filter(None, [
            _("Guardaste los cambios de «%(name)s».") % {"name": topic.name},
            handoff.describe(result, handoff_form.reassign_to)])))
        return redirect("topics:list")
    held = handoff.held_by(*topic.operators.all())
    return render(request, "topics/form.html", {"form": form, "topic": topic, "handoff": handoff_form, "held": held},
                  status=400 if request.method == "POST" else 200)


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def topic_deactivate(request, pk):
    topic = get_object_or_404(Topic, pk=pk)
    services.set_active(topic, False, by=request.user)
    messages.success(request, _(
        "Desactivaste «%(name)s»: ya no recibe solicitudes nuevas; las que tiene siguen igual."
    ) % {"name": topic.name})
    return redirect("topics:list")


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def topic_reactivate(request, pk):
    topic = get_object_or_404(Topic, pk=pk)
    services.set_active(topic, True, by=request.user)
    messages.success(request, _("Reactivaste «%(name)s».") % {"name": topic.name})
    return redirect("topics:list")


@administrator_required
def operator_topics(request, pk):
    """The topics one operator or administrator works, chosen from their page."""
    person = get_object_or_404(User, pk=pk)
    if not services.can_work_topics(person):
        messages.error(request, _("Solo los operadores y administradores atienden temáticas."))
        return redirect("accounts:user_detail", pk=person.pk)
    form = OperatorTopicsForm(request.POST or None, user=person)
    handoff_form = HandOffForm(request.POST or None, prefix="quitar", holder=person)
    if request.method == "POST" and form.is_valid() and handoff_form.is_valid():
        result = services.set_topics_of(person, form.cleaned_data["topics"], by=request.user,
                                        reassign_to=handoff_form.reassign_to)
        messages.success(request, " ".join(filter(None, [
            _("Guardaste las temáticas de %(name)s.") % {"name": person},
            handoff.describe(result, handoff_form.reassign_to)])))
        return redirect("accounts:user_detail", pk=person.pk)
    return render(request, "topics/operator_topics.html", {
        "form": form, "person": person, "handoff": handoff_form, "held": handoff.held_by(person),
    }, status=400 if request.method == "POST" else 200)


@administrator_required
def invite(request):
    """An administrator invites an operator or administrator by email, with their topics (topics.services
    .invite_staff: here because it sets topics). Nothing is created until the form is right."""
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitee = services.invite_staff(**form.cleaned_data, by=request.user)
        except ValidationError as error:  # the address was taken between the form's check and the write
            form.add_error(None, error)
        else:
            messages.success(request, _(
                "Invitaste a %(name)s. Le enviamos a %(email)s un enlace para elegir su contraseña."
            ) % {"name": invitee, "email": invitee.email})
            return redirect("accounts:user_detail", pk=invitee.pk)
    return render(request, "topics/invite.html", {"form": form}, status=400 if request.method == "POST" else 200)
