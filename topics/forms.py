from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.forms import InviteForm
from accounts.models import STAFF_ROLES, User
from topics.models import Topic


class OperatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        label = f"{user.display_name} · {user.email}" if user.full_name else user.email
        return label if user.is_active else _("%(label)s (desactivada)") % {"label": label}


class TopicForm(forms.ModelForm):
    operators = OperatorChoiceField(
        label=_("Operadores"), required=False, queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("Ven las solicitudes de esta temática y reciben un correo cuando llega una nueva."),
    )

    class Meta:
        model = Topic
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"description": _("Ayuda al cliente a elegir la temática correcta.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Operators and administrators; someone already on the topic stays listed even if deactivated.
        who = Q(role__in=STAFF_ROLES) & Q(is_active=True)
        if self.instance.pk:
            who |= Q(pk__in=self.instance.operators.values("pk"))
            self.fields["operators"].initial = list(self.instance.operators.values_list("pk", flat=True))
        self.fields["operators"].queryset = User.objects.filter(who).order_by("full_name", "email")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Topic.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Ya hay una temática con ese nombre."))
        return name


class TopicChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, topic):
        return topic.name if topic.is_active else _("%(name)s (inactiva)") % {"name": topic.name}


class OperatorTopicsForm(forms.Form):
    topics = TopicChoiceField(
        label=_("Temáticas"), required=False, queryset=Topic.objects.none(), widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = user.topics.values("pk")
        self.fields["topics"].queryset = Topic.objects.filter(Q(is_active=True) | Q(pk__in=current)).order_by("name")
        self.fields["topics"].initial = list(user.topics.values_list("pk", flat=True))


class StaffInviteForm(InviteForm):
    """accounts' invitation form plus the topics the invitee will work (active ones)."""

    topics = TopicChoiceField(
        label=_("Temáticas"), required=False, queryset=Topic.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("Ve las solicitudes de estas temáticas. Podés cambiarlas después desde su página."),
        error_messages={"invalid_choice": _("Elegí temáticas activas de la lista."),
                        "invalid_pk_value": _("Elegí temáticas activas de la lista.")},
    )

    field_order = ["full_name", "email", "phone", "role", "topics"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.filter(is_active=True).order_by("name")
