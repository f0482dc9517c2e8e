from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountAuditEntry, Company, User


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "cuit", "created_at"]
    search_fields = ["name", "cuit"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "company", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "full_name", "company__name", "company__cuit"]
    list_select_related = ["company"]
    autocomplete_fields = ["company"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Datos personales"), {"fields": ["full_name", "phone", "company", "language"]}),
        (_("Permisos"), {"fields": ["role", "is_active", "is_staff", "is_superuser"]}),
        (_("Fechas"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "role", "password1", "password2"]}),
    ]


@admin.register(AccountAuditEntry)
class AccountAuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is written by accounts.services, never edited."""

    list_display = ["at", "actor", "target", "action"]
    list_filter = ["action"]
    search_fields = ["target__email", "actor__email"]
    list_select_related = ["actor", "target"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
