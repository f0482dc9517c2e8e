"""Forms of the respuestas predefinidas: the answer itself (its page) and the pick in a request's reply box."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets import canned
from tickets.forms import BODY_MAX_LENGTH

TITLE_MAX_LENGTH = 120


class CannedAnswerForm(forms.Form):
    """Title, text and where it applies. Operators choose among their topics; administrators may leave it
    global (every topic). The text is checked for its placeholders (tickets.canned.check)."""

    title = forms.CharField(
        label=_("Título"), max_length=TITLE_MAX_LENGTH,
        help_text=_("Lo que buscás al responder, por ejemplo «Pedido de CUIT» o «Reinicio del equipo»."),
        error_messages={"required": _("Escribí un título.")},
    )
    body = forms.CharField(
        label=_("Texto"), max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Escribí el texto de la respuesta.")},
    )
    topic = forms.ModelChoiceField(
        label=_("Temática"), queryset=None, required=False,
        error_messages={"invalid_choice": _("Elegí una de tus temáticas."),
                        "required": _("Elegí una de tus temáticas.")},
    )

    def __init__(self, *args, user, answer=None, **kwargs):
        if answer is not None:
            kwargs.setdefault("initial", {"title": answer.title, "body": answer.body, "topic": answer.topic_id})
        super().__init__(*args, **kwargs)
        topic = self.fields["topic"]
        topic.queryset = canned.topics_to_file_under(user)
        if user.is_administrator:
            topic.empty_label = _("Todas las temáticas (global)")
            topic.help_text = _("Global: se ofrece en las solicitudes de cualquier temática.")
        else:
            topic.required, topic.empty_label = True, None
            topic.help_text = _("Se ofrece en las solicitudes de esta temática. Las globales las cargan los "
                                "administradores.")
        self.fields["body"].help_text = _(
            "Se completan solos al usarla: %(names)s. Para escribir una llave sola, poné dos: {{ o }}."
        ) % {"names": canned.placeholder_names()}

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        canned.check(body)
        return body


class OfferSelect(forms.Select):
    """Each option carries its answer's text, rendered for the request (data-text): static/js/canned.js
    inserts it at the cursor; without JavaScript «Insertar» sends the form and the server inserts it."""

    def __init__(self, *args, texts, **kwargs):
        super().__init__(*args, **kwargs)
        self.texts = texts

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.texts:
            option["attrs"]["data-text"] = self.texts[value]
        return option


class CannedPickForm(forms.Form):
    """The choice among the answers offered on a request (tickets.canned.offered), cleaned to the Offer."""

    use_required_attribute = False  # inside the reply form: «Responder» must not ask for an answer

    respuesta = forms.TypedChoiceField(
        label=_("Respuesta predefinida"), coerce=int, required=True,
        error_messages={"required": _("Elegí una respuesta de la lista."),
                        "invalid_choice": _("Esa respuesta no se ofrece en esta solicitud. Elegí una de la lista.")},
    )

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers = {offer.pk: offer for offer in offers}
        field = self.fields["respuesta"]
        field.choices = [("", _("Elegí una respuesta"))] + [
            (offer.pk, f"{offer.title} · {offer.topic}" if offer.topic else offer.title) for offer in offers]
        field.widget = OfferSelect(texts={offer.pk: offer.text for offer in offers},
                                   attrs={"class": "form-select", "data-canned-select": ""})
        field.widget.choices = field.choices

    def clean_respuesta(self):
        return self.offers[self.cleaned_data["respuesta"]]
