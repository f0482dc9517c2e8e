"""The SLA clock of one request: its due times, from its topic's and priority's target (sla.models.Target)
in business time (sla.business_hours). Issue 15, "SLA targets".

The clock runs from filing, stops while the request waits on the client and while it is closed: those
business minutes add up in `Ticket.sla_paused_minutes`, and every due time is
    filing + target + paused  (business minutes).
Until the first public answer of staff the active deadline (`sla_due_at`) is the first response's; after it,
the resolution's. `sla_warn_at` is when 80 % of the active target has passed (SLA_WARNING_PERCENT).
tickets.services asks `refreshed()` after every change that moves them; the beat task
(tickets.services.run_sla_clock) warns once at `sla_warn_at` and once at `sla_due_at`.
"""

import math

from django.conf import settings

from sla.business_hours import add_business_minutes, business_minutes, current_schedule

NOTHING_SENT, WARNED, BREACHED = 0, 1, 2


def target_for(ticket):
    """The sla.models.Target of the request's topic and priority, or None."""
    from sla.models import Target

    return Target.objects.filter(topic_id=ticket.topic_id, priority=ticket.priority).first()


def refreshed(ticket, now, *, paused_since=None, renotify=False, target=None, schedule=None):
    """The SLA fields of `ticket` (as it is in memory now) → {field: value} for the caller to save.

    `paused_since`: the start of a pause that ends at `now` (its wait on the client, or its close), whose
    business minutes stop counting. `renotify`: the target changed (topic, priority, or the first response
    moved the deadline to the resolution): the warning and the breach may be sent again for the new one.
    """
    schedule = schedule or current_schedule()
    paused = ticket.sla_paused_minutes or 0
    if paused_since is not None:
        paused += business_minutes(paused_since, now, schedule=schedule)
    fields = {"sla_paused_minutes": paused}
    if renotify:
        fields["sla_notified"] = NOTHING_SENT
    target = target or target_for(ticket)
    if target is None:
        return {**fields, "first_response_due_at": None, "resolution_due_at": None, "sla_due_at": None,
                "sla_warn_at": None}
    start = ticket.created_at
    first_due = add_business_minutes(start, target.first_response_minutes + paused, schedule=schedule)
    resolution_due = add_business_minutes(start, target.resolution_minutes + paused, schedule=schedule)
    active = target.first_response_minutes if ticket.first_response_at is None else target.resolution_minutes
    warn = math.ceil(active * settings.SLA_WARNING_PERCENT / 100)
    return {**fields, "first_response_due_at": first_due, "resolution_due_at": resolution_due,
            "sla_due_at": first_due if ticket.first_response_at is None else resolution_due,
            "sla_warn_at": add_business_minutes(start, warn + paused, schedule=schedule)}


def first_response(ticket, now, by, *, schedule=None):
    """The first public answer of staff, by `by` now: {first_response_at, first_response_by,
    first_response_minutes} (business minutes from filing, without the paused ones)."""
    spent = business_minutes(ticket.created_at, now, schedule=schedule) - (ticket.sla_paused_minutes or 0)
    return {"first_response_at": now, "first_response_by": by, "first_response_minutes": max(0, spent)}


def due_now(ticket, now):
    """What the beat task owes the request now: "breach", "warning" or None. Nothing while it waits on the
    client or is closed; the breach alone when the warning's moment was missed too."""
    if not ticket.is_open or ticket.waiting_since is not None or ticket.sla_due_at is None:
        return None
    if now >= ticket.sla_due_at and ticket.sla_notified < BREACHED:
        return "breach"
    if ticket.sla_warn_at and now >= ticket.sla_warn_at and ticket.sla_notified < WARNED:
        return "warning"
    return None
