"""ticket_tray_requester_idx in the order of a client's tray: the last activity they can see (see 0008)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0008_public_activity"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_tray_requester_idx",
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["requester", "-public_activity_at", "-number"],
                               name="ticket_tray_requester_idx"),
        ),
    ]
