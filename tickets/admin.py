from django.contrib import admin

from tickets.models import Ticket


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: every change to a request goes through tickets.services, never through the admin."""

    list_display = ["number", "subject", "topic", "state", "requester", "assignee", "last_activity_at"]
    list_filter = ["state", "topic"]
    list_select_related = ["topic", "requester", "assignee"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
