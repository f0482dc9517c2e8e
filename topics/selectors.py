"""Reads of topics for the pages."""

from django.db.models import Count, Exists, OuterRef, Q

from accounts.models import STAFF_ROLES, User
from topics.models import Topic


def topics_with_counts():
    """Every topic, active first, with how many operators work it (`operator_count`) and how many of them
    are active operators or administrators (`active_operator_count`: 0 means clients are not offered it)."""
    active = Q(operators__is_active=True, operators__role__in=STAFF_ROLES)
    return Topic.objects.annotate(
        operator_count=Count("operators", distinct=True),
        active_operator_count=Count("operators", filter=active, distinct=True),
    ).order_by("-is_active", "name")


def open_topics():
    """The topics a new request may be filed under: active ones that someone works (an active operator or
    administrator belongs to it), so no request lands where nobody would see it (issue 11)."""
    worked = User.objects.staff().filter(topics=OuterRef("pk"))
    return Topic.objects.filter(Exists(worked), is_active=True).order_by("name")


def possible_operators():
    """The people who may work a topic: operators and administrators, active ones."""
    return User.objects.staff().order_by("full_name", "email")
