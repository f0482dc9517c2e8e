"""Time spent (issue 15, item 5): minutes recorded with an intervention (the covering index: 0016)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0009_merge_membership_and_mail_move'),
        ('tickets', '0017_first_response_covering_index'),
        ('topics', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TimeEntry',
            fields=[
                ('intervention', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='time_entry', serialize=False, to='tickets.intervention', verbose_name='intervención')),
                ('minutes', models.PositiveIntegerField(verbose_name='minutos')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='fecha')),
                ('author', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='quién')),
                ('company', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.company', verbose_name='empresa')),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tickets.ticket', verbose_name='solicitud')),
                ('topic', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='topics.topic', verbose_name='temática')),
            ],
            options={
                'verbose_name': 'tiempo dedicado',
                'verbose_name_plural': 'tiempos dedicados',
                'indexes': [models.Index(fields=['at'], name='time_entry_report_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('minutes__gte', 1)), name='time_entry_minutes_positive')],
            },
        ),
    ]
