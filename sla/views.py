from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import administrator_required
from sla import business_hours, services
from sla.forms import ClosedDayForm, ScheduleForm, TargetsForm
from sla.models import ClosedDay, Target
from topics.models import Topic


def _schedule_page(request, form, closed_form, status=200):
    today = business_hours.today_local()
    holidays = sorted(business_hours._national_holidays(today.year).items())
    return render(request, "sla/schedule.html", {
        "form": form, "closed_form": closed_form, "holidays": [(day, name) for day, name in holidays if day >= today],
        # The last year's too: one added after the fact (to correct a deadline) must be seen, and removable.
        "closed_days": ClosedDay.objects.filter(date__gte=today - timedelta(days=365)), "today": today,
        "year": today.year}, status=status)


@administrator_required
def schedule(request):
    form = ScheduleForm(request.POST or None, hours=business_hours.current_schedule().hours)
    if request.method == "POST" and form.is_valid():
        services.set_schedule(by=request.user, hours=form.cleaned_data["hours"])
        messages.success(request, _("Guardaste el horario de atención."))
        return redirect("sla:schedule")
    return _schedule_page(request, form, ClosedDayForm(), status=400 if request.method == "POST" else 200)


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def closed_day_add(request):
    form = ClosedDayForm(request.POST)
    if form.is_valid():
        day = services.add_closed_day(by=request.user, **form.cleaned_data)
        messages.success(request, _("El %(date)s no se trabaja: %(name)s.") % {
            "date": day.date.strftime("%d/%m/%Y"), "name": day.name})
        return redirect("sla:schedule")
    return _schedule_page(request, ScheduleForm(hours=business_hours.current_schedule().hours), form, status=400)


@administrator_required  # first, so the wrong people get 404 whatever the method
@require_POST
def closed_day_remove(request, pk):
    day = get_object_or_404(ClosedDay, pk=pk)
    services.remove_closed_day(day, by=request.user)
    messages.success(request, _("El %(date)s vuelve a ser hábil.") % {"date": day.date.strftime("%d/%m/%Y")})
    return redirect("sla:schedule")


@administrator_required
def targets(request):
    topics = list(Topic.objects.filter(is_active=True).order_by("name"))
    current = {(target.topic_id, target.priority): target for target in Target.objects.all()}
    form = TargetsForm(request.POST or None, topics=topics, targets=current)
    if request.method == "POST" and form.is_valid():
        kept = dict(form.cleaned_data["targets"])
        # Targets of inactive topics are not on the page: they stay as they are.
        kept.update({key: (target.first_response_hours, target.resolution_hours) for key, target in current.items()
                     if key[0] not in {topic.pk for topic in topics}})
        services.set_targets(by=request.user, targets=kept)
        messages.success(request, _("Guardaste los objetivos de SLA."))
        return redirect("sla:targets")
    return render(request, "sla/targets.html", {"form": form}, status=400 if request.method == "POST" else 200)
