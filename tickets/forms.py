"""Forms of the request pages. They only read and check input; tickets.services makes the change."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import submissions
from accounts.cuit import normalize_cuit
from accounts.models import Company
from accounts.phones import normalize_phone
from accounts.selectors import email_taken
from accounts.services import EMAIL_TAKEN
from tickets import selectors, uploads
from tickets.models import Channel, Priority

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 20_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.Field):
    """Several files at once; each one is checked by the form (uploads.check)."""

    widget = MultipleFileInput

    def to_python(self, data):
        return [upload for upload in (data or []) if upload]


class AttachmentsForm(forms.Form):
    """Files on a form: new uploads, plus those kept from a previous try of the same form.

    The form's key is its submission key (accounts.submissions): the one it was sent with, else a new one;
    the template renders it with `{% submission_key form %}`, and the files kept after an error wait under it.
    """

    files = AttachmentsField(label=_("Adjuntos"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.accepted_files = []
        self.fields["files"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in uploads.allowed_extensions())
        posted = submissions.posted_key(self.data) if self.is_bound else None
        self.submission_key = posted or submissions.new_key()
        self.pending = list(uploads.pending_for(user, posted)) if posted else []

    def clean_files(self):
        errors = []
        for upload in self.cleaned_data.get("files") or []:
            try:
                self.accepted_files.append(uploads.check(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return self.accepted_files

    def kept_pending(self):
        """The files of an earlier try still ticked; ids that are not this user's and form's are ignored."""
        ticked = set(self.data.getlist("keep")) if self.is_bound and hasattr(self.data, "getlist") else set()
        return [pending for pending in self.pending if str(pending.pk) in ticked]

    def forget_unticked_files(self):
        """After a successful save: files of earlier tries the user unticked are deleted."""
        kept = self.kept_pending()
        uploads.discard([pending for pending in self.pending if pending not in kept])

    def clean(self):
        cleaned = super().clean()
        total = len(self.accepted_files) + len(self.kept_pending())
        limit = settings.ATTACHMENT_MAX_FILES
        if total > limit:
            self.accepted_files = []
            self.add_error("files", ngettext(
                "Podés adjuntar hasta %(limit)d archivo por mensaje; elegiste %(count)d.",
                "Podés adjuntar hasta %(limit)d archivos por mensaje; elegiste %(count)d.",
                limit,
            ) % {"limit": limit, "count": total})
        return cleaned

    def keep_files_for_next_try(self):
        """The form came back with an error: keep the accepted files and drop the ones unticked.

        With the storage down the new files cannot be kept: the form says so (its text stays) and they must be
        chosen again.
        """
        kept = self.kept_pending() if self.is_bound else []
        uploads.discard([pending for pending in self.pending if pending not in kept])
        try:
            if not getattr(self, "said_storage_down", False):  # failed once already: do not wait for it again
                kept += uploads.keep(self.user, self.submission_key, self.accepted_files)
        except uploads.StorageUnavailable:
            self.storage_unavailable()
        self.pending = kept
        self.accepted_files = []

    def storage_unavailable(self):
        """The attachments could not be stored: say so next to them, once; nothing was sent."""
        if not getattr(self, "said_storage_down", False):
            self.said_storage_down = True
            self.add_error("files", STORAGE_DOWN)

    def attachment_kwargs(self):
        return {"files": self.accepted_files, "pending": self.kept_pending()}


STORAGE_DOWN = _(
    "No pudimos guardar los adjuntos: el almacenamiento de archivos no responde. No se envió nada y tu texto "
    "sigue acá. Probá de nuevo en unos minutos (volvé a elegir los archivos), o quitalos para enviarlo ahora."
)


class TopicSelect(forms.Select):
    """Each option carries its topic's description (written by administrators to help clients choose), which
    static/js/sysmo.js shows under the field as the client picks; without JavaScript the page lists them."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        topic = getattr(value, "instance", None)
        if topic is not None and topic.description:
            option["attrs"]["data-description"] = topic.description
        return option


class TicketForm(AttachmentsForm):
    topic = forms.ModelChoiceField(
        label=_("Temática"), queryset=selectors.active_topics(), empty_label=_("Elegí una temática"),
        widget=TopicSelect(attrs={"data-describe-into": "topic-description"}),
        help_text=_("Así tu solicitud llega directo a quien la puede resolver."),
        error_messages={"required": _("Elegí una temática."),
                        "invalid_choice": _("Esa temática ya no está disponible. Elegí otra.")},
    )
    subject = forms.CharField(
        label=_("Asunto"), max_length=SUBJECT_MAX_LENGTH,
        help_text=_("Una línea que resuma el pedido, por ejemplo «No imprime la factura electrónica»."),
        error_messages={"required": _("Escribí un asunto.")},
    )
    description = forms.CharField(
        label=_("Descripción"), max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("Contanos qué pasa, desde cuándo y qué probaste. Cuanto más detalle, más rápido lo resolvemos."),
        error_messages={"required": _("Contanos qué necesitás.")},
    )

    field_order = ["topic", "subject", "description", "files"]

    def __init__(self, *args, requester=None, **kwargs):
        """`requester`: for staff, the client chosen on the page (?para=), filing on their behalf."""
        super().__init__(*args, **kwargs)
        _limit_messages(self.fields["subject"], SUBJECT_MAX_LENGTH)
        _limit_messages(self.fields["description"], BODY_MAX_LENGTH)
        self.on_behalf = self.user.is_operator  # staff may file for a client; clients file for themselves
        if self.on_behalf:
            self.fields["requester"] = forms.ModelChoiceField(
                queryset=selectors.possible_requesters(), required=False, widget=forms.HiddenInput,
                error_messages={"invalid_choice": _("Esa persona ya no puede cargar solicitudes. Elegí otra.")},
            )
            self.fields["channel"] = forms.ChoiceField(
                label=_("¿Cómo llegó?"), choices=Channel.choices, required=False,
                initial=Channel.PHONE if requester else Channel.WEB,
                help_text=_("Queda en la solicitud y se puede filtrar."),
            )
            if requester is not None:
                self.initial["requester"] = requester.pk
            else:
                self.fields.update(new_client_fields())
        self.new_client = None  # a tickets.services.NewClient once the form is valid and one was given
        self.existing_person = None  # the person who already has the address typed for a new client

    @property
    def requester(self):
        """The person the request is for (staff filing on behalf), or None for oneself."""
        if not self.on_behalf:
            return None
        if hasattr(self, "cleaned_data") and "requester" in self.cleaned_data:
            return self.cleaned_data["requester"]
        return self.fields["requester"].queryset.filter(pk=self.initial.get("requester") or 0).first()

    @property
    def offers_new_client(self):
        return NEW_CLIENT_FIELDS[0] in self.fields

    def new_client_fields(self):
        return [self[name] for name in NEW_CLIENT_FIELDS if name in self.fields]

    def new_client_open(self):
        """Show the «Cliente nuevo» part unfolded: something was typed in it."""
        return self.is_bound and any(self.data.get(name, "").strip() for name in NEW_CLIENT_FIELDS)

    def clean_cliente_telefono(self):
        value = self.cleaned_data["cliente_telefono"]
        return normalize_phone(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        if self.offers_new_client and not cleaned.get("requester") and self.new_client_open():
            self._clean_new_client(cleaned)
        return cleaned

    def _clean_new_client(self, cleaned):
        from tickets.services import NewClient

        name, email = cleaned.get("cliente_nombre", ""), cleaned.get("cliente_correo", "")
        if not name and "cliente_nombre" not in self.errors:
            self.add_error("cliente_nombre", _("Escribí el nombre y apellido del cliente."))
        if not email and "cliente_correo" not in self.errors:
            self.add_error("cliente_correo", _("Escribí su correo: ahí le llega el enlace para elegir su contraseña."))
        elif email and email_taken(email):
            self.existing_person = selectors.possible_requesters().filter(email__iexact=email).first()
            self.add_error("cliente_correo", EMAIL_TAKEN)
        company = self._clean_company(cleaned.get("cliente_empresa", ""), cleaned.get("cliente_cuit", ""))
        if company is not None and not self.errors:
            self.new_client = NewClient(full_name=name, email=email, phone=cleaned.get("cliente_telefono", ""),
                                        **company)

    def _clean_company(self, name, cuit):
        """An existing company found by its CUIT (however typed) or its exact name, or a new one's name and CUIT
        (validated like sign-up); None after adding the error to the field."""
        if cuit:
            try:
                cuit = normalize_cuit(cuit)
            except ValidationError as error:
                self.add_error("cliente_cuit", error)
                return None
            company = Company.objects.filter(cuit=cuit).first()
            if company is not None:
                return {"company": company}
            if not name:
                self.add_error("cliente_empresa", _("Ese CUIT no es de ninguna empresa cargada: escribí su nombre."))
                return None
            return {"company_name": name, "cuit": cuit}
        if not name:
            self.add_error("cliente_empresa", _("Escribí la empresa del cliente, o su CUIT."))
            return None
        found = list(Company.objects.filter(name__iexact=name)[:2])
        if len(found) == 1:
            return {"company": found[0]}
        if found:
            self.add_error("cliente_cuit", _("Hay más de una empresa «%(name)s»: escribí su CUIT.") % {"name": name})
        else:
            self.add_error("cliente_cuit", _("«%(name)s» es una empresa nueva: escribí su CUIT.") % {"name": name})
        return None

    def service_kwargs(self):
        data = self.cleaned_data
        kwargs = {"topic": data["topic"], "subject": data["subject"], "description": data["description"],
                  "submission_key": self.submission_key, **self.attachment_kwargs()}
        if self.on_behalf:
            kwargs["channel"] = data.get("channel") or Channel.WEB
            if self.new_client is not None:
                kwargs["new_client"] = self.new_client
            else:
                kwargs["requester"] = data.get("requester")
        return kwargs


NEW_CLIENT_FIELDS = ("cliente_nombre", "cliente_correo", "cliente_telefono", "cliente_empresa", "cliente_cuit")


def new_client_fields():
    """The «Cliente nuevo» part of the staff's form: all optional until one of them is typed (TicketForm.clean)."""
    return {
        "cliente_nombre": forms.CharField(label=_("Nombre y apellido"), max_length=150, required=False,
                                          widget=forms.TextInput(attrs={"autocomplete": "off"})),
        "cliente_correo": forms.EmailField(
            label=_("Correo electrónico"), required=False,
            help_text=_("Le enviamos un enlace para elegir su contraseña, que también confirma el correo."),
            error_messages={"invalid": _("Escribí un correo electrónico válido, por ejemplo nombre@empresa.com.ar.")},
            widget=forms.EmailInput(attrs={"autocomplete": "off"})),
        "cliente_telefono": forms.CharField(
            label=_("Teléfono (opcional)"), max_length=30, required=False,
            help_text=_("Con código de área, por ejemplo 011 4321-5678."),
            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"})),
        "cliente_empresa": forms.CharField(
            label=_("Empresa"), max_length=200, required=False,
            help_text=_("Si la empresa ya está cargada alcanza con su nombre o su CUIT.")),
        "cliente_cuit": forms.CharField(
            label=_("CUIT de la empresa"), max_length=20, required=False,
            help_text=_("Solo si la empresa es nueva: los 11 dígitos, con o sin guiones."),
            widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "30-71234567-1"})),
    }


class ReplyForm(AttachmentsForm):
    PUBLIC, INTERNAL = "public", "internal"

    body = forms.CharField(
        label=_("Mensaje"), max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Escribí un mensaje.")},
    )
    mode = forms.ChoiceField(
        label=_("Tipo de mensaje"), required=False, initial=PUBLIC, widget=forms.RadioSelect,
        choices=[(PUBLIC, _("Respuesta")), (INTERNAL, _("Comentario interno"))],
    )
    # Sent by the second button, «Responder y esperar al cliente» (staff only).
    esperar = forms.BooleanField(required=False)

    def __init__(self, *args, can_comment_internally=False, can_wait=False, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_messages(self.fields["body"], BODY_MAX_LENGTH)
        self.offers_internal = can_comment_internally  # the switch is shown only to those who may use it
        self.offers_wait = can_wait

    @property
    def wait(self):
        """«Responder y esperar al cliente» was pressed (a public answer only)."""
        return not self.internal and bool(self.data.get(self.add_prefix("esperar")))

    @property
    def internal(self):
        if hasattr(self, "cleaned_data"):
            return self.cleaned_data.get("mode") == self.INTERNAL
        return self.data.get(self.add_prefix("mode")) == self.INTERNAL

    def service_kwargs(self):
        kwargs = {"body": self.cleaned_data["body"], **self.attachment_kwargs()}
        return {**kwargs, "wait": True} if self.wait else kwargs


class _PickForm(forms.Form):
    """One choice among the objects given (operators, topics); cleaned to the object itself."""

    field_name = ""

    def __init__(self, *args, objects, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.objects = {obj.pk: obj for obj in objects}
        field = self.fields[self.field_name]
        field.widget.attrs["class"] = "form-select"
        field.choices = [(obj.pk, str(obj)) for obj in objects]
        if current is not None:
            self.initial[self.field_name] = current

    def clean(self):
        cleaned = super().clean()
        if self.field_name in cleaned:
            cleaned[self.field_name] = self.objects[cleaned[self.field_name]]
        return cleaned


class AssignForm(_PickForm):
    field_name = "assignee"
    assignee = forms.TypedChoiceField(
        label=_("Asignar a"), coerce=int,
        error_messages={"required": _("Elegí un operador de la temática."),
                        "invalid_choice": _("Elegí un operador de la temática.")},
    )


class TopicForm(_PickForm):
    field_name = "topic"
    topic = forms.TypedChoiceField(
        label=_("Nueva temática"), coerce=int,
        error_messages={"required": _("Elegí otra temática activa."),
                        "invalid_choice": _("Elegí otra temática activa.")},
    )


class ColleagueForm(_PickForm):
    """A colleague to put in copy (among tickets.selectors.colleague_candidates) or to take out of it (among
    those in copy): a list, never a typed address, so the form does not tell who has an account."""

    field_name = "colleague"
    colleague = forms.TypedChoiceField(
        label=_("Agregar en copia"), coerce=int,
        error_messages={"required": _("Elegí un colega de la lista."),
                        "invalid_choice": _("Elegí un colega de la lista.")},
    )


class CloseForm(forms.Form):
    message = forms.CharField(
        label=_("Mensaje de cierre (opcional)"), required=False, max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("Si escribís algo, el cliente lo recibe por correo junto con el aviso de cierre."),
    )


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(
        label=_("Prioridad"), choices=Priority.choices, coerce=int,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Elegí una prioridad de la lista.")},
    )


class ResolveForm(forms.Form):
    message = forms.CharField(
        label=_("Mensaje (opcional)"), required=False, max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("Le llega por correo a quien atiende tu solicitud."),
    )


def _limit_messages(field, limit):
    field.error_messages["max_length"] = _(
        "Puede tener hasta %(limit_value)d caracteres (tiene %(show_value)d)."
    )
    for validator in field.validators:
        if getattr(validator, "code", "") == "max_length":
            validator.message = field.error_messages["max_length"]
