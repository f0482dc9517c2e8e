"""The resend guard itself (accounts/submissions.py), on the accounts pages: the key, the claim, its release.

Every write form of the app, sent twice, is walked in sysmo/tests/test_resend.py.
"""

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import call_command
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services, submissions
from accounts.models import SubmissionClaim
from accounts.tasks import purge_submission_claims
from accounts.tests.factories import TEST_PASSWORD, AdminFactory, ClientFactory, verified

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")
TEST_MAIL = reverse("mail:outbox_test")
PHONE = "011 4321-5678"
RESENT = "Ya habíamos recibido ese formulario: no se hizo nada dos veces."


@pytest.fixture
def ana():
    return verified(ClientFactory(email="ana@example.com", full_name="Ana Martínez", phone="+541143215678"))


def key():
    return str(uuid.uuid4())


def rendered_key(html):
    start = html.index(f'name="{submissions.FIELD}" value="') + len(f'name="{submissions.FIELD}" value="')
    return uuid.UUID(html[start:start + 36])


def flashed(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- The tag ---------------------------------------------------------------------------------------------------


class NameForm(forms.Form):
    name = forms.CharField()


def render(source, **context):
    return engines["django"].from_string(source).render(context)


def test_the_tag_renders_a_new_key_at_each_render():
    first, second = render("{% submission_key %}"), render("{% submission_key %}")
    assert first.startswith('<input type="hidden" name="submission_key" value="')
    assert rendered_key(first) != rendered_key(second)


@pytest.mark.parametrize(
    ("form", "kept"),
    [
        (NameForm(), False),
        (NameForm({"name": ""}), False),  # sent without a key
        (NameForm({"name": "", submissions.FIELD: "no-es-una-clave"}), False),
        (NameForm({"name": "", submissions.FIELD: "8c1b3e9e-4f47-4a3b-9d2e-6a1f0c5b7d21"}), True),
    ],
    ids=["unbound", "bound without key", "bound with garbage", "bound with its key"],
)
def test_a_form_that_comes_back_keeps_the_key_it_was_sent_with(form, kept):
    html = render("{% submission_key form %}", form=form)
    assert (rendered_key(html) == uuid.UUID("8c1b3e9e-4f47-4a3b-9d2e-6a1f0c5b7d21")) is kept


def test_a_form_that_owns_its_key_renders_it():
    form = NameForm()
    form.submission_key = uuid.UUID("0b5f2a4c-1d3e-4f60-8a7b-9c0d1e2f3a4b")
    assert rendered_key(render("{% submission_key form %}", form=form)) == form.submission_key


# --- Once per key ---------------------------------------------------------------------------------------------


def test_the_same_form_sent_twice_writes_once_and_lands_where_the_first_did(client, ana):
    client.force_login(ana)
    sent = key()
    first = client.post(PROFILE, {"full_name": "Ana María", "phone": PHONE, submissions.FIELD: sent})
    second = client.post(PROFILE, {"full_name": "Ana Segunda", "phone": PHONE, submissions.FIELD: sent})

    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] == PROFILE
    ana.refresh_from_db()
    assert ana.full_name == "Ana María"  # the resend did not reach the view, even with other data
    assert flashed(second) == ["Guardamos tus datos.", RESENT]  # the first one's, never shown, and the notice
    assert SubmissionClaim.objects.get().location == PROFILE


def test_two_keys_are_two_writes(client):
    admin = AdminFactory()
    client.force_login(admin)
    client.post(TEST_MAIL, {submissions.FIELD: key()})
    client.post(TEST_MAIL, {submissions.FIELD: key()})
    assert len(mail.outbox) == 2


def test_the_same_key_from_two_people_is_two_writes():
    shared = key()
    for admin in (AdminFactory(), AdminFactory()):
        browser = Client()
        browser.force_login(admin)
        assert browser.post(TEST_MAIL, {submissions.FIELD: shared}).status_code == 302
    assert len(mail.outbox) == 2


def test_a_form_without_a_key_is_served_as_before(client):
    client.force_login(AdminFactory())
    client.post(TEST_MAIL)
    client.post(TEST_MAIL, {submissions.FIELD: "no-es-una-clave"})
    assert len(mail.outbox) == 2
    assert not SubmissionClaim.objects.exists()


def test_anonymous_posts_are_left_alone(client, ana):
    response = client.post(reverse("account_login"),
                           {"login": ana.email, "password": TEST_PASSWORD, submissions.FIELD: key()})
    assert response.status_code == 302
    assert not SubmissionClaim.objects.exists()


# --- The key is freed when nothing was done -------------------------------------------------------------------


def test_a_form_error_frees_the_key_and_the_corrected_form_goes_through_with_it(client, ana):
    client.force_login(ana)
    sent = key()
    response = client.post(PROFILE, {"full_name": "Ana María", "phone": "12", submissions.FIELD: sent})
    assert response.status_code == 200
    assert rendered_key(response.content.decode()) == uuid.UUID(sent)  # the form keeps its key
    assert not SubmissionClaim.objects.exists()

    response = client.post(PROFILE, {"full_name": "Ana María", "phone": PHONE, submissions.FIELD: sent})
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.full_name == "Ana María"


def test_a_failed_write_rolls_back_with_its_key_and_the_form_can_be_sent_again(client, ana):
    client.force_login(ana)
    client.raise_request_exception = False
    sent = key()
    real = services.update_profile

    def write_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("the server died half-way")

    with mock.patch("accounts.views.services.update_profile", write_then_fail):
        response = client.post(PROFILE, {"full_name": "Ana María", "phone": PHONE, submissions.FIELD: sent})
    assert response.status_code == 500
    ana.refresh_from_db()
    assert ana.full_name == "Ana Martínez"  # the half-done write was undone
    assert not SubmissionClaim.objects.exists()

    response = client.post(PROFILE, {"full_name": "Ana María", "phone": PHONE, submissions.FIELD: sent})
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.full_name == "Ana María"


def test_a_refused_post_keeps_no_claim(client, ana):
    client.force_login(ana)  # a client: the outbox answers 404
    assert client.post(TEST_MAIL, {submissions.FIELD: key()}).status_code == 404
    assert not SubmissionClaim.objects.exists()


def test_a_resend_without_a_valid_csrf_token_is_refused_not_redirected(ana):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ana)
    sent = key()
    SubmissionClaim.objects.create(user=ana, key=sent, location=PROFILE)
    response = browser.post(PROFILE, {"full_name": "Ana María", "phone": PHONE, submissions.FIELD: sent})
    assert response.status_code == 403


# --- Old claims are purged ------------------------------------------------------------------------------------


@pytest.mark.parametrize("purge", ["command", "task"])
def test_claims_older_than_the_setting_are_purged(ana, settings, purge):
    settings.SUBMISSION_KEY_MAX_AGE_DAYS = 30
    now = timezone.now()
    old = SubmissionClaim.objects.create(user=ana, key=key(), created_at=now - timedelta(days=31))
    recent = SubmissionClaim.objects.create(user=ana, key=key(), created_at=now - timedelta(days=29))

    if purge == "command":
        call_command("purge_submission_claims", stdout=open("/dev/null", "w"))  # noqa: SIM115
    else:
        purge_submission_claims.apply()

    assert list(SubmissionClaim.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not SubmissionClaim.objects.filter(pk=old.pk).exists()


def test_the_purge_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "accounts.tasks.purge_submission_claims" in tasks
