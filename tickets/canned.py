"""Respuestas predefinidas (canned answers): their placeholders, who may use and manage them, and their writes.

Placeholders are filled by plain text substitution, one pass, never by a template engine: a client named
"{numero}" stays "{numero}", and `{cliente.__class__}` is not a placeholder but a mistake refused when saving.
The result is plain text that goes into the reply box; pages and emails escape it like any message.
`{{` and `}}` write a literal brace.

Who (issue 14, decided here and in the README):
- the reply box of a request offers, to whoever works on it (tickets.permissions.works_on), the global answers
  and those of the request's topic, never another topic's, and never anything to clients;
- administrators manage (create, edit, delete) every answer, global or of any topic;
- operators see the global answers and those of their topics, and manage those of their topics only.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets import permissions
from tickets.models import CannedAnswer
from topics.models import Topic


@dataclass(frozen=True)
class Placeholder:
    name: str
    meaning: str  # lazy: shown on the answer's form

    def value(self, ticket, operator):
        return _VALUES[self.name](ticket, operator)


_VALUES = {
    "cliente": lambda ticket, operator: ticket.requester.display_name,
    "nombre": lambda ticket, operator: ticket.requester.get_short_name(),
    "numero": lambda ticket, operator: str(ticket.number),
    "asunto": lambda ticket, operator: ticket.subject,
    "tematica": lambda ticket, operator: ticket.topic.name,
    "empresa": lambda ticket, operator: ticket.company.name if ticket.company_id else "",
    "operador": lambda ticket, operator: operator.display_name,
}

PLACEHOLDERS = (
    Placeholder("cliente", gettext_lazy("nombre y apellido de quien hizo la solicitud")),
    Placeholder("nombre", gettext_lazy("solo su nombre de pila")),
    Placeholder("numero", gettext_lazy("número de la solicitud")),
    Placeholder("asunto", gettext_lazy("asunto de la solicitud")),
    Placeholder("tematica", gettext_lazy("temática de la solicitud")),
    Placeholder("empresa", gettext_lazy("empresa del cliente (vacío si no tiene)")),
    Placeholder("operador", gettext_lazy("tu nombre, o el de quien use la respuesta")),
)
_BY_NAME = {placeholder.name: placeholder for placeholder in PLACEHOLDERS}
# Written with the accent, as people write it, they mean the same.
_ALIASES = {"número": "numero", "temática": "tematica"}

# `{{` and `}}` are literal braces; `{word}` a placeholder; any other brace is a broken one.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}|[{}]")


def placeholder_names():
    """The placeholders as they are written, for messages and help texts: "{cliente}, {nombre}, …"."""
    return ", ".join(f"{{{placeholder.name}}}" for placeholder in PLACEHOLDERS)


def check(text):
    """Raise ValidationError (Spanish, for the field) if `text` has an unknown placeholder or a brace that is
    not part of one; returns None. The same tokenizer as render(), so what passes here renders."""
    unknown, broken = [], False
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        if match.group(1) is None:
            broken = True
        elif _known(match.group(1)) is None and token not in unknown:
            unknown.append(token)
    errors = []
    if unknown:
        errors.append(ValidationError(
            _("No sabemos completar %(unknown)s. Los datos que se completan solos son: %(names)s.")
            % {"unknown": ", ".join(f"«{token}»" for token in unknown), "names": placeholder_names()}, code="unknown"))
    if broken:
        errors.append(ValidationError(
            _("Hay una llave sin cerrar o sin abrir. Un dato va entre llaves, como {cliente}; para escribir una "
              "llave sola, poné dos: {{ o }}."), code="broken"))
    if errors:
        raise ValidationError(errors)


def _known(name):
    name = name.strip().lower()
    name = _ALIASES.get(name, name)
    return _BY_NAME.get(name)


def render(text, *, ticket, operator):
    """`text` (checked on saving) with each placeholder replaced by its value for `ticket` and `operator`:
    plain text, one pass (a value is never read for placeholders). A placeholder that became unknown since
    is left as written."""

    def fill(match):
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        placeholder = _known(match.group(1)) if match.group(1) is not None else None
        return placeholder.value(ticket, operator) if placeholder else token

    return _TOKEN.sub(fill, text)


def insert(body, text):
    """The reply box's text after inserting `text` without JavaScript (no cursor is known): at the end, after a
    blank line, what was typed kept."""
    body = body.rstrip()
    return f"{body}\n\n{text}" if body else text


# --- Who may do what -------------------------------------------------------------------------------------------


def may_use_answers(user):
    """Operators and administrators (active); never clients."""
    return getattr(user, "is_authenticated", False) and user.is_active and user.is_operator


def may_manage(user, answer):
    """Whether `user` may edit or delete `answer`: administrators any; operators those of their topics."""
    if not may_use_answers(user):
        return False
    if user.is_administrator:
        return True
    return answer.topic_id is not None and answer.topic_id in permissions.operated_topic_ids(user)


def may_write_answers(user):
    """Whether `user` may keep answers at all: administrators (global ones too), operators with a topic."""
    return may_use_answers(user) and (user.is_administrator or bool(permissions.operated_topic_ids(user)))


def topics_to_file_under(user):
    """The topics `user` may keep answers for: every topic for administrators (who also keep global ones),
    their own for operators. A queryset, by name."""
    if user.is_administrator:
        return Topic.objects.order_by("name")
    return Topic.objects.filter(pk__in=permissions.operated_topic_ids(user)).order_by("name")


# --- Reads -----------------------------------------------------------------------------------------------------


def listed_for(user, *, query=""):
    """The answers `user` sees on the management page: all for administrators; global and their topics' for
    operators; none for anyone else. `query` narrows by words in the title or text (a small table: a LIKE is
    fine here). Topic read with them, by title."""
    if not may_use_answers(user):
        return CannedAnswer.objects.none()
    answers = CannedAnswer.objects.select_related("topic").order_by("title", "id")
    if not user.is_administrator:
        answers = answers.filter(Q(topic__isnull=True) | Q(topic__in=permissions.operated_topic_ids(user)))
    for word in query.split()[:8]:
        answers = answers.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return answers


def manageable(user, pk):
    """The answer `pk` if `user` may edit it, else None (the pages answer 404, as for a request they cannot see)."""
    answer = CannedAnswer.objects.select_related("topic").filter(pk=pk).first()
    return answer if answer is not None and may_manage(user, answer) else None


@dataclass(frozen=True)
class Offer:
    """One answer offered in a request's reply box: its id, title, topic name ("" when global) and text
    rendered for that request and operator."""

    pk: int
    title: str
    topic: str
    text: str


def offered(ticket, user):
    """The answers the reply box of `ticket` offers `user`, rendered for them: the global ones and those of
    the request's topic, by title; [] for anyone who does not work on the request. One query."""
    if not (may_use_answers(user) and permissions.works_on(user, ticket)):
        return []
    answers = CannedAnswer.objects.filter(Q(topic__isnull=True) | Q(topic=ticket.topic_id)).order_by("title", "id")
    return [Offer(answer.pk, answer.title, ticket.topic.name if answer.topic_id else "",
                  render(answer.body, ticket=ticket, operator=user))
            for answer in answers.only("pk", "title", "body", "topic_id")]


# --- Writes ----------------------------------------------------------------------------------------------------


class NotAllowed(Exception):
    """`by` may not keep an answer there (a topic they do not work, global for an operator) or touch this one."""


def save(answer=None, *, by, title, body, topic):
    """Create (answer None) or change an answer; `topic` None is global (administrators only). Checks the text
    (ValidationError) and who may (NotAllowed, for the old place and the new one). Returns the answer."""
    check(body)
    with transaction.atomic():
        if answer is not None and not may_manage(by, answer):
            raise NotAllowed
        answer = answer or CannedAnswer(created_by=by)
        answer.title, answer.body, answer.topic = title.strip(), body, topic
        if not may_manage(by, answer):
            raise NotAllowed
        answer.updated_at = timezone.now()
        answer.save()
    return answer


def delete(answer, *, by):
    """Delete an answer `by` may manage (else NotAllowed). Messages written with it keep their text."""
    if not may_manage(by, answer):
        raise NotAllowed
    answer.delete()

