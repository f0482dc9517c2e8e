"""The trays' bulk actions form (tickets.bulk): which requests and what to do with them."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tickets.bulk import Action
from tickets.forms import BODY_MAX_LENGTH, _limit_messages
from tickets.models import Priority


class BulkForm(forms.Form):
    """The trays' bulk actions (tickets.bulk): the requests ticked on the page (`solicitudes`, numbers) and what
    to do with them, in one select: «Tomar», a person under «Asignar a», a topic under «Cambiar la temática a», a
    priority under «Cambiar la prioridad a» (values `asignar:<pk>`, `tematica:<pk>`, `prioridad:<n>`), or
    «Cerrar», with the optional message. One choice carries its parameter, so without JavaScript nothing can
    disagree. `people` and `topics` are the (pk, label) choices the trays page already read
    (tickets.selectors.filter_options), so the form costs the page no query.

    cleaned_data: `action` (tickets.bulk.Action), `choice` (the pk or priority chosen with it, or None),
    `numbers` (ints), `mensaje`.
    """

    CHOOSE = _("Elegí qué hacer con las solicitudes seleccionadas.")

    accion = forms.CharField(label=_("Con las seleccionadas"), error_messages={"required": CHOOSE})
    mensaje = forms.CharField(
        label=_("Mensaje de cierre (opcional)"), required=False, max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=_("Solo al cerrar: cada cliente lo recibe con el aviso de cierre de su solicitud."),
    )

    def __init__(self, *args, people, topics, **kwargs):
        # Ids of their own: the filters on the same page have fields of their own names.
        super().__init__(*args, auto_id="bloque_%s", **kwargs)
        self.groups = [
            (_("Asignar a"), [(f"{Action.ASSIGN}:{pk}", name) for pk, name in people]),
            (_("Cambiar la temática a"), [(f"{Action.CHANGE_TOPIC}:{pk}", name) for pk, name in topics]),
            (_("Cambiar la prioridad a"), [(f"{Action.SET_PRIORITY}:{value}", label)
                                           for value, label in Priority.choices]),
        ]
        self.fields["mensaje"].widget.attrs["aria-describedby"] = "bloque_mensaje_help"
        _limit_messages(self.fields["mensaje"], BODY_MAX_LENGTH)

    def clean_accion(self):
        value = self.cleaned_data["accion"]
        if value in (Action.TAKE, Action.CLOSE):
            return value
        if not any(value == option for _label, options in self.groups for option, _text in options):
            raise ValidationError(self.CHOOSE)
        return value

    def clean(self):
        cleaned = super().clean()
        numbers = self.data.getlist("solicitudes") if hasattr(self.data, "getlist") else []
        if not numbers:
            raise ValidationError(_("Marcá al menos una solicitud de la lista."))
        if not all(number.isdigit() and len(number) < 12 for number in numbers):
            raise ValidationError(_("Marcá solicitudes de la lista."))
        cleaned["numbers"] = [int(number) for number in numbers]
        if "accion" in cleaned:
            action, _sep, choice = cleaned["accion"].partition(":")
            cleaned["action"], cleaned["choice"] = Action(action), int(choice) if choice else None
        return cleaned

    def full_clean(self):
        super().full_clean()
        # Marked and read with their message (Django's BoundField adds aria-invalid itself).
        for name in self.errors.keys() & self.fields.keys():
            attrs = self.fields[name].widget.attrs
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            attrs["aria-describedby"] = f"{attrs.get('aria-describedby', '')} bloque_{name}_error".strip()

    def ticked(self):
        """The request numbers ticked in the submitted data (ints; none unbound), to tick them again."""
        numbers = self.data.getlist("solicitudes") if hasattr(self.data, "getlist") else []
        return {int(number) for number in numbers if number.isdigit() and len(number) < 12}
