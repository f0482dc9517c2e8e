"""The outbox moves from accounts to mail: only Django's idea of which app owns it changes. The table
(accounts_outboxmessage, made by accounts 0002) and its rows stay where they are."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_outboxmessage'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='OutboxMessage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='creado')),
                        ('status', models.CharField(choices=[('pending', 'Pendiente'), ('sent', 'Enviado'), ('failed', 'Fallido')], default='pending', max_length=10, verbose_name='estado')),
                        ('message_id', models.CharField(max_length=255, unique=True, verbose_name='Message-ID')),
                        ('from_email', models.CharField(max_length=500, verbose_name='remitente')),
                        ('to', models.JSONField(default=list, verbose_name='para')),
                        ('cc', models.JSONField(blank=True, default=list, verbose_name='copia')),
                        ('bcc', models.JSONField(blank=True, default=list, verbose_name='copia oculta')),
                        ('reply_to', models.JSONField(blank=True, default=list, verbose_name='responder a')),
                        ('subject', models.TextField(blank=True, verbose_name='asunto')),
                        ('body', models.TextField(blank=True, verbose_name='cuerpo')),
                        ('content_subtype', models.CharField(default='plain', max_length=20)),
                        ('alternatives', models.JSONField(blank=True, default=list)),
                        ('attachments', models.JSONField(blank=True, default=list)),
                        ('headers', models.JSONField(blank=True, default=dict)),
                        ('attempts', models.PositiveIntegerField(default=0, verbose_name='intentos')),
                        ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='próximo intento')),
                        ('lease_until', models.DateTimeField(blank=True, null=True)),
                        ('lease_token', models.CharField(blank=True, max_length=32)),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='enviado')),
                        ('last_error', models.TextField(blank=True, verbose_name='último error')),
                    ],
                    options={
                        'db_table': 'accounts_outboxmessage',
                        'verbose_name': 'correo saliente',
                        'verbose_name_plural': 'correos salientes',
                        'indexes': [models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at', 'id'], name='outbox_pending_due_idx')],
                    },
                ),
            ],
        ),
    ]
