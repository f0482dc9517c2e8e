"""Counters of requests per (topic, state) and per (assignee, state) for the tab counts, filled from the
existing requests; an index for "Todas" ordered by state and for one-state filters."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

COUNT_EXISTING = [
    "INSERT INTO tickets_topicstatecount (topic_id, state, count) "
    "SELECT topic_id, state, COUNT(*) FROM tickets_ticket GROUP BY topic_id, state",
    "INSERT INTO tickets_assigneestatecount (assignee_id, state, count) "
    "SELECT assignee_id, state, COUNT(*) FROM tickets_ticket WHERE assignee_id IS NOT NULL GROUP BY assignee_id, state",
]


def count_existing(apps, schema_editor):
    for sql in COUNT_EXISTING:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_accountauditentry'),
        ('tickets', '0002_pending_uploads_and_create_once'),
        ('topics', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AssigneeStateCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('new', 'Nuevo'), ('in_progress', 'En proceso'), ('closed', 'Cerrado')], max_length=12, verbose_name='estado')),
                ('count', models.IntegerField(default=0, verbose_name='cantidad')),
            ],
            options={
                'verbose_name': 'cantidad por asignado y estado',
                'verbose_name_plural': 'cantidades por asignado y estado',
            },
        ),
        migrations.CreateModel(
            name='TopicStateCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('new', 'Nuevo'), ('in_progress', 'En proceso'), ('closed', 'Cerrado')], max_length=12, verbose_name='estado')),
                ('count', models.IntegerField(default=0, verbose_name='cantidad')),
            ],
            options={
                'verbose_name': 'cantidad por temática y estado',
                'verbose_name_plural': 'cantidades por temática y estado',
            },
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['-state', '-last_activity_at', '-number'], name='ticket_order_state_idx'),
        ),
        migrations.AddField(
            model_name='assigneestatecount',
            name='assignee',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='asignada a'),
        ),
        migrations.AddField(
            model_name='topicstatecount',
            name='topic',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='topics.topic', verbose_name='temática'),
        ),
        migrations.AddConstraint(
            model_name='assigneestatecount',
            constraint=models.UniqueConstraint(fields=('assignee', 'state'), name='count_per_assignee_state'),
        ),
        migrations.AddConstraint(
            model_name='topicstatecount',
            constraint=models.UniqueConstraint(fields=('topic', 'state'), name='count_per_topic_state'),
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
