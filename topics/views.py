from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import administrator_required
from accounts.models import User
from topics import selectors, services
from topics.forms import OperatorTopicsForm, TopicForm
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
    if request.method == "POST" and form.is_valid():
        services.update_topic(topic, **form.cleaned_data, by=request.user)
        messages.success(request, _("Guardaste los cambios de «%(name)s».") % {"name": topic.name})
        return redirect("topics:list")
    return render(request, "topics/form.html", {"form": form, "topic": topic})


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
    if request.method == "POST" and form.is_valid():
        services.set_topics_of(person, form.cleaned_data["topics"], by=request.user)
        messages.success(request, _("Guardaste las temáticas de %(name)s.") % {"name": person})
        return redirect("accounts:user_detail", pk=person.pk)
    return render(request, "topics/operator_topics.html", {"form": form, "person": person})
