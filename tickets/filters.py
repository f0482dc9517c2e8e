"""The trays' search box, filters and ordering (django-filter).

Only the keys declared here are read from the URL, and each goes through its form field: nothing from
the request reaches a lookup. An unknown key is ignored; an unknown ordering falls back to the default
without a word; a bad date or choice is explained next to its field and that filter alone is left out.
The keys are Spanish, so a shared link reads well: ?estado=nuevo&tematica=3&creada_desde=01/03/2026.
Days are accounts.dates.DayField: the forms people type, checked against one range.
"""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField

from accounts.cuit import normalize_cuit
from accounts.dates import DATE_FORMAT, DayField
from accounts.models import Company, User
from tickets import permissions, search
from tickets.models import Attachment, Channel, Priority, State, Ticket
from topics.models import Topic

# The URL's value → the states it stands for. Every tray lists its open requests unless the state filter
# says otherwise (issue 13: open work first; closed ones with «Cerrado» or «Todos»), which is what its tab counts.
STATES = {
    "abiertas": (State.NEW, State.IN_PROGRESS),
    "nuevo": (State.NEW,),
    "en_proceso": (State.IN_PROGRESS,),
    "cerrado": (State.CLOSED,),
    "todos": tuple(State.values),
}
DEFAULT_STATE = "abiertas"
STATE_CHOICES = [
    ("abiertas", _("Abiertas")),
    ("nuevo", _("Nuevo")),
    ("en_proceso", _("En proceso")),
    ("cerrado", _("Cerrado")),
    ("todos", _("Todos, también cerradas")),
]

# The URL's value → the order of the list. Each ends with the number, so the order is total (see
# tickets.pagination); all keys of one ordering go the same way, so one index range serves it.
# `last_activity_at` is staff's; a client's list uses the activity they can see (ordering_for).
ORDERINGS = {
    "-actividad": ("-last_activity_at", "-number"),
    "actividad": ("last_activity_at", "number"),
    "-numero": ("-number",),
    "numero": ("number",),
    "-creada": ("-created_at", "-number"),
    "creada": ("created_at", "number"),
    "estado": ("-state", "-last_activity_at", "-number"),  # Nuevo, En proceso, Cerrado
    "-estado": ("state", "last_activity_at", "number"),
    "prioridad": ("-priority", "-last_activity_at", "-number"),  # Urgente first
    # The SLA deadline, soonest first: only open requests with a deadline (TicketFilter.keep), so no NULL
    # reaches the pagination's cursors.
    "vence": ("sla_due_at", "number"),
}
DEFAULT_ORDERING = "-actividad"
ORDERING_CHOICES = [
    ("-actividad", _("Actividad más reciente")),
    ("actividad", _("Actividad más antigua")),
    ("-numero", _("Número más alto")),
    ("numero", _("Número más bajo")),
    ("-creada", _("Creación más reciente")),
    ("creada", _("Creación más antigua")),
    ("estado", _("Estado: nuevas primero")),
    ("-estado", _("Estado: cerradas primero")),
    ("prioridad", _("Prioridad: urgentes primero")),
    ("vence", _("Vencimiento del SLA: las abiertas más próximas primero")),
]
# The «SLA» filter (issue 15): past its deadline, or still in time; neither while it waits on the client.
SLA_CHOICES = [("vencida", _("Vencidas")), ("en_plazo", _("En plazo"))]


class DayFilter(django_filters.Filter):
    field_class = DayField


class LenientChoiceField(forms.ChoiceField):
    """A choice that falls back to the first one instead of complaining (the ordering: a link may be old)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value if value in dict(self.choices) else self.choices[0][0]

    def validate(self, value):
        pass


class OrderingFilter(django_filters.Filter):
    field_class = LenientChoiceField


class PersonChoiceField(ModelChoiceField):
    def label_from_instance(self, user):
        return user.display_name


class PersonFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


def local_midnight(day):
    """The first instant of a local day (America/Argentina/Buenos_Aires)."""
    return timezone.make_aware(datetime.combine(day, time.min))


class TrayForm(forms.Form):
    """The filters' form: a range whose end comes before its start is explained on the end."""

    RANGES = (("creada_desde", "creada_hasta"), ("cerrada_desde", "cerrada_hasta"))

    def clean(self):
        cleaned = super().clean()
        for first, last in self.RANGES:
            if cleaned.get(first) and cleaned.get(last) and cleaned[last] < cleaned[first]:
                self.add_error(last, _("La fecha final no puede ser anterior a la inicial."))
        return cleaned


class TicketFilter(django_filters.FilterSet):
    """The filters of a tray. Staff-only filters (assignee, company, requester) are absent for clients."""

    q = django_filters.CharFilter(label=_("Buscar"), method="search", max_length=search.MAX_QUERY_LENGTH)
    estado = django_filters.ChoiceFilter(label=_("Estado"), choices=STATE_CHOICES, method="by_state",
                                         empty_label=None)
    tematica = django_filters.ModelChoiceFilter(label=_("Temática"), field_name="topic", empty_label=_("Todas"),
                                                queryset=Topic.objects.order_by("name"))
    asignada = PersonFilter(label=_("Asignada a"), field_name="assignee", empty_label=_("Cualquiera"),
                            null_label=_("Sin asignar"), null_value="nadie", queryset=User.objects.none())
    empresa = django_filters.CharFilter(label=_("Empresa o CUIT"), method="by_company", max_length=120)
    solicitante = django_filters.CharFilter(label=_("Solicitante"), method="by_requester", max_length=120)
    creada_desde = DayFilter(label=_("Creada desde"), method="created_from")
    creada_hasta = DayFilter(label=_("Creada hasta"), method="created_until")
    cerrada_desde = DayFilter(label=_("Cerrada desde"), method="closed_from")
    cerrada_hasta = DayFilter(label=_("Cerrada hasta"), method="closed_until")
    prioridad = django_filters.ChoiceFilter(label=_("Prioridad"), field_name="priority", choices=Priority.choices,
                                           empty_label=_("Todas"))
    canal = django_filters.ChoiceFilter(label=_("Canal"), field_name="channel", choices=Channel.choices,
                                        empty_label=_("Todos"))
    adjuntos = django_filters.BooleanFilter(label=_("Con adjuntos"), method="with_attachments",
                                            widget=forms.CheckboxInput)
    vence = django_filters.ChoiceFilter(label=_("SLA"), choices=SLA_CHOICES, method="by_sla", empty_label=_("Todas"))
    orden = OrderingFilter(label=_("Ordenar por"), choices=ORDERING_CHOICES, method="keep")

    class Meta:
        model = Ticket
        fields = []
        form = TrayForm

    STAFF_ONLY = ("asignada", "empresa", "solicitante", "canal", "prioridad", "vence")
    # Clients never see the priority nor the SLA, nor an order that reveals them.
    STAFF_ONLY_ORDERINGS = ("prioridad", "vence")
    # What the "Más filtros" panel holds; the search box and the state are always in sight.
    ADVANCED = ("tematica", "asignada", "prioridad", "empresa", "solicitante", "canal", "creada_desde", "creada_hasta",
                "cerrada_desde", "cerrada_hasta", "adjuntos", "vence")

    def __init__(self, data=None, queryset=None, *, user, staff=(), **kwargs):
        """`staff`: the people a request may be assigned to (operators and administrators)."""
        data = data.copy() if data is not None else {}
        if not data.get("estado"):
            data["estado"] = DEFAULT_STATE  # open work first
        super().__init__(data, queryset=queryset, **kwargs)
        self.user = user
        if user.is_operator:
            self.filters["asignada"].queryset = staff
            self.form.fields["asignada"].queryset = staff  # the form class was built with another tray's
        else:
            for name in self.STAFF_ONLY:
                del self.filters[name]
        self._mark_invalid_fields()

    def get_form_class(self):
        """The filters' form class for staff or for clients, built and styled once per process: each form
        deep-copies its class's fields anyway, so a tray need not build and style fifteen fields again."""
        key = (self.user.is_operator, tuple(self.filters))
        form_class = _FORM_CLASSES.get(key)
        if form_class is None:
            form_class = super().get_form_class()
            _style_fields(form_class.base_fields, staff=self.user.is_operator)
            _FORM_CLASSES[key] = form_class
        return form_class

    def _mark_invalid_fields(self):
        """A refused value's field says so (Bootstrap's is-invalid, aria-invalid right after the class)."""
        form = self.form
        for name in form.errors:
            if name in form.fields:
                widget = form.fields[name].widget
                widget.attrs = dict(_invalid_attrs(widget.attrs))

    # --- What the page needs to know ----------------------------------------------------------

    @property
    def ordering(self):
        """The order keys of the list: the chosen ordering, else the default, by the activity the user sees."""
        return ordering_for(self.ordering_key, self.user)

    @property
    def ordering_key(self):
        self.form.is_valid()
        value = self.form.cleaned_data.get("orden")
        return value if value in dict(self.form.fields["orden"].choices) else DEFAULT_ORDERING

    def active(self):
        """(name, label, shown value) of each filter in use, for the chips that remove one."""
        self.form.is_valid()
        found = []
        for name, field in self.form.fields.items():
            value = self.form.cleaned_data.get(name)
            if name in ("q", "orden") or value in (None, "", False) or (name == "estado" and value == DEFAULT_STATE):
                continue
            found.append((name, field.label, self._shown(name, field, value)))
        return found

    @staticmethod
    def _shown(name, field, value):
        if name == "asignada":
            return _("Sin asignar") if value == "nadie" else field.label_from_instance(value)
        if name == "estado":
            return dict(STATE_CHOICES)[value]
        if name == "canal":
            return dict(Channel.choices)[value]
        if name == "prioridad":
            return Priority(int(value)).label
        if name == "adjuntos":
            return _("Sí")
        if name == "vence":
            return dict(SLA_CHOICES)[value]
        if isinstance(value, date):
            return value.strftime(DATE_FORMAT)
        return str(value)

    def options_with(self, lists):
        """Every select's (value, label) options, its empty choice first; `lists` holds the long ones."""
        fields = self.form.fields
        options = {name: list(fields[name].choices) for name in ("estado", "orden")}
        options["tematica"] = [("", fields["tematica"].empty_label), *lists["tematica"]]
        if "asignada" in fields:
            field = fields["asignada"]
            options["asignada"] = [("", field.empty_label), (field.null_value, field.null_label), *lists["asignada"]]
        for name in ("canal", "prioridad", "vence"):
            if name in fields:
                options[name] = list(fields[name].choices)
        return options

    def counted_states(self):
        """The states the list holds when nothing but the state narrows the tray (the counters know how
        many), else None."""
        active = {name for name, _label, _shown in self.active()}
        if self.form.cleaned_data.get("q", "").strip() or not active <= {"estado"}:
            return None
        return STATES.get(self.form.cleaned_data.get("estado"), STATES[DEFAULT_STATE])

    @property
    def searching(self):
        """What was typed in the search box, when it searches."""
        self.form.is_valid()
        return (self.form.cleaned_data.get("q") or "").strip()

    @property
    def in_use(self):
        """How many of the search and the filters narrow the list (a state other than the default one counts,
        the ordering does not): the number on the phone's «Buscar y filtrar» control."""
        return len(self.active()) + (1 if self.searching else 0)

    @property
    def advanced_in_use(self):
        """How many filters of the panel are in use or have an error: the panel opens when any is."""
        self.form.is_valid()
        names = [name for name in self.ADVANCED if name in self.form.fields]
        return sum(1 for name in names if self.form.cleaned_data.get(name) not in (None, "", False)
                   or name in self.form.errors)

    # --- The filters ---------------------------------------------------------------------------

    def filter_queryset(self, queryset):
        """Every filter, then the search: it is planned knowing the rest of the list's conditions
        (tickets.search.few_matches)."""
        queryset = super().filter_queryset(queryset)
        if "estado" not in self.form.cleaned_data:  # a bad state, explained next to the field: open ones
            queryset = self.by_state(queryset, "estado", DEFAULT_STATE)
        text = (self.form.cleaned_data.get("q") or "").strip()
        if not text:
            return queryset
        return search.matching(queryset, text, include_internal=self.user.is_operator, ordering=self.ordering)

    def search(self, queryset, name, value):
        return queryset  # applied last, by filter_queryset

    def by_state(self, queryset, name, value):
        states = STATES.get(value)
        return queryset.filter(state__in=states) if states else queryset

    def by_company(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(company__in=_companies_matching(text))

    def by_requester(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        people = User.objects.filter(Q(email__iexact=text) | Q(full_name__icontains=text) | Q(email__icontains=text))
        return queryset.filter(requester__in=people.values("pk"))

    def created_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=local_midnight(value))

    def created_until(self, queryset, name, value):
        return queryset.filter(created_at__lt=local_midnight(value + timedelta(days=1)))

    def closed_from(self, queryset, name, value):
        return queryset.filter(closed_at__gte=local_midnight(value))

    def closed_until(self, queryset, name, value):
        return queryset.filter(closed_at__lt=local_midnight(value + timedelta(days=1)))

    def with_attachments(self, queryset, name, value):
        if not value:
            return queryset
        files = Attachment.objects.filter(ticket=OuterRef("pk"))
        if not self.user.is_operator:  # a client never learns that an internal comment carries a file
            files = files.for_clients()
        return queryset.filter(Exists(files))

    def by_sla(self, queryset, name, value):
        running = queryset.filter(sla_due_at__isnull=False, waiting_since__isnull=True).exclude(state=State.CLOSED)
        now = timezone.now()
        return running.filter(sla_due_at__lte=now) if value == "vencida" else running.filter(sla_due_at__gt=now)

    def keep(self, queryset, name, value):
        # The ordering itself is applied by the pagination, which needs to know it.
        if value == "vence":
            return queryset.filter(sla_due_at__isnull=False).exclude(state=State.CLOSED)
        return queryset


_FORM_CLASSES = {}  # (staff?, the filters' names) → TicketFilter's form class (TicketFilter.get_form_class)


def _style_fields(fields, *, staff):
    """Bootstrap's classes, the placeholders and the messages of the filters' form fields, for staff's or
    clients' form (`fields`: the form class's base fields)."""
    for field in fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select"
        else:
            widget.attrs["class"] = "form-control"
    fields["q"].widget.input_type = "search"
    # Our words for a refused value, on the class's fields so validation uses them (lazy: the class serves every
    # language).
    fields["q"].error_messages["max_length"] = _("Escribí hasta %(limit_value)d caracteres.")
    for name in ("tematica", "asignada"):
        if name in fields:
            fields[name].error_messages["invalid_choice"] = _("Elegí una opción de la lista.")
    fields["estado"].error_messages["invalid_choice"] = _("Elegí un estado de la lista.")
    # A client's requests are all of their own company: a CUIT would find nothing new.
    hint = _("Palabras, número o CUIT") if staff else _("Palabras o número de solicitud")
    fields["q"].widget.attrs.update(placeholder=hint, autocomplete="off")
    if "empresa" in fields:
        fields["empresa"].widget.attrs["placeholder"] = _("Nombre o CUIT, con o sin guiones")
        fields["solicitante"].widget.attrs["placeholder"] = _("Nombre o correo")
    if not staff:
        fields["orden"].choices = [
            choice for choice in ORDERING_CHOICES if choice[0] not in TicketFilter.STAFF_ONLY_ORDERINGS]


def _invalid_attrs(attrs):
    """(name, value) of a widget's attributes once its value was refused."""
    for name, value in attrs.items():
        yield name, value + " is-invalid" if name == "class" else value
        if name == "class":
            yield "aria-invalid", "true"


def ordering_for(key, user):
    """The order keys of ORDERINGS[key] for `user`: "activity" is the last activity they may see
    (tickets.permissions.activity_field), so a client's list never moves for an internal comment."""
    column = permissions.activity_field(user)
    return tuple(key.replace("last_activity_at", column) for key in ORDERINGS[key])


def _companies_matching(text):
    """A CUIT (with or without dashes) matches its company; anything else, company names containing it."""
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) == 11 and len(digits) >= len(text.replace("-", "").replace(" ", "")):
        try:
            return Company.objects.filter(cuit=normalize_cuit(digits)).values("pk")
        except ValidationError:
            return Company.objects.none().values("pk")
    return Company.objects.filter(name__icontains=text).values("pk")
