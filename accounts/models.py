from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.cuit import normalize_cuit, validate_cuit
from accounts.phones import national_format, whatsapp_url


class Company(models.Model):
    name = models.CharField(_("nombre de la empresa"), max_length=200)
    cuit = models.CharField(
        _("CUIT"), max_length=13, unique=True, validators=[validate_cuit],
        help_text=_("Se guarda como XX-XXXXXXXX-X."),
    )
    created_at = models.DateTimeField(_("alta"), default=timezone.now)
    # The person who confirms who else belongs to the company (accounts.membership): its first member to
    # verify their address, or whoever an administrator names.
    contact = models.ForeignKey(
        "accounts.User", verbose_name=_("responsable"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("empresa")
        verbose_name_plural = _("empresas")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.cuit})"

    def save(self, *args, **kwargs):
        self.cuit = normalize_cuit(self.cuit)
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    CLIENT = "client", _("Cliente")
    OPERATOR = "operator", _("Operador")
    ADMIN = "admin", _("Administrador")


# "Operators and administrators": the people who work requests (staff). The one definition.
STAFF_ROLES = (Role.OPERATOR, Role.ADMIN)


class AccountState(models.TextChoices):
    """What an account is now, in one word for administrators (account_state computes it)."""

    DEACTIVATED = "inactive", _("Desactivada")
    INVITED = "invited", _("Invitación pendiente")
    UNVERIFIED = "unverified", _("Sin verificar")
    PENDING_CONFIRMATION = "pending_confirmation", _("Pendiente de confirmación")
    ACTIVE = "active", _("Activa")


def account_state(user):
    """The one rule of an account's state, first match wins: Desactivada (cannot log in), Invitación pendiente
    (staff who have not chosen a password), Sin verificar (never proved their address: cannot log in), Pendiente
    de confirmación (their company's contact has not accepted them: accounts.membership), Activa.
    Reads `email_verified` when the queryset annotated it (UserQuerySet.with_state), else asks allauth."""
    if not user.is_active:
        return AccountState.DEACTIVATED
    if user.invitation_pending:
        return AccountState.INVITED
    verified = getattr(user, "email_verified", None)
    if verified is None:
        from allauth.account.models import EmailAddress

        verified = EmailAddress.objects.filter(user_id=user.pk, verified=True).exists()
    if not verified:
        return AccountState.UNVERIFIED
    if user.membership_pending:
        return AccountState.PENDING_CONFIRMATION
    return AccountState.ACTIVE


class UserQuerySet(models.QuerySet):
    def with_state(self):
        """Annotate `email_verified` (any address proved), which account_state reads without a query."""
        from allauth.account.models import EmailAddress

        return self.annotate(email_verified=models.Exists(
            EmailAddress.objects.filter(user_id=models.OuterRef("pk"), verified=True)))

    def in_state(self, state):
        """The queryset side of account_state: accounts whose state is `state` (an AccountState value)."""
        users = self if "email_verified" in self.query.annotations else self.with_state()
        invited = models.Q(invited_at__isnull=False, password__startswith=UNUSABLE_PASSWORD_PREFIX)
        pending = models.Q(company__isnull=False, company_confirmed=False)
        if state == AccountState.DEACTIVATED:
            return users.filter(is_active=False)
        users = users.filter(is_active=True)
        if state == AccountState.INVITED:
            return users.filter(invited)
        users = users.exclude(invited)
        if state == AccountState.UNVERIFIED:
            return users.filter(email_verified=False)
        users = users.filter(email_verified=True)
        if state == AccountState.PENDING_CONFIRMATION:
            return users.filter(pending)
        return users.exclude(pending)

    def staff(self):
        """Active operators and administrators: the people who may work requests now."""
        return self.filter(role__in=STAFF_ROLES, is_active=True)

    def invitation_pending(self):
        """Invited by an administrator and no password chosen yet (the queryset side of
        User.invitation_pending: the same rule)."""
        return self.filter(invited_at__isnull=False, password__startswith=UNUSABLE_PASSWORD_PREFIX)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("An email is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(role=Role.ADMIN, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their email: a client, an operator or an administrator."""

    email = models.EmailField(_("correo electrónico"), max_length=254, unique=True)
    full_name = models.CharField(_("nombre"), max_length=150)
    phone = models.CharField(_("teléfono"), max_length=20, blank=True, help_text=_("Formato E.164."))
    role = models.CharField(_("rol"), max_length=10, choices=Role.choices, default=Role.CLIENT)
    company = models.ForeignKey(
        Company, verbose_name=_("empresa"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="users",
    )
    language = models.CharField(_("idioma"), max_length=10, default="es-ar")
    is_active = models.BooleanField(_("activo"), default=True)
    is_staff = models.BooleanField(_("acceso al admin de Django"), default=False)
    date_joined = models.DateTimeField(_("alta"), default=timezone.now)
    # Set when an administrator invites the person (accounts.services.create_invited_user); see invitation_pending.
    invited_at = models.DateTimeField(_("invitación"), null=True, blank=True)
    # False while the company's responsible contact (or an administrator) has not accepted this person as a
    # member: set by a sign-up with a known CUIT (accounts.membership). Meaningless without a company.
    company_confirmed = models.BooleanField(_("empresa confirmada"), default=True)
    # The company name this person typed at sign-up when it differs from the stored one, for administrators.
    company_name_given = models.CharField(_("empresa que escribió"), max_length=200, blank=True)
    # Operators and administrators: added under their public answers (tickets.services copies it into each one).
    signature = models.TextField(_("firma"), blank=True, default="")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        """How the product names a person everywhere: their name, or their email when they gave none."""
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def phone_display(self):
        """The phone as people read it: national format for Argentine numbers."""
        return national_format(self.phone)

    @property
    def phone_whatsapp_url(self):
        """A link that opens a WhatsApp chat with this person, or "" without a phone."""
        return whatsapp_url(self.phone)

    @property
    def invitation_pending(self):
        """Invited by an administrator and has not chosen a password yet: the invitation link (or a
        password-reset link) is the only way in. Choosing a password, by either link, accepts it."""
        return self.invited_at is not None and not self.has_usable_password()

    @property
    def account_state(self):
        """Desactivada, Invitación pendiente, Sin verificar, Pendiente de confirmación or Activa (account_state)."""
        return account_state(self)

    @property
    def membership_pending(self):
        """Signed up with a company's CUIT and not yet accepted by its contact or an administrator: staff see
        the company marked «sin confirmar» (accounts.membership)."""
        return self.company_id is not None and not self.company_confirmed

    @property
    def is_company_contact(self):
        """The company's responsible contact: accepts or refuses who else signs up with its CUIT."""
        return self.company_id is not None and self.company.contact_id == self.pk

    @property
    def is_client(self):
        return self.role == Role.CLIENT

    @property
    def is_operator(self):
        """Operators and administrators both work requests."""
        return self.role in STAFF_ROLES

    @property
    def is_administrator(self):
        return self.role == Role.ADMIN


class AccountAuditEntry(models.Model):
    """What an administrator did to an account (and the invitee accepting their invitation): who, to whom,
    what, when. Written by accounts.services."""

    class Action(models.TextChoices):
        ROLE_CHANGED = "role_changed", _("Cambió el rol")
        TOPICS_CHANGED = "topics_changed", _("Cambió las temáticas")
        DEACTIVATED = "deactivated", _("Desactivó la cuenta")
        REACTIVATED = "reactivated", _("Reactivó la cuenta")
        PASSWORD_RESET_SENT = "password_reset_sent", _("Envió un enlace para restablecer la contraseña")
        INVITED = "invited", _("Invitó a la persona")
        INVITATION_RESENT = "invitation_resent", _("Reenvió la invitación")
        INVITATION_ACCEPTED = "invitation_accepted", _("Aceptó la invitación y eligió su contraseña")
        DETAILS_CHANGED = "details_changed", _("Cambió los datos")
        EMAIL_CHANGE_REQUESTED = "email_change_requested", _("Pidió cambiar el correo")
        EMAIL_CHANGED = "email_changed", _("Cambió el correo")
        BECAME_CONTACT = "became_contact", _("Quedó como responsable de su empresa")
        MEMBER_ACCEPTED = "member_accepted", _("Confirmó que pertenece a la empresa")
        MEMBER_REFUSED = "member_refused", _("Rechazó que pertenezca a la empresa")
        COMPANY_RENAMED = "company_renamed", _("Cambió el nombre de la empresa")
        CONTACT_CHANGED = "contact_changed", _("Cambió el responsable de la empresa")
        VERIFICATION_SENT = "verification_sent", _("Reenvió el correo de verificación")
        MFA_RESET = "mfa_reset", _("Quitó la verificación en dos pasos")
        DATA_ERASED = "data_erased", _("Eliminó sus datos personales, a su pedido")

    at = models.DateTimeField(_("fecha"), default=timezone.now)
    actor = models.ForeignKey(
        User, verbose_name=_("hecho por"), on_delete=models.SET_NULL, null=True, related_name="audit_actions",
    )
    target = models.ForeignKey(
        User, verbose_name=_("cuenta"), on_delete=models.CASCADE, related_name="audit_entries",
    )
    action = models.CharField(_("acción"), max_length=30, choices=Action.choices)
    # Values, not sentences, so the page can say them in the reader's language: {"before": …, "after": …}.
    detail = models.JSONField(_("detalle"), default=dict, blank=True)

    class Meta:
        verbose_name = _("registro de auditoría")
        verbose_name_plural = _("registros de auditoría")
        indexes = [
            # The user's page lists their entries, newest first.
            models.Index(fields=["target", "-at", "-id"], name="audit_target_at_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} → {self.target}: {self.action}"

    @property
    def summary(self):
        """The action in the reader's language, e.g. "Cambió el rol de Cliente a Operador"."""
        detail = self.detail or {}
        if self.action == self.Action.ROLE_CHANGED:
            return _("Cambió el rol de %(before)s a %(after)s") % {
                "before": _role_label(detail.get("before")), "after": _role_label(detail.get("after")),
            }
        if self.action == self.Action.TOPICS_CHANGED:
            parts = []
            if detail.get("added"):
                parts.append(_("agregó %(names)s") % {"names": ", ".join(detail["added"])})
            if detail.get("removed"):
                parts.append(_("quitó %(names)s") % {"names": ", ".join(detail["removed"])})
            return _("Cambió las temáticas: %(changes)s") % {"changes": "; ".join(parts)}
        if self.action == self.Action.PASSWORD_RESET_SENT and detail.get("email"):
            return _("Envió un enlace para restablecer la contraseña a %(email)s") % {"email": detail["email"]}
        if self.action == self.Action.INVITED and detail.get("email"):
            return _("Invitó a %(email)s como %(role)s") % {
                "email": detail["email"], "role": _role_label(detail.get("role")).lower(),
            }
        if self.action == self.Action.INVITATION_RESENT and detail.get("email"):
            return _("Reenvió la invitación a %(email)s") % {"email": detail["email"]}
        if self.action in (self.Action.MEMBER_ACCEPTED, self.Action.MEMBER_REFUSED, self.Action.BECAME_CONTACT,
                           self.Action.CONTACT_CHANGED) and detail.get("company"):
            return _("%(action)s: %(company)s") % {"action": self.get_action_display(), "company": detail["company"]}
        if self.action == self.Action.COMPANY_RENAMED and detail.get("after"):
            return _("Cambió el nombre de la empresa de «%(before)s» a «%(after)s»") % {
                "before": detail.get("before") or "—", "after": detail["after"]}
        if self.action == self.Action.DETAILS_CHANGED:
            return _details_changes(detail) or self.get_action_display()
        if self.action == self.Action.EMAIL_CHANGE_REQUESTED and detail.get("after"):
            return _("Pidió cambiar el correo de %(before)s a %(after)s: cambia cuando se confirme desde la "
                     "dirección nueva") % {"before": detail.get("before") or "—", "after": detail["after"]}
        if self.action == self.Action.EMAIL_CHANGED and detail.get("after"):
            return _("Cambió el correo de %(before)s a %(after)s") % {
                "before": detail.get("before") or "—", "after": detail["after"],
            }
        return self.get_action_display()


def _details_changes(detail):
    """A DETAILS_CHANGED line, {"full_name": [before, after], "phone": [before, after]}, as one sentence."""
    name = detail.get("full_name")
    phone = [national_format(value) or "—" for value in detail["phone"]] if "phone" in detail else None
    if name and phone:
        return _("Cambió el nombre de «%(name_before)s» a «%(name_after)s» y el teléfono de %(phone_before)s a "
                 "%(phone_after)s") % {"name_before": name[0], "name_after": name[1],
                                       "phone_before": phone[0], "phone_after": phone[1]}
    if name:
        return _("Cambió el nombre de «%(before)s» a «%(after)s»") % {"before": name[0], "after": name[1]}
    if phone:
        return _("Cambió el teléfono de %(before)s a %(after)s") % {"before": phone[0], "after": phone[1]}
    return ""


def _role_label(value):
    try:
        return Role(value).label
    except ValueError:
        return value or "—"


class SubmissionClaim(models.Model):
    """A form that was sent and answered: (user, key) writes once; a resend lands on `location`.

    Written by accounts.submissions in the transaction of the write itself, so a write that fails leaves no
    claim behind. Purged after SUBMISSION_KEY_MAX_AGE_DAYS.
    """

    # No index of its own: the unique (user, key) index serves the lookups and the cascade.
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.UUIDField()
    # Where the first answer redirected to; a resend of the same form is sent there too.
    location = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("formulario enviado")
        verbose_name_plural = _("formularios enviados")
        constraints = [
            # The whole mechanism: a second insert of the same pair fails (or, on PostgreSQL, waits for the
            # first transaction and then fails), so a form is acted on once.
            models.UniqueConstraint(fields=["user", "key"], name="submission_once_per_user"),
        ]
        indexes = [
            # The periodic purge of old claims.
            models.Index(fields=["created_at"], name="submission_purge_idx"),
        ]

    def __str__(self):
        return f"{self.user_id}:{self.key} → {self.location}"
