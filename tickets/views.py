from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from tickets import selectors
from tickets.models import Ticket


def home(request):
    if request.user.is_authenticated:
        return redirect("tickets:inbox")
    return render(request, "home.html")


@login_required
def inbox(request):
    return render(request, "tickets/inbox.html", {"tickets": selectors.recent_for(request.user)})


@login_required
def detail(request, number):
    ticket = get_object_or_404(
        Ticket.objects.visible_to(request.user).select_related("topic", "requester", "company", "assignee"),
        number=number,
    )
    return render(request, "tickets/detail.html", {"ticket": ticket})
