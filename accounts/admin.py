from allauth.account.adapter import get_adapter
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountAuditEntry, Company, User

# Who may do what is the person's role (cliente, operador, administrador): Django's groups are not used, and
# offering them would suggest they count.
admin.site.unregister(Group)

# One way in, with one limit: Django's admin evaluates no password of its own. Its login page sends to
# allauth's (failed attempts counted per account and per address, see accounts.adapter) and its password
# change to ours (which checks the current password the same way and tells the owner by email).
admin.site.login = secure_admin_login(admin.site.login)


def _password_change(request, extra_context=None):
    return redirect("account_change_password")


admin.site.password_change = _password_change


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
    raw_id_fields = ["company"]  # select2's autocomplete box has no accessible name (axe)
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Datos personales"), {"fields": ["full_name", "phone", "company", "language"]}),
        (_("Permisos"), {"fields": ["role", "is_active", "is_staff", "is_superuser"]}),
        (_("Fechas"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "role", "password1", "password2"]}),
    ]

    # The owner hears of what an administrator changes here, as of what they change themselves
    # (accounts.adapter.AccountAdapter.send_notification_mail, the one home of these notices).

    def save_model(self, request, obj, form, change):
        old_email = form.initial.get("email")
        super().save_model(request, obj, form, change)
        if change and "email" in form.changed_data and old_email and old_email != obj.email:
            get_adapter(request).send_notification_mail(
                "account/email/email_changed", obj, {"from_email": old_email, "to_email": obj.email}, email=old_email,
            )

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        before = user.password if user else None
        response = super().user_change_password(request, id, form_url)
        if user and request.method == "POST":
            user.refresh_from_db(fields=["password"])
            if user.password != before:
                get_adapter(request).send_notification_mail("account/email/password_changed", user, email=user.email)
        return response


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
