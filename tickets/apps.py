from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Solicitudes")

    def ready(self):
        from accounts import handoff
        from mail import inbound
        from tickets import email_in, services

        handoff.register(held=services.count_open_requests_held_by, hand_off=services.hand_off_stranded)
        inbound.register(answer=email_in.answer, start=email_in.start)
