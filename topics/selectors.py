"""Reads of topics for the pages."""

from django.db.models import Count

from accounts.models import Role, User
from topics.models import Topic


def topics_with_counts():
    """Every topic, active first, with how many operators work it."""
    return Topic.objects.annotate(operator_count=Count("operators")).order_by("-is_active", "name")


def open_topics():
    """The topics a new request may be filed under: active ones only."""
    return Topic.objects.filter(is_active=True).order_by("name")


def possible_operators():
    """The people who may work a topic: operators and administrators, active ones."""
    return User.objects.filter(role__in=[Role.OPERATOR, Role.ADMIN], is_active=True).order_by("full_name", "email")
