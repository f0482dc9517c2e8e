"""The last activity a client can see (issue 20): a column kept by the services.

Existing requests get their last activity, except those whose last activity was an internal comment: theirs
is the latest of their creation, their events and their public interventions (what a client's history
shows). Migration 0009 then rebuilds the client's tray index on it: in its own transaction, because
PostgreSQL refuses to build an index on a table whose rows this transaction updated (the foreign keys'
deferred checks are still pending).
"""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest


def backfill(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Event = apps.get_model("tickets", "Event")
    Intervention = apps.get_model("tickets", "Intervention")
    Ticket.objects.update(public_activity_at=F("last_activity_at"))

    def latest(queryset, field):
        return Coalesce(Subquery(queryset.filter(ticket=OuterRef("pk")).order_by(f"-{field}").values(field)[:1]),
                        F("created_at"))

    internal_last = Intervention.objects.filter(ticket=OuterRef("pk"), internal=True,
                                                created_at__gte=OuterRef("last_activity_at"))
    Ticket.objects.filter(Exists(internal_last)).update(public_activity_at=Greatest(
        F("created_at"), latest(Event.objects.all(), "at"),
        latest(Intervention.objects.filter(internal=False), "created_at"),
    ))


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0007_attachment_file_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="public_activity_at",
            field=models.DateTimeField(default=django.utils.timezone.now,
                                       verbose_name="última actividad visible para el cliente"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
