"""`manage.py receive_mail < message.eml`: one message from standard input, for a mail server that pipes
what arrives (Postfix: `soporte: "|/path/.venv/bin/python /path/manage.py receive_mail"`)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from mail import inbound


class Command(BaseCommand):
    help = "Recibe un correo por la entrada estándar, lo guarda una sola vez y lo procesa."

    def handle(self, **options):
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise CommandError("No llegó ningún mensaje por la entrada estándar.")
        message, created = inbound.receive(raw, source="pipe")
        if not created:
            self.stdout.write(f"Ya recibido: {message.message_id} ({message.get_state_display()}).")
            return
        detail = message.result or message.reason
        self.stdout.write(f"{message.get_state_display()}: {detail}")
