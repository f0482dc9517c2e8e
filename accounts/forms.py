"""Forms of the account pages: allauth's, with our fields and Argentine Spanish, and the administrators'."""

from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from django import forms
from django.contrib.auth import password_validation
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.cuit import normalize_cuit
from accounts.models import Role, User
from accounts.phones import national_format, normalize_phone
from accounts.selectors import email_taken
from accounts.services import EMAIL_TAKEN

EMAIL_LABEL = _("Correo electrónico")
INVALID_EMAIL = _("Escribí un correo electrónico válido, por ejemplo nombre@empresa.com.ar.")
PASSWORD_HELP = _(
    "Al menos 10 caracteres. Que no sea una contraseña común, ni solo números, ni parecida a tu correo o tu nombre."
)


def _email_widget(field):
    field.label = EMAIL_LABEL
    field.widget.attrs.update({"placeholder": _("nombre@empresa.com.ar"), "autocomplete": "email"})


def _cuit_field():
    return forms.CharField(
        label=_("CUIT"), max_length=20,
        help_text=_("Los 11 dígitos de la empresa, con o sin guiones."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "30-71234567-1"}),
    )


def _phone_field(required=True):
    return forms.CharField(
        label=_("Teléfono de contacto"), max_length=30, required=required,
        help_text=_("Con código de área, por ejemplo 011 4321-5678."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )


def _clean_phone(value):
    """A typed phone as E.164; an optional one left empty stays empty."""
    return normalize_phone(value) if value else ""


def _full_name_field():
    return forms.CharField(
        label=_("Nombre y apellido"), max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class SameNewPasswordMixin:
    """allauth says "Debe escribir la misma contraseña cada vez"; we say it our way."""

    def clean(self):
        typed = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        cleaned_data = super().clean()
        if all(typed) and typed[0] != typed[1]:
            self.errors["password2"] = self.error_class([_("Las dos contraseñas no coinciden.")])
        return cleaned_data


def _no_placeholder(*fields):
    for field in fields:
        field.widget.attrs.pop("placeholder", None)


class SignupForm(SameNewPasswordMixin, allauth_forms.SignupForm):
    """The brief's sign-up: email, company, CUIT, name, phone and password; nothing is written on an error."""

    company_name = forms.CharField(
        label=_("Nombre de la empresa"), max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    cuit = _cuit_field()
    full_name = _full_name_field()
    phone = _phone_field()

    field_order = ["email", "company_name", "cuit", "full_name", "phone", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _email_widget(self.fields["email"])
        self.fields["password1"].label = _("Contraseña")
        self.fields["password1"].help_text = PASSWORD_HELP
        self.fields["password2"].label = _("Repetí la contraseña")
        _no_placeholder(self.fields["password1"], self.fields["password2"])

    def clean_cuit(self):
        return normalize_cuit(self.cleaned_data["cuit"])

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned_data = super().clean()
        # allauth checks the password against a user that has only the email: check the name too.
        password = cleaned_data.get("password1")
        if password and "password1" not in self.errors:
            candidate = User(email=cleaned_data.get("email") or "", full_name=cleaned_data.get("full_name") or "")
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned_data

    def signup(self, request, user):
        """Required by allauth; the adapter's save_user already filled in the client and their company."""

    def try_save(self, request):
        # One transaction: the company, the user and their address are written together or not at all.
        with transaction.atomic():
            return super().try_save(request)


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _email_widget(self.fields["login"])
        self.fields["password"].label = _("Contraseña")
        _no_placeholder(self.fields["password"])


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _email_widget(self.fields["email"])


class ResetPasswordKeyForm(SameNewPasswordMixin, allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("Contraseña nueva")
        self.fields["password1"].help_text = PASSWORD_HELP
        self.fields["password2"].label = _("Repetí la contraseña nueva")
        _no_placeholder(self.fields["password1"], self.fields["password2"])


class AcceptInvitationForm(ResetPasswordKeyForm):
    """The invitation link's form: the invitee's first password (allauth's reset-from-key form, our words)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("Contraseña")
        self.fields["password2"].label = _("Repetí la contraseña")


class ChangePasswordForm(SameNewPasswordMixin, allauth_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["oldpassword"].label = _("Contraseña actual")
        self.fields["password1"].label = _("Contraseña nueva")
        self.fields["password1"].help_text = PASSWORD_HELP
        self.fields["password2"].label = _("Repetí la contraseña nueva")
        _no_placeholder(self.fields["oldpassword"], self.fields["password1"], self.fields["password2"])

    def clean_oldpassword(self):
        """Checked like a login (allauth's `reauthenticate`): it counts against the account's failed-password
        limit and is refused while that limit holds, even when right (allauth only calls check_password)."""
        password = self.cleaned_data.get("oldpassword", "")
        adapter = get_adapter()
        if not adapter.reauthenticate(self.user, password):
            raise adapter.validation_error("enter_current_password")
        return password


class ChangeEmailForm(allauth_forms.AddEmailForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _email_widget(self.fields["email"])
        self.fields["email"].label = _("Correo electrónico nuevo")


class ProfileForm(forms.Form):
    """A person's name and phone, edited by them (Mi perfil) or by an administrator (their page). Clients
    must leave a phone (the sign-up asks for it); for operators and administrators it is optional."""

    full_name = _full_name_field()
    phone = _phone_field()

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"full_name": user.full_name, "phone": national_format(user.phone)})
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = user.is_client

    def clean_phone(self):
        return _clean_phone(self.cleaned_data["phone"])


SIGNATURE_MAX_LENGTH = 500
SIGNATURE_MAX_LINES = 6


class SignatureForm(forms.Form):
    """The signature of an operator or administrator (Mi perfil): plain text, a few lines, may be empty."""

    signature = forms.CharField(
        label=_("Firma"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Va debajo de tus respuestas a los clientes, en la página y en el correo; nunca en los "
                    "comentarios internos. Texto simple, hasta 6 líneas. Si la cambiás, las respuestas ya "
                    "enviadas quedan como estaban."),
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"signature": user.signature})
        super().__init__(*args, **kwargs)

    def clean_signature(self):
        signature = self.cleaned_data["signature"].replace("\r\n", "\n").strip()
        if len(signature) > SIGNATURE_MAX_LENGTH:
            raise forms.ValidationError(_("Puede tener hasta %(limit)d caracteres (tiene %(count)d).")
                                        % {"limit": SIGNATURE_MAX_LENGTH, "count": len(signature)})
        if len(signature.splitlines()) > SIGNATURE_MAX_LINES:
            raise forms.ValidationError(_("Puede tener hasta %(lines)d líneas.") % {"lines": SIGNATURE_MAX_LINES})
        return signature


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(label=EMAIL_LABEL, max_length=254, error_messages={"invalid": INVALID_EMAIL},
                             widget=forms.EmailInput(attrs={"autocomplete": "email",
                                                            "placeholder": _("nombre@empresa.com.ar")}))

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class InviteForm(forms.Form):
    """An administrator invites an operator or an administrator (topics.forms.StaffInviteForm adds their
    topics). No CUIT, no password: the invitee chooses it from the email."""

    email = forms.EmailField(
        label=EMAIL_LABEL, max_length=254, error_messages={"invalid": INVALID_EMAIL},
        help_text=_("Le llega la invitación con un enlace para elegir su contraseña."),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": _("nombre@empresa.com.ar")}),
    )
    full_name = forms.CharField(label=_("Nombre y apellido"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(
        label=_("Rol"), initial=Role.OPERATOR, widget=forms.RadioSelect,
        error_messages={"required": _("Elegí operador o administrador."),
                        "invalid_choice": _("Elegí operador o administrador.")},
        choices=[(Role.OPERATOR.value, _("Operador: atiende las solicitudes de sus temáticas")),
                 (Role.ADMIN.value, _("Administrador: además maneja usuarios, temáticas e informes"))],
    )
    phone = _phone_field(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = _("Opcional. Con código de área, por ejemplo 011 4321-5678.")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email_taken(email):
            raise forms.ValidationError(EMAIL_TAKEN, code="email_taken")
        return email

    def clean_phone(self):
        return _clean_phone(self.cleaned_data["phone"])


class ChangeEmailByAdminForm(forms.Form):
    """A person's new address, typed by an administrator (accounts.services.change_email says what follows)."""

    email = forms.EmailField(
        label=_("Correo electrónico nuevo"), max_length=254, error_messages={"invalid": INVALID_EMAIL},
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": _("nombre@empresa.com.ar")}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email == self.user.email.lower():
            raise forms.ValidationError(_("Ese ya es su correo electrónico."), code="same_email")
        if email_taken(email, except_user=self.user):
            raise forms.ValidationError(EMAIL_TAKEN, code="email_taken")
        return email


class UserSearchForm(forms.Form):
    """The users list's filters: free text, role and status, each from a fixed list."""

    # Values of accounts.models.AccountState, except "pending": invited, no password chosen yet.
    STATUS_CHOICES = [("", _("Todas")), ("active", _("Activas")), ("unverified", _("Sin verificar")),
                      ("pending_confirmation", _("Pendientes de confirmación")),
                      ("pending", _("Invitaciones pendientes")), ("inactive", _("Desactivadas"))]

    q = forms.CharField(
        label=_("Buscar"), required=False, max_length=200,
        widget=forms.TextInput(attrs={
            "type": "search", "class": "form-control", "placeholder": _("Correo, nombre, empresa o CUIT"),
            "autocomplete": "off",
        }),
    )
    role = forms.ChoiceField(label=_("Rol"), required=False, choices=[("", _("Todos")), *Role.choices])
    status = forms.ChoiceField(label=_("Estado"), required=False, choices=STATUS_CHOICES)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rol"), choices=Role.choices)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.display_name} · {user.email}" if user.full_name else user.email


class HandOffForm(forms.Form):
    """What happens to the open requests a person holds when a change takes their access away: back to
    «Nuevo» for their topic, or to a person the administrator picks (accounts.handoff)."""

    RELEASE, REASSIGN = "liberar", "reasignar"

    pendientes = forms.ChoiceField(
        label=_("Sus solicitudes abiertas"), widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial=RELEASE, required=False,  # not sent when the person held nothing: nothing to hand off
        choices=[(RELEASE, _("Vuelven a «Nuevo», sin asignar, para que las tome alguien de su temática")),
                 (REASSIGN, _("Pasan a otra persona"))],
    )
    reasignar_a = PersonChoiceField(
        label=_("Pasárselas a"), required=False, queryset=User.objects.none(), empty_label=_("Elegí una persona"),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Elegí una persona de la lista.")},
    )

    def __init__(self, *args, holder=None, **kwargs):
        """`holder`: the person losing access, left out of the people to pass their requests to."""
        super().__init__(*args, **kwargs)
        people = User.objects.staff().order_by("full_name", "email")
        self.fields["reasignar_a"].queryset = people.exclude(pk=holder.pk) if holder else people

    def clean(self):
        data = super().clean()
        if data.get("pendientes") == self.REASSIGN and not data.get("reasignar_a"):
            self.add_error("reasignar_a", _("Elegí a quién pasarle las solicitudes."))
        return data

    @property
    def reassign_to(self):
        """The person chosen, or None to send the requests back to «Nuevo» (valid forms only)."""
        if self.cleaned_data.get("pendientes") == self.REASSIGN:
            return self.cleaned_data["reasignar_a"]
        return None


# --- Companies (accounts.membership) ---------------------------------------------------------------------------


class CompanySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Buscar"), required=False, max_length=200,
        widget=forms.TextInput(attrs={
            "type": "search", "class": "form-control", "placeholder": _("Nombre o CUIT"), "autocomplete": "off",
        }),
    )


class CompanyRenameForm(forms.Form):
    name = forms.CharField(label=_("Nombre de la empresa"), max_length=200,
                           error_messages={"required": _("Escribí el nombre de la empresa.")})

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Escribí el nombre de la empresa."), code="required")
        return name


class CompanyContactForm(forms.Form):
    contact = PersonChoiceField(
        label=_("Responsable"), queryset=User.objects.none(), empty_label=_("Elegí una persona"),
        help_text=_("Confirma o rechaza a quienes se registren con este CUIT. Si todavía no estaba confirmada, "
                    "queda confirmada."),
        error_messages={"required": _("Elegí una persona de la empresa."),
                        "invalid_choice": _("Elegí una persona de la lista.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = candidates
