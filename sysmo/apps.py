from django.apps import AppConfig


class SysmoConfig(AppConfig):
    """The project itself as an app: its start-up checks (sysmo/startup.py)."""

    name = "sysmo"
    verbose_name = "Sysmo Tickets"

    def ready(self):
        from sysmo import startup  # noqa: F401 (registers the deploy checks)
