import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from topics.models import Topic


class State(models.TextChoices):
    NEW = "new", _("Nuevo")
    IN_PROGRESS = "in_progress", _("En proceso")
    CLOSED = "closed", _("Cerrado")


class WaitsOn(models.TextChoices):
    """Who a request is waiting for (Ticket.waits_on): shown in the trays; not stored."""

    CLIENT = "client", _("Esperando al cliente")
    SUPPORT = "support", _("Espera respuesta de soporte")
    UNASSIGNED = "unassigned", _("Sin asignar")


class Priority(models.IntegerChoices):
    """How soon a request should be worked (issue 13). Numbers, so that "urgent first" is an index order."""

    LOW = 1, _("Baja")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("Alta")
    URGENT = 4, _("Urgente")


class Channel(models.TextChoices):
    """How a request came in: the client on the web, or staff filing it for them (issue 13)."""

    WEB = "web", _("Web")
    EMAIL = "email", _("Correo")
    PHONE = "phone", _("Teléfono")
    WHATSAPP = "whatsapp", _("WhatsApp")
    IN_PERSON = "in_person", _("Presencial")


class TicketQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one rule of who may see a request (DESIGN.md, "Who sees what")."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self.all()
        if user.is_operator:
            own_topics = Topic.operators.through.objects.filter(user_id=user.pk).values("topic_id")
            return self.filter(
                Q(requester_id=user.pk) | Q(assignee_id=user.pk) | Q(topic_id__in=own_topics)
            )
        mine = Q(requester_id=user.pk)
        if user.is_client and user.company_id and user.company_confirmed:
            # Colleagues in copy (issue 14): a confirmed member of the request's company, while in copy.
            in_copy = Colleague.objects.filter(user_id=user.pk, removed_at__isnull=True).values("ticket_id")
            mine |= Q(pk__in=in_copy, company_id=user.company_id)
        return self.filter(mine)


_DETAIL_URLS = {}
_PLACEHOLDER = 918273645546372819  # a number no request has: it marks where the number goes


def detail_url(number):
    """`reverse("tickets:detail", args=[number])`, with the pattern reversed once per URL configuration, script
    prefix and language instead of once per row (25 times on a tray page; issue 19)."""
    key = (get_urlconf(), get_script_prefix(), get_language())
    template = _DETAIL_URLS.get(key)
    if template is None:
        template = _DETAIL_URLS[key] = reverse("tickets:detail", args=[_PLACEHOLDER])
    return template.replace(str(_PLACEHOLDER), str(int(number)))


class Ticket(models.Model):
    """A solicitud. Its description is the `description` field, never an intervention."""

    number = models.BigAutoField(_("número"), primary_key=True)
    topic = models.ForeignKey(
        Topic, verbose_name=_("temática"), on_delete=models.PROTECT, related_name="tickets",
        db_index=False,  # served by ticket_tray_topic_state_idx
    )
    subject = models.CharField(_("asunto"), max_length=200)
    description = models.TextField(_("descripción"))
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("solicitante"), on_delete=models.PROTECT,
        related_name="requested_tickets",
        db_index=False,  # served by ticket_tray_requester_idx
    )
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("empresa"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="tickets",
        db_index=False,  # served by ticket_filter_company_idx
        help_text=_("Copiada del solicitante al crear la solicitud."),
    )
    state = models.CharField(_("estado"), max_length=12, choices=State.choices, default=State.NEW)
    channel = models.CharField(_("canal"), max_length=12, choices=Channel.choices, default=Channel.WEB)
    priority = models.PositiveSmallIntegerField(_("prioridad"), choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asignada a"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="assigned_tickets",
        db_index=False,  # served by ticket_tray_assignee_idx
    )
    created_at = models.DateTimeField(_("creada"), default=timezone.now)
    taken_at = models.DateTimeField(_("tomada"), null=True, blank=True)
    closed_at = models.DateTimeField(_("cerrada"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cerrada por"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="closed_tickets",
    )
    # The last activity of any kind (staff see it) and the last one a client can see (not internal comments):
    # a client's pages show and sort by the second, so they never learn that staff wrote something
    # (tickets.permissions.activity_field says who sees which; tickets.services keeps both).
    last_activity_at = models.DateTimeField(_("última actividad"), default=timezone.now)
    public_activity_at = models.DateTimeField(_("última actividad visible para el cliente"), default=timezone.now)
    # "Esperando al cliente": a flag within En proceso, set by "Responder y esperar al cliente", cleared by the
    # client's next message (tickets.moves). The reminder and the automatic close count from it.
    waiting_since = models.DateTimeField(_("esperando al cliente desde"), null=True, blank=True)
    waiting_reminded_at = models.DateTimeField(_("recordatorio enviado"), null=True, blank=True)
    # Service quality (issue 15, sla.clock): the first public answer of staff, and the SLA due times of the
    # request's topic and priority in business time, the clock stopped while it waits on the client or is closed.
    first_response_at = models.DateTimeField(_("primera respuesta"), null=True, blank=True)
    first_response_minutes = models.PositiveIntegerField(_("primera respuesta (minutos hábiles)"), null=True,
                                                         blank=True)
    first_response_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("primera respuesta de"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+", db_index=False)  # only read grouped, in reports
    first_response_due_at = models.DateTimeField(_("vence la primera respuesta"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("vence la resolución"), null=True, blank=True)
    sla_due_at = models.DateTimeField(_("vence"), null=True, blank=True)
    sla_warn_at = models.DateTimeField(_("aviso de vencimiento"), null=True, blank=True)
    sla_notified = models.PositiveSmallIntegerField(_("avisos de SLA enviados"), default=0)
    sla_paused_minutes = models.PositiveIntegerField(_("minutos hábiles en pausa"), default=0)
    # The key of the form that filed it: a form sent twice (double click, a retried POST) files one request.
    submission_key = models.UUIDField(_("clave del formulario"), null=True, blank=True, editable=False)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("solicitud")
        verbose_name_plural = _("solicitudes")
        ordering = ["-last_activity_at", "-number"]
        indexes = [
            # Each tray reads one index range, already in display order. "Realizadas por mí" is a client's
            # only tray, in the order of the activity they can see.
            models.Index(fields=["requester", "-public_activity_at", "-number"], name="ticket_tray_requester_idx"),
            models.Index(fields=["assignee", "-last_activity_at", "-number"], name="ticket_tray_assignee_idx"),
            models.Index(fields=["topic", "state", "-last_activity_at", "-number"], name="ticket_tray_topic_state_idx"),
            models.Index(fields=["-last_activity_at", "-number"], name="ticket_tray_all_idx"),
            # "Todas" by state (Nuevo first) and any tray filtered by one state, in activity order.
            models.Index(fields=["-state", "-last_activity_at", "-number"], name="ticket_order_state_idx"),
            # "Todas" by priority (Urgente first), and any tray filtered by one priority, in activity order.
            models.Index(fields=["-priority", "-last_activity_at", "-number"], name="ticket_order_priority_idx"),
            # The trays' «prioridad» and «canal» filters (a topic's, an assignee's, or every request) read one
            # index range in activity order instead of skipping the other rows.
            models.Index(fields=["topic", "priority", "-last_activity_at", "-number"],
                         name="ticket_topic_priority_idx"),
            models.Index(fields=["topic", "channel", "-last_activity_at", "-number"], name="ticket_topic_channel_idx"),
            models.Index(fields=["channel", "-last_activity_at", "-number"], name="ticket_filter_channel_idx"),
            models.Index(fields=["assignee", "priority", "-last_activity_at", "-number"],
                         name="ticket_assignee_priority_idx"),
            models.Index(fields=["assignee", "channel", "-last_activity_at", "-number"],
                         name="ticket_assignee_channel_idx"),
            models.Index(fields=["company", "-last_activity_at"], name="ticket_filter_company_idx"),
            # Reports: received per day and closed per day. On PostgreSQL migration 0005 rebuilds both
            # with INCLUDE columns so the reports are answered from the index alone.
            models.Index(fields=["created_at"], name="ticket_report_created_idx"),
            models.Index(fields=["closed_at"], name="ticket_report_closed_idx"),
            # The beat task: requests waiting on the client, oldest first (few rows: a partial index).
            models.Index(fields=["waiting_since"], name="ticket_waiting_idx",
                         condition=Q(waiting_since__isnull=False)),
            # The SLA beat task: open requests whose warning or breach is still to be sent (few rows).
            models.Index(fields=["sla_warn_at"], name="ticket_sla_clock_idx",
                         condition=Q(sla_warn_at__isnull=False, sla_notified__lt=2) & ~Q(state="closed")),
            # The trays' «vence» order.
            models.Index(fields=["sla_due_at", "number"], name="ticket_order_sla_due_idx"),
            # Reports: first responses given in a period (issue 15); covering on PostgreSQL (migration 0015).
            models.Index(fields=["first_response_at"], name="ticket_report_first_resp_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="closed", closed_at__isnull=False) | ~Q(state="closed"),
                name="ticket_closed_has_closed_at",
            ),
            # services.create: a second submission of the same form finds the request the first one filed.
            models.UniqueConstraint(
                fields=["requester", "submission_key"], name="ticket_create_once_per_form",
                condition=Q(submission_key__isnull=False),
            ),
        ]

    def __str__(self):
        return f"#{self.number} {self.subject}"

    def get_absolute_url(self):
        return detail_url(self.number)

    @property
    def is_open(self):
        return self.state != State.CLOSED

    @property
    def stands_out(self):
        """A priority other than Normal: the trays flag it."""
        return self.priority != Priority.NORMAL

    @property
    def has_news(self):
        """Something changed since the staff member looking opened it (set on tray rows by tickets.news)."""
        return any(getattr(self, flag, None) for flag in Seen.FLAGS)

    @property
    def is_waiting(self):
        """«Esperando al cliente»: an open request whose next step is the client's."""
        return self.waiting_since is not None and self.is_open

    @property
    def waits_on(self):
        """Whose move it is (the trays' «who waits for whom»): WaitsOn.CLIENT while it waits on the client,
        UNASSIGNED while nobody holds it (Nuevo), SUPPORT for any other open request; None once closed."""
        if not self.is_open:
            return None
        if self.is_waiting:
            return WaitsOn.CLIENT
        return WaitsOn.UNASSIGNED if self.assignee_id is None else WaitsOn.SUPPORT


class TopicStateCount(models.Model):
    """How many requests a topic has in each state: the tab counts at any size.

    Kept exact by tickets.tray_counts, called by the services in the same transaction as each change.
    """

    topic = models.ForeignKey(Topic, verbose_name=_("temática"), on_delete=models.CASCADE, related_name="+",
                              db_index=False)  # served by count_per_topic_state
    state = models.CharField(_("estado"), max_length=12, choices=State.choices)
    count = models.IntegerField(_("cantidad"), default=0)

    class Meta:
        verbose_name = _("cantidad por temática y estado")
        verbose_name_plural = _("cantidades por temática y estado")
        constraints = [models.UniqueConstraint(fields=["topic", "state"], name="count_per_topic_state")]

    def __str__(self):
        return f"{self.topic_id} {self.state}: {self.count}"


class AssigneeStateCount(models.Model):
    """How many requests are assigned to each person in each state (see TopicStateCount)."""

    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asignada a"), on_delete=models.CASCADE,
                                 related_name="+", db_index=False)  # served by count_per_assignee_state
    state = models.CharField(_("estado"), max_length=12, choices=State.choices)
    count = models.IntegerField(_("cantidad"), default=0)

    class Meta:
        verbose_name = _("cantidad por asignado y estado")
        verbose_name_plural = _("cantidades por asignado y estado")
        constraints = [models.UniqueConstraint(fields=["assignee", "state"], name="count_per_assignee_state")]

    def __str__(self):
        return f"{self.assignee_id} {self.state}: {self.count}"


class Intervention(models.Model):
    """A message in a request's history: public, or an internal comment only operators see."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("solicitud"), on_delete=models.CASCADE, related_name="interventions",
        db_index=False,  # served by intervention_timeline_idx
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("autor"), on_delete=models.PROTECT,
        related_name="interventions",
    )
    body = models.TextField(_("texto"))
    internal = models.BooleanField(
        _("comentario interno"), default=False, help_text=_("Visible solo para operadores.")
    )
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)
    # The author's signature as it was when they wrote (public staff messages only, tickets.services._write):
    # editing the signature later does not rewrite the history.
    signature = models.TextField(_("firma"), blank=True, default="")

    class Meta:
        verbose_name = _("intervención")
        verbose_name_plural = _("intervenciones")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="intervention_timeline_idx"),
        ]

    def __str__(self):
        return f"#{self.ticket_id} · {self.created_at:%d/%m/%Y %H:%M}"


class CannedAnswer(models.Model):
    """A respuesta predefinida: a title and a text with placeholders (tickets.canned), for every topic (no
    topic: global) or for one."""

    title = models.CharField(_("título"), max_length=120)
    body = models.TextField(_("texto"))
    topic = models.ForeignKey(
        Topic, verbose_name=_("temática"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="canned_answers",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("creada por"), on_delete=models.SET_NULL, null=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("modificada"), default=timezone.now)

    class Meta:
        verbose_name = _("respuesta predefinida")
        verbose_name_plural = _("respuestas predefinidas")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["topic", "title"], name="canned_answer_topic_title_idx")]

    def __str__(self):
        return self.title


class TimeEntry(models.Model):
    """Minutes a staff member spent on a request, recorded with one of their messages (issue 15, item 5).

    Written by tickets.services with the intervention, in its transaction; only staff ever see it. The topic
    and company are the request's when the work was done, so the reports (reports.time_spent) read this table
    alone: time spent before a change of topic stays with the topic it was spent on.
    """

    MAX_MINUTES = 24 * 60  # per message: more is a typo (a day's work is recorded day by day)

    intervention = models.OneToOneField(
        Intervention, verbose_name=_("intervención"), on_delete=models.CASCADE, primary_key=True,
        related_name="time_entry",
    )
    ticket = models.ForeignKey(Ticket, verbose_name=_("solicitud"), on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("quién"), on_delete=models.PROTECT,
                               related_name="+", db_index=False)  # only read grouped, in reports
    topic = models.ForeignKey(Topic, verbose_name=_("temática"), on_delete=models.PROTECT, related_name="+",
                              db_index=False)  # only read grouped, in reports
    company = models.ForeignKey("accounts.Company", verbose_name=_("empresa"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+", db_index=False)  # idem
    minutes = models.PositiveIntegerField(_("minutos"))
    at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("tiempo dedicado")
        verbose_name_plural = _("tiempos dedicados")
        indexes = [
            # Reports: time recorded in a period. On PostgreSQL migration 0015 adds INCLUDE columns so each
            # grouping (who, topic, company) is answered from the index alone.
            models.Index(fields=["at"], name="time_entry_report_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=1), name="time_entry_minutes_positive"),
        ]

    def __str__(self):
        return f"#{self.ticket_id} · {self.minutes} min"


def _private_storage():
    return storages["private"]


def attachment_path(instance, filename):
    # The stored name never contains the user's filename: it is kept apart in `original_name`.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


# The one answer to "may a client see this file": a file of the description or of a public message.
# The request page, downloads, search and the "con adjuntos" filter all ask it (AttachmentQuerySet).
CLIENT_VISIBLE_FILE = Q(intervention__isnull=True) | Q(intervention__internal=False)


class AttachmentQuerySet(models.QuerySet):
    def for_clients(self):
        """Only the files a client may see (never an internal comment's)."""
        return self.filter(CLIENT_VISIBLE_FILE)

    def seen_by(self, user, ticket):
        """The files of `ticket` that `user` may see (the caller already knows the user sees the request)."""
        from tickets.permissions import sees_internal

        files = self.filter(ticket=ticket)
        return files if sees_internal(user, ticket) else files.for_clients()


class Attachment(models.Model):
    """A file sent with a request's description (intervention empty) or with an intervention."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("solicitud"), on_delete=models.CASCADE, related_name="attachments",
        db_index=False,  # served by attachment_by_message_idx
    )
    intervention = models.ForeignKey(
        Intervention, verbose_name=_("intervención"), on_delete=models.CASCADE,
        null=True, blank=True, related_name="attachments",
    )
    file = models.FileField(_("archivo"), upload_to=attachment_path, storage=_private_storage, max_length=255)
    original_name = models.CharField(_("nombre del archivo"), max_length=255)
    size = models.PositiveBigIntegerField(_("tamaño"))
    content_type = models.CharField(_("tipo"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("subido por"), on_delete=models.PROTECT,
        related_name="attachments",
    )
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("adjunto")
        verbose_name_plural = _("adjuntos")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "intervention"], name="attachment_by_message_idx"),
            # Before a stored file is deleted: does an attachment still point to it (uploads.discard)?
            models.Index(fields=["file"], name="attachment_file_idx"),
        ]

    def __str__(self):
        return self.original_name

    # Images a browser shows in an <img> without running anything (no SVG): their type was sniffed at upload.
    PREVIEW_TYPES = frozenset({"image/png", "image/apng", "image/jpeg", "image/gif", "image/webp"})

    @property
    def shows_preview(self):
        """True for images shown as a small preview beside their name, through the same guarded download."""
        return self.content_type in self.PREVIEW_TYPES

    @property
    def internal(self):
        """The Python side of CLIENT_VISIBLE_FILE, for a file already in hand."""
        return bool(self.intervention_id) and self.intervention.internal


class EventKind(models.TextChoices):
    CREATED = "created", _("Creada")
    TAKEN = "taken", _("Tomada")
    ASSIGNED = "assigned", _("Asignada")
    STATE_CHANGED = "state_changed", _("Cambio de estado")
    TOPIC_CHANGED = "topic_changed", _("Cambio de temática")
    CLOSED = "closed", _("Cerrada")
    REOPENED = "reopened", _("Reabierta")
    # Its assignee lost access (deactivated, no longer an operator, or taken off the topic): back to Nuevo.
    RELEASED = "released", _("Devuelta a Nuevo")
    WAITING = "waiting", _("Esperando al cliente")
    REMINDED = "reminded", _("Recordatorio al cliente")
    AUTO_CLOSED = "auto_closed", _("Cerrada sin respuesta del cliente")
    PRIORITY_CHANGED = "priority_changed", _("Cambio de prioridad")
    SLA_WARNING = "sla_warning", _("Aviso: el SLA está por vencer")
    SLA_BREACHED = "sla_breached", _("SLA vencido")
    # Colleagues in copy (issue 14): `after` is the colleague's name.
    COLLEAGUE_ADDED = "colleague_added", _("Colega agregado en copia")
    COLLEAGUE_REMOVED = "colleague_removed", _("Colega quitado de la copia")


# What only staff see in a request's history (the desk's own bookkeeping).
STAFF_ONLY_EVENTS = frozenset({EventKind.PRIORITY_CHANGED, EventKind.SLA_WARNING, EventKind.SLA_BREACHED})


class Event(models.Model):
    """One change in a request's life, shown in its history beside the interventions."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("solicitud"), on_delete=models.CASCADE, related_name="events",
        db_index=False,  # served by event_timeline_idx
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("quién"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="ticket_events",
    )
    kind = models.CharField(_("tipo"), max_length=20, choices=EventKind.choices)
    before = models.CharField(_("antes"), max_length=200, blank=True)
    after = models.CharField(_("después"), max_length=200, blank=True)
    at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("evento")
        verbose_name_plural = _("eventos")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["ticket", "at"], name="event_timeline_idx"),
        ]

    def __str__(self):
        return f"#{self.ticket_id} {self.get_kind_display()}"


class Colleague(models.Model):
    """A colleague of the requester's company in copy on a request (issue 14): they see it, get its public
    emails and may write on it while the row is current (`removed_at` empty) and they are a confirmed member of
    the request's company (TicketQuerySet.visible_to, tickets.permissions.is_colleague). Removing someone
    closes the row: who added and removed them, and when, stay."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("solicitud"), on_delete=models.CASCADE,
                               related_name="colleagues", db_index=False)  # served by colleague_once_per_request
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("colega"), on_delete=models.CASCADE,
                             related_name="copies", db_index=False)  # served by colleague_in_copy_idx
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agregado por"), on_delete=models.PROTECT,
                                 related_name="+", db_index=False)
    added_at = models.DateTimeField(_("agregado"), default=timezone.now)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("quitado por"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+", db_index=False)
    removed_at = models.DateTimeField(_("quitado"), null=True, blank=True)

    class Meta:
        verbose_name = _("colega en copia")
        verbose_name_plural = _("colegas en copia")
        ordering = ["added_at", "id"]
        indexes = [
            # visible_to and the «En copia» tray: the requests a person is in copy on now.
            models.Index(fields=["user", "ticket"], name="colleague_in_copy_idx",
                         condition=Q(removed_at__isnull=True)),
        ]
        constraints = [
            # Once at a time per request (the same form sent twice adds one); also the request page's list.
            models.UniqueConstraint(fields=["ticket", "user"], name="colleague_once_per_request",
                                    condition=Q(removed_at__isnull=True)),
        ]

    def __str__(self):
        return f"#{self.ticket_id} · {self.user_id}"


def pending_upload_path(instance, filename):
    # Same shape as an attachment's: saving the request turns the row into an Attachment without copying.
    return attachment_path(instance, filename)


class PendingUpload(models.Model):
    """A file chosen on a form that came back with an error, kept until the form is saved or abandoned."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("de"), on_delete=models.CASCADE, related_name="pending_uploads",
        db_index=False,  # served by pending_upload_form_idx
    )
    form_key = models.UUIDField(_("clave del formulario"))
    file = models.FileField(_("archivo"), upload_to=pending_upload_path, storage=_private_storage, max_length=255)
    original_name = models.CharField(_("nombre del archivo"), max_length=255)
    size = models.PositiveBigIntegerField(_("tamaño"))
    content_type = models.CharField(_("tipo"), max_length=100)
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("adjunto pendiente")
        verbose_name_plural = _("adjuntos pendientes")
        ordering = ["created_at", "id"]
        indexes = [
            # The form coming back: this user's files for this form.
            models.Index(fields=["owner", "form_key"], name="pending_upload_form_idx"),
            # The cleanup: files of forms abandoned long ago.
            models.Index(fields=["created_at"], name="pending_upload_expiry_idx"),
        ]

    def __str__(self):
        return self.original_name


class Seen(models.Model):
    """When a staff member last opened a request, and what changed on it since (issue 14, "New activity").

    Written when they open the request's page (tickets.news.opened clears the flags) and by every change of
    tickets.services (tickets.news.changed sets a flag on the rows of everybody but the actor, one UPDATE by
    ticket). A request never opened by a person has no row, hence no marker: its state says «Nuevo».
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("persona"), on_delete=models.CASCADE,
                             related_name="+", db_index=False)  # served by seen_news_idx and seen_once
    ticket = models.ForeignKey(Ticket, verbose_name=_("solicitud"), on_delete=models.CASCADE, related_name="seen",
                               db_index=False)  # served by seen_once (ticket first)
    seen_at = models.DateTimeField(_("vista"))
    new_client_reply = models.BooleanField(_("respuesta nueva del cliente"), default=False)
    new_internal_comment = models.BooleanField(_("comentario interno nuevo"), default=False)
    new_other = models.BooleanField(_("cambios nuevos"), default=False)
    # The request's state as of the last change (kept by tickets.news with the flags): the tabs count only the
    # open ones, so flags left on requests closed since never pile up in what they read.
    ticket_open = models.BooleanField(_("solicitud abierta"), default=True)

    FLAGS = ("new_client_reply", "new_internal_comment", "new_other")

    class Meta:
        verbose_name = _("solicitud vista")
        verbose_name_plural = _("solicitudes vistas")
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="seen_once")]
        indexes = [
            # A person's open requests with news: a few rows each, however many they ever opened.
            models.Index(fields=["user"], name="seen_news_idx",
                         condition=(Q(new_client_reply=True) | Q(new_internal_comment=True) | Q(new_other=True))
                         & Q(ticket_open=True)),
        ]

    def __str__(self):
        return f"#{self.ticket_id} · {self.user_id}"
