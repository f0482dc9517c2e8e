from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from satisfaction.models import Survey


class AnsweredFilter(admin.SimpleListFilter):
    title = _("respondida")
    parameter_name = "respondida"

    def lookups(self, request, model_admin):
        return [("si", _("Sí")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("si", "no"):
            return queryset.filter(score__isnull=self.value() == "no")
        return queryset


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """Read-only: the score and the comment are the client's answers (satisfaction.services records them from the
    closing email's links); nobody adds, changes or deletes one here. Deleting a person (Mis datos) goes through
    privacy.services.erase, which keeps the answer and blanks their name out of the comment."""

    list_display = ["ticket", "score", "sent_at", "answered_at", "changed_at", "assignee", "topic"]
    list_filter = [AnsweredFilter, "score", "topic", "sent_at"]
    list_select_related = ["ticket", "assignee", "topic"]
    fields = ["ticket", "requester", "assignee", "topic", "sent_at", "score", "comment", "answered_at", "changed_at"]
    show_full_result_count = False
    ordering = ["-sent_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
