"""Every write form of the app is safe to send twice (accounts/submissions.py).

- Every `<form method="post">` in templates/ carries `{% submission_key %}`, except a short list of
  anonymous or harmless forms, each with its reason; a new form without it fails here.
- Every page with write forms renders one fresh key per form.
- Every URL of our apps is either a write walked in the table below or listed as read-only.
- The table: each write POSTed twice with the same key changes the database once, sends its emails once,
  and the second answer redirects where the first did, with the "already received" notice only.
- On a request's reply form: two keys are two replies; a form error keeps the key and the corrected form
  goes through with it; a write that fails half-way frees its key.

The field name is written out ("submission_key") so this module also runs against code without the guard.
"""

import re
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.tests.factories import TEST_PASSWORD, verified
from mail.models import OutboxMessage
from tickets.models import Intervention, State
from tickets.tests.conftest import make_world
from topics.tests.factories import TopicFactory

KEY = "submission_key"
RESENT = "Ya habíamos recibido ese formulario: no se hizo nada dos veces."
TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Forms that carry no key on purpose.
EXEMPT_TEMPLATES = {
    "account/login.html": "anonymous (allauth): the middleware ignores anonymous POSTs",
    "account/signup.html": "anonymous (allauth)",
    "account/password_reset.html": "anonymous (allauth): asking for a reset link",
    "account/password_reset_from_key.html": "anonymous (allauth): the link's form, valid once anyway",
    "accounts/accept_invitation.html": "anonymous: the invitation link's form, valid once anyway",
    "account/resend_verification.html": "anonymous: asking for the verification link again (rate-limited)",
    "account/logout.html": "logging out twice is harmless: the second POST is anonymous",
    "base.html": "the header's logout button, as above",
    "partials/language_switch.html": "only sets the language: the same result however often",
}
EXEMPT_ACTIONS = {reverse("account_logout"), reverse("set_language")}


# --- Every form in the templates --------------------------------------------------------------------------------

FORM = re.compile(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.S | re.I)
METHOD = re.compile(r"""method\s*=\s*["']?(?P<method>[^"'\s>]+)""", re.I)


def post_forms(path):
    """(attributes, body) of each form of a template whose method is POST or set by the template."""
    for match in FORM.finditer(path.read_text()):
        method = METHOD.search(match["attrs"])
        if method and (method["method"].lower() == "post" or "{{" in method["method"]):
            yield match["attrs"], match["body"]


def templates_with_post_forms():
    return sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html") if any(post_forms(path)))


@pytest.mark.parametrize("template", [name for name in templates_with_post_forms() if name not in EXEMPT_TEMPLATES])
def test_every_post_form_in_the_templates_carries_the_key(template):
    for attrs, body in post_forms(TEMPLATES / template):
        assert "{% submission_key" in body, f"{template}: <form{attrs}> has no {{% submission_key %}}"


def test_the_exemptions_are_real_forms():
    """An exemption whose form is gone must leave the list, so the list stays the truth."""
    assert set(EXEMPT_TEMPLATES) <= set(templates_with_post_forms())


def test_the_scan_sees_the_forms_we_know_of():
    found = set(templates_with_post_forms())
    assert {"tickets/_reply_form.html", "tickets/_actions.html", "tickets/create.html", "accounts/user_detail.html",
            "mail/outbox.html", "accounts/profile.html", "topics/list.html", "topics/form.html",
            "topics/operator_topics.html", "allauth/elements/form.html", "topics/invite.html",
            "accounts/user_edit.html"} <= found


# --- The table of writes ---------------------------------------------------------------------------------------


def _nothing(world):
    return None


@dataclass
class Write:
    url_name: str
    who: str
    state: str = State.IN_PROGRESS
    args: object = lambda world: []  # noqa: E731
    data: object = lambda world: {}  # noqa: E731
    setup: object = _nothing
    extra: dict = field(default_factory=dict)


def _deactivate_other_client(world):
    type(world["another client"]).objects.filter(pk=world["another client"].pk).update(is_active=False)


def _deactivate_other_topic(world):
    type(world.other_topic).objects.filter(pk=world.other_topic.pk).update(is_active=False)


def _failed_email(world):
    world.failed = OutboxMessage.objects.create(
        message_id="<fallido@test>", from_email="Sysmo <no-responder@localhost>", to=["x@example.com"],
        subject="Asunto", body="Cuerpo", status=OutboxMessage.Status.FAILED, attempts=8,
    )


def _verified_requester(world):
    verified(world["requester"])


def _closed_day(world):
    from sla.models import ClosedDay

    world.closed_day = ClosedDay.objects.create(date="2099-06-16", name="Puente")


def _survey(world):
    """The closing email's survey of the (closed) request; its token is the link's."""
    from django.utils import timezone

    from satisfaction import services

    world.survey = services.ask_with_closing(world.ticket, at=timezone.now())


def _answered_survey(world):
    from satisfaction import services

    _survey(world)
    services.answer(world.survey, score=4)


def _survey_token(world):
    from satisfaction import services

    return [services.token_for(world.survey)]


def _ticket(world):
    return [world.ticket.number]


def _invited(world):
    from accounts import services

    world.invitee = services.create_invited_user(email="nora@example.com", full_name="Nora Nueva",
                                                 role="operator", by=world["administrator"])


def _pending_colleague(world):
    """The requester is their company's contact; their colleague signed up later and waits for them."""
    from accounts.models import Company, User

    Company.objects.filter(pk=world["requester"].company_id).update(contact=world["requester"])
    User.objects.filter(pk=world["colleague"].pk).update(company_confirmed=False)


def _copies(world):
    """Cecilia is in copy on the request; Clara, verified, may be added (tickets.tests.conftest.add_copies)."""
    from tickets.tests.conftest import add_copies

    add_copies(world)


def _company(world):
    return [world["requester"].company_id]


def _second_factor(world):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(world["topic operator"], generate_totp_secret())


def _canned_answer(world):
    from tickets.models import CannedAnswer

    world.canned = CannedAnswer.objects.create(title="Saludo", body="Hola, {nombre}.", topic=world.topic)


def _deletion_asked(world):
    from privacy.models import DeletionRequest

    world.deletion = DeletionRequest.objects.create(user=world["another client"])


WRITES = {
    # Requests
    "file a request": Write("tickets:create", "requester", data=lambda w: {
        "topic": w.topic.pk, "subject": "No imprime", "description": "La impresora no responde."}),
    "file a request for a new client": Write("tickets:create", "topic operator", data=lambda w: {
        "topic": w.topic.pk, "subject": "Llamó", "description": "No imprime.", "cliente_nombre": "Nora Nueva",
        "cliente_correo": "nora@example.com", "cliente_empresa": w["requester"].company.name}),
    "reply": Write("tickets:reply", "requester", args=_ticket, data=lambda w: {"body": "Gracias, sigo esperando."}),
    "reply on a closed request (reopens it)": Write("tickets:reply", "requester", State.CLOSED, args=_ticket,
                                                    data=lambda w: {"body": "Volvió a fallar."}),
    "operator's reply": Write("tickets:reply", "assignee", args=_ticket, data=lambda w: {"body": "Ya lo vemos."}),
    "internal comment": Write("tickets:reply", "assignee", args=_ticket,
                              data=lambda w: {"body": "Nota interna.", "mode": "internal"}),
    "take": Write("tickets:take", "topic operator", State.NEW, args=_ticket),
    "assign": Write("tickets:assign", "administrator", args=_ticket,
                    data=lambda w: {"assignee": w["topic operator"].pk}),
    "change topic": Write("tickets:change_topic", "administrator", args=_ticket,
                          data=lambda w: {"topic": w.other_topic.pk}),
    "close with a message": Write("tickets:close", "assignee", args=_ticket,
                                  data=lambda w: {"message": "Quedó resuelto."}),
    "close": Write("tickets:close", "assignee", args=_ticket),
    "reopen": Write("tickets:reopen", "assignee", State.CLOSED, args=_ticket),
    "set the priority": Write("tickets:set_priority", "assignee", args=_ticket, data=lambda w: {"priority": 4}),
    "the client closes it": Write("tickets:resolve", "requester", args=_ticket,
                                  data=lambda w: {"message": "Ya funciona, gracias."}),
    "add a colleague in copy": Write("tickets:add_colleague", "requester", args=_ticket, setup=_copies,
                                     data=lambda w: {"colleague": w["colleague"].pk}),
    "remove a colleague from copy": Write("tickets:remove_colleague", "assignee", args=_ticket, setup=_copies,
                                          data=lambda w: {"colleague": w["colleague in copy"].pk}),
    # Bulk actions in the trays (issue 14)
    "take several at once": Write("tickets:bulk", "topic operator", State.NEW,
                                  data=lambda w: {"accion": "tomar", "solicitudes": [w.ticket.number]}),
    "close several at once with a message": Write("tickets:bulk", "assignee", data=lambda w: {
        "accion": "cerrar", "solicitudes": [w.ticket.number], "mensaje": "Quedó resuelto."}),
    # Respuestas predefinidas (issue 14)
    "create a canned answer": Write("tickets:canned_create", "topic operator", data=lambda w: {
        "title": "Pedido de CAE", "body": "Hola, {nombre}: ¿nos pasás el CAE?", "topic": w.topic.pk}),
    "edit a canned answer": Write("tickets:canned_edit", "topic operator", args=lambda w: [w.canned.pk],
                                  setup=_canned_answer, data=lambda w: {
                                      "title": "Saludo", "body": "Buenas, {cliente}.", "topic": w.topic.pk}),
    "delete a canned answer": Write("tickets:canned_delete", "topic operator", args=lambda w: [w.canned.pk],
                                    setup=_canned_answer),
    # The person's own account
    "profile": Write("accounts:profile", "requester",
                     data=lambda w: {"full_name": "Rita R. Requirente", "phone": "011 4321-5678"}),
    "signature": Write("accounts:signature", "assignee", data=lambda w: {"signature": "Ana · Facturación"}),
    "change password": Write("account_change_password", "requester", setup=_verified_requester, data=lambda w: {
        "oldpassword": TEST_PASSWORD, "password1": "dulce-de-leche-2031", "password2": "dulce-de-leche-2031"}),
    "change email": Write("account_email", "requester", setup=_verified_requester,
                          data=lambda w: {"action_add": "", "email": "rita.nueva@example.com"}),
    # The satisfaction survey of the closing email (issue 15): the signed link, here opened by the client logged
    # in (anonymous visitors are not guarded by the key: answering twice records the same answer, see
    # satisfaction/tests/test_survey.py)
    "answer the satisfaction survey": Write("satisfaction:survey", "requester", State.CLOSED, args=_survey_token,
                                            setup=_survey, data=lambda w: {"score": 5}),
    "comment on the satisfaction survey": Write("satisfaction:thanks", "requester", State.CLOSED,
                                                args=_survey_token, setup=_answered_survey,
                                                data=lambda w: {"comment": "Muy amables."}),
    # Administrators: users
    "change role": Write("accounts:user_role", "administrator", args=lambda w: [w["another client"].pk],
                         data=lambda w: {"role": "operator"}),
    "topics of an operator": Write("topics:operator_topics", "administrator", args=lambda w: [w["other operator"].pk],
                                   data=lambda w: {"topics": [w.topic.pk, w.other_topic.pk]}),
    "deactivate a user": Write("accounts:user_deactivate", "administrator", args=lambda w: [w["another client"].pk]),
    "reactivate a user": Write("accounts:user_reactivate", "administrator", args=lambda w: [w["another client"].pk],
                               setup=_deactivate_other_client),
    "resend the verification email": Write("accounts:user_resend_verification", "administrator",
                                           args=lambda w: [w["another client"].pk]),
    "take away a lost second factor": Write("accounts:user_reset_second_factor", "administrator",
                                            args=lambda w: [w["topic operator"].pk], setup=_second_factor),
    "send a password reset link": Write("accounts:user_reset_password", "administrator",
                                        args=lambda w: [w["requester"].pk]),
    "invite a person": Write("topics:invite", "administrator", data=lambda w: {
        "full_name": "Nora Nueva", "email": "nora@example.com", "role": "operator", "topics": [w.topic.pk]}),
    "resend an invitation": Write("accounts:user_resend_invitation", "administrator", args=lambda w: [w.invitee.pk],
                                  setup=_invited),
    "edit a person's name and phone": Write("accounts:user_edit", "administrator",
                                            args=lambda w: [w["another client"].pk], data=lambda w: {
                                                "full_name": "Carlos C. Cliente", "phone": "011 4321-5678"}),
    "change a person's email": Write("accounts:user_email", "administrator", args=lambda w: [w["requester"].pk],
                                     setup=_verified_requester, data=lambda w: {"email": "rita.otra@example.com"}),
    "correct a pending invitation's email": Write("accounts:user_email", "administrator",
                                                  args=lambda w: [w.invitee.pk], setup=_invited,
                                                  data=lambda w: {"email": "nora.nueva@example.com"}),
    # Companies (accounts.membership)
    "the contact accepts a colleague": Write("accounts:member_accept", "requester", setup=_pending_colleague,
                                             args=lambda w: [w["colleague"].pk]),
    "an administrator refuses a colleague": Write("accounts:member_refuse", "administrator",
                                                  setup=_pending_colleague, args=lambda w: [w["colleague"].pk]),
    "rename a company": Write("accounts:company_rename", "administrator", args=_company,
                              data=lambda w: {"name": "La Espiga SRL"}),
    "change a company's contact": Write("accounts:company_contact", "administrator", args=_company,
                                        data=lambda w: {"contact": w["colleague"].pk}),
    # Mis datos (privacy)
    "ask for deletion": Write("privacy:my_data_delete", "requester"),
    "honour a deletion request": Write("privacy:deletion_honour", "administrator", setup=_deletion_asked,
                                       args=lambda w: [w.deletion.pk]),
    # Administrators: topics
    "create a topic": Write("topics:create", "administrator", data=lambda w: {
        "name": "Cobranzas", "description": "Pagos y deudas.", "operators": [w["topic operator"].pk]}),
    "edit a topic": Write("topics:edit", "administrator", args=lambda w: [w.topic.pk], data=lambda w: {
        "name": "Facturación y cobranzas", "description": "Facturas.", "operators": [w["assignee"].pk]}),
    "deactivate a topic": Write("topics:deactivate", "administrator", args=lambda w: [w.other_topic.pk]),
    "reactivate a topic": Write("topics:reactivate", "administrator", args=lambda w: [w.other_topic.pk],
                                setup=_deactivate_other_topic),
    # Administrators: working hours and SLA (issue 15)
    "set the working hours": Write("sla:schedule", "administrator", data=lambda w: {
        "open_0": "on", "opens_0": "10:00", "closes_0": "17:00"}),
    "add a closed day": Write("sla:closed_day_add", "administrator",
                              data=lambda w: {"date": "2099-06-16", "name": "Puente"}),
    "remove a closed day": Write("sla:closed_day_remove", "administrator", args=lambda w: [w.closed_day.pk],
                                 setup=_closed_day),
    "set the SLA targets": Write("sla:targets", "administrator", data=lambda w: {
        f"first_{w.topic.pk}_4": "1", f"resolution_{w.topic.pk}_4": "4"}),
    # Administrators: email
    "retry a failed email": Write("mail:outbox_retry", "administrator", args=lambda w: [w.failed.pk],
                                  setup=_failed_email),
    "send a test email": Write("mail:outbox_test", "administrator"),
}

READ_ONLY = {
    "home", "tickets:inbox", "tickets:detail", "tickets:download", "mail:outbox", "mail:outbox_detail", "mail:inbound",
    "mail:inbound_detail", "accounts:user_list", "accounts:user_detail", "topics:list", "reports:page",
    "reports:export",
    "accounts:company_list", "accounts:company_detail", "accounts:my_company", "privacy:privacy", "privacy:my_data",
    "privacy:my_data_download", "privacy:deletion_list", "tickets:canned_list",
}
OUR_NAMESPACES = {"mail", "accounts", "topics", "tickets", "reports", "sla", "privacy", "satisfaction"}
# Writes by anonymous visitors holding a one-time link: the middleware ignores anonymous POSTs, and the link
# itself works once (accounts/tests/test_invitations.py sends it twice).
ONCE_BY_LINK = {"accounts:accept_invitation"}
# Anonymous requests for an email, each limited per address (accounts/tests/test_account_states.py).
ANONYMOUS_RATE_LIMITED = {"accounts:resend_verification"}


def url_names(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace and pattern.namespace not in OUR_NAMESPACES:
                continue  # django's admin, allauth, i18n
            yield from url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_of_our_apps_is_a_walked_write_or_read_only():
    ours = {name for name in url_names() if name.split(":")[0] in OUR_NAMESPACES or name == "home"}
    writes = {write.url_name for write in WRITES.values()}
    assert ours - writes - READ_ONLY - ONCE_BY_LINK - ANONYMOUS_RATE_LIMITED == set(), (
        "a new URL: add it to WRITES (it takes POSTs) or READ_ONLY")
    assert ours >= READ_ONLY, "a read-only URL is gone: drop it from READ_ONLY"


def database_state():
    """Every row of our apps and allauth's addresses, except the guard's own table."""
    state = {}
    for label in ("mail", "accounts", "topics", "tickets", "sla", "account", "privacy", "satisfaction"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model.__name__ == "SubmissionClaim":
                continue
            state[model._meta.label] = list(model.objects.order_by("pk").values())
    return state


def flashed(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(WRITES))
def test_every_write_sent_twice_with_the_same_key_changes_once(client, name):
    write = WRITES[name]
    world = make_world(write.state)
    write.setup(world)
    client.force_login(world[write.who])
    url = reverse(write.url_name, args=write.args(world))
    data = {**write.data(world), KEY: str(uuid.uuid4())}

    before = database_state()
    first = client.post(url, data)
    assert first.status_code == 302, first.content.decode()[:2000]
    after_first, emails = database_state(), len(mail.outbox)
    assert after_first != before or emails, "the first POST did nothing: the case tests nothing"
    client.get(first["Location"])  # the first answer's page, with its message
    settled = database_state()  # staff opening a request's page record it (tickets.news): a read, not the write

    second = client.post(url, data)

    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert database_state() == settled
    assert len(mail.outbox) == emails
    assert flashed(second) == [RESENT]


# --- Every page renders a fresh key in each write form -----------------------------------------------------------


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action") or "",
                             "keys": []}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attrs.get("name") == KEY:
            self._current["keys"].append(attrs.get("value"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def write_forms(html):
    parser = _Forms()
    parser.feed(html)
    return [form for form in parser.forms
            if form["method"] == "post" and form["action"].split("?")[0] not in EXEMPT_ACTIONS]


def _pending_email_change(world):
    from allauth.account.models import EmailAddress

    verified(world["requester"])
    EmailAddress.objects.create(user=world["requester"], email="rita.nueva@example.com", verified=False,
                                primary=False)


def _no_password_yet(world):
    verified(world["requester"])
    world["requester"].set_unusable_password()
    world["requester"].save(update_fields=["password"])


PAGES = {
    "new request": ("requester", State.IN_PROGRESS, "tickets:create", lambda w: [], _nothing, 1),
    "new request page of an administrator": ("administrator", State.NEW, "tickets:detail", _ticket, _nothing, 4),
    "request in progress, administrator": ("administrator", State.IN_PROGRESS, "tickets:detail", _ticket,
                                           _nothing, 4),
    "closed request, operator": ("assignee", State.CLOSED, "tickets:detail", _ticket, _nothing, 2),
    "request, client": ("requester", State.IN_PROGRESS, "tickets:detail", _ticket, _nothing, 1),
    # reply, «Ya está resuelto», add a colleague, remove Cecilia
    "request with colleagues in copy, client": ("requester", State.IN_PROGRESS, "tickets:detail", _ticket, _copies,
                                                4),
    "profile": ("requester", State.IN_PROGRESS, "accounts:profile", lambda w: [], _nothing, 1),
    "profile of an operator (with the signature)": ("assignee", State.IN_PROGRESS, "accounts:profile", lambda w: [],
                                                    _nothing, 2),
    "the trays of an operator (bulk actions)": ("topic operator", State.NEW, "tickets:inbox", lambda w: [], _nothing,
                                                1),
    "canned answers": ("topic operator", State.IN_PROGRESS, "tickets:canned_list", lambda w: [], _canned_answer, 1),
    "new canned answer": ("topic operator", State.IN_PROGRESS, "tickets:canned_create", lambda w: [], _nothing, 1),
    "edit canned answer": ("topic operator", State.IN_PROGRESS, "tickets:canned_edit", lambda w: [w.canned.pk],
                           _canned_answer, 1),
    "request with canned answers, operator": ("assignee", State.IN_PROGRESS, "tickets:detail", _ticket,
                                              _canned_answer, 2),
    "password": ("requester", State.IN_PROGRESS, "account_change_password", lambda w: [], _verified_requester, 1),
    "email": ("requester", State.IN_PROGRESS, "account_email", lambda w: [], _pending_email_change, 2),
    # allauth's own template, through our allauth/elements/form.html
    "set a password": ("requester", State.IN_PROGRESS, "account_set_password", lambda w: [], _no_password_yet, 1),
    "a user": ("administrator", State.IN_PROGRESS, "accounts:user_detail", lambda w: [w["another client"].pk],
               _nothing, 3),
    "a deactivated user": ("administrator", State.IN_PROGRESS, "accounts:user_detail",
                           lambda w: [w["another client"].pk], _deactivate_other_client, 2),
    "an operator's topics": ("administrator", State.IN_PROGRESS, "topics:operator_topics",
                             lambda w: [w["other operator"].pk], _nothing, 1),
    "topics": ("administrator", State.IN_PROGRESS, "topics:list", lambda w: [], _deactivate_other_topic, 2),
    "new topic": ("administrator", State.IN_PROGRESS, "topics:create", lambda w: [], _nothing, 1),
    "edit topic": ("administrator", State.IN_PROGRESS, "topics:edit", lambda w: [w.topic.pk], _nothing, 1),
    "outbox": ("administrator", State.IN_PROGRESS, "mail:outbox", lambda w: [], _failed_email, 2),
    "invite a person": ("administrator", State.IN_PROGRESS, "topics:invite", lambda w: [], _nothing, 1),
    "a person's data": ("administrator", State.IN_PROGRESS, "accounts:user_edit", lambda w: [w["requester"].pk],
                        _verified_requester, 2),
    "the satisfaction survey": ("requester", State.CLOSED, "satisfaction:survey", _survey_token, _survey, 1),
    "the survey's thanks page": ("requester", State.CLOSED, "satisfaction:thanks", _survey_token, _answered_survey,
                                 1),
    "a pending invitation": ("administrator", State.IN_PROGRESS, "accounts:user_detail", lambda w: [w.invitee.pk],
                             _invited, 3),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(PAGES))
def test_every_write_form_on_every_page_has_its_own_new_key(client, name):
    who, state, url_name, args, setup, expected_forms = PAGES[name]
    world = make_world(state)
    setup(world)
    client.force_login(world[who])
    response = client.get(reverse(url_name, args=args(world)))
    assert response.status_code == 200
    forms = write_forms(response.content.decode())

    assert len(forms) >= expected_forms
    for form in forms:
        assert len(form["keys"]) == 1, f"{form['action'] or 'this page'} has {len(form['keys'])} keys"
        uuid.UUID(form["keys"][0])
    keys = [form["keys"][0] for form in forms]
    assert len(set(keys)) == len(keys), "two forms of one page share a key"
    again = [form["keys"][0] for form in write_forms(client.get(reverse(url_name, args=args(world))).content.decode())]
    assert not set(again) & set(keys), "a new render must give new keys"


# --- The reply form, closely -----------------------------------------------------------------------------------


def reply(client, world, body, key, **extra):
    return client.post(reverse("tickets:reply", args=[world.ticket.number]), {"body": body, KEY: key, **extra})


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def new_world(db):
    return make_world(State.NEW)


@pytest.mark.django_db
def test_two_keys_are_two_replies(client, world):
    client.force_login(world["requester"])
    reply(client, world, "Sigue fallando.", str(uuid.uuid4()))
    reply(client, world, "Sigue fallando.", str(uuid.uuid4()))
    assert Intervention.objects.filter(ticket=world.ticket).count() == 2
    assert len([m for m in mail.outbox if m.to == [world["assignee"].email]]) == 2


@pytest.mark.django_db
def test_a_reply_with_an_error_keeps_its_key_and_the_corrected_one_goes_through_once(client, world):
    client.force_login(world["assignee"])
    key = str(uuid.uuid4())
    response = reply(client, world, "", key)
    assert response.status_code == 200
    forms = write_forms(response.content.decode())
    [reply_form] = [form for form in forms if "/responder/" in form["action"]]
    assert reply_form["keys"] == [key]
    assert key not in [form["keys"][0] for form in forms if form is not reply_form]  # the others get new keys

    first = reply(client, world, "Ahora sí.", key)
    second = reply(client, world, "Ahora sí.", key)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert list(Intervention.objects.filter(ticket=world.ticket).values_list("body", flat=True)) == ["Ahora sí."]


@pytest.mark.django_db
def test_a_reply_that_fails_half_way_frees_its_key(client, world):
    client.force_login(world["requester"])
    client.raise_request_exception = False
    key = str(uuid.uuid4())
    with mock.patch("tickets.notifications.send", side_effect=RuntimeError("SMTP module crashed")):
        assert reply(client, world, "Sigue fallando.", key).status_code == 500
    assert not Intervention.objects.exists()

    assert reply(client, world, "Sigue fallando.", key).status_code == 302
    assert reply(client, world, "Sigue fallando.", key).status_code == 302
    assert Intervention.objects.filter(ticket=world.ticket).count() == 1
    assert len([m for m in mail.outbox if m.to == [world["assignee"].email]]) == 1


@pytest.mark.django_db
def test_a_move_refused_by_the_state_is_answered_once_and_not_repeated(client, new_world):
    """Of two operators taking at once, the loser is told once; the loser's resend does not try again."""
    winner, loser = new_world["topic operator"], new_world["administrator"]
    TopicFactory(operators=[loser])
    from tickets import services

    services.take(new_world.ticket, by=winner)
    client.force_login(loser)
    key = str(uuid.uuid4())
    url = reverse("tickets:take", args=[new_world.ticket.number])
    first = client.post(url, {KEY: key})
    assert flashed(first) == ["Olga Operadora ya tomó esta solicitud."]
    client.get(first["Location"])
    second = client.post(url, {KEY: key})
    assert second["Location"] == first["Location"]
    assert flashed(second) == [RESENT]
