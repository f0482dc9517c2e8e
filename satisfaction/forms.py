from django import forms
from django.utils.translation import gettext_lazy as _

from satisfaction.models import Score


class AnswerForm(forms.Form):
    score = forms.TypedChoiceField(label=_("¿Cómo te atendimos?"), choices=Score.choices, coerce=int,
                                   widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                                   error_messages={"required": _("Elegí una de las cinco respuestas."),
                                                   "invalid_choice": _("Elegí una de las cinco respuestas.")})


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("¿Querés contarnos algo más? (opcional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))
