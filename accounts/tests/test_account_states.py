"""Account states that say the truth (issue 17), and sending the verification email again."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import AccountAuditEntry, AccountState, User, account_state
from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory, verified

pytestmark = pytest.mark.django_db


def people():
    """One account in each state, and the state it is in."""
    invited = OperatorFactory(invited_at="2026-11-30T10:00:00Z")
    invited.set_unusable_password()
    invited.save()
    return {
        "a verified client": (verified(ClientFactory()), AccountState.ACTIVE),
        "a verified operator": (verified(OperatorFactory()), AccountState.ACTIVE),
        "a client who never confirmed the email": (ClientFactory(), AccountState.UNVERIFIED),
        "a client whose address is unverified": (
            EmailAddress.objects.create(user=ClientFactory(), email="x@example.com", verified=False).user,
            AccountState.UNVERIFIED),
        "a verified client waiting for their company": (verified(ClientFactory(company_confirmed=False)),
                                                        AccountState.PENDING_CONFIRMATION),
        "an unverified client waiting for their company": (ClientFactory(company_confirmed=False),
                                                           AccountState.UNVERIFIED),
        "an invited operator": (invited, AccountState.INVITED),
        "a deactivated verified client": (verified(ClientFactory(is_active=False)), AccountState.DEACTIVATED),
        "a deactivated unverified client": (ClientFactory(is_active=False), AccountState.DEACTIVATED),
    }


def test_one_function_and_its_queryset_side_agree_on_every_state():
    cases = people()
    for who, (user, expected) in cases.items():
        fresh = User.objects.get(pk=user.pk)
        assert account_state(fresh) == expected, who
        annotated = User.objects.with_state().get(pk=user.pk)
        assert annotated.account_state == expected, who
    for state in AccountState:
        found = set(User.objects.in_state(state).values_list("pk", flat=True))
        assert found == {user.pk for user, expected in cases.values() if expected == state}, state


@pytest.mark.parametrize(("status", "label"), [
    ("unverified", "Sin verificar"), ("pending_confirmation", "Pendiente de confirmación"), ("active", "Activa"),
    ("inactive", "Desactivada"), ("pending", "Invitación pendiente"),
])
def test_the_users_list_filters_and_shows_each_state(client, status, label):
    cases = people()
    admin = verified(AdminFactory())
    client.force_login(admin)
    page = client.get(reverse("accounts:user_list"), {"status": status})
    listed = {user.pk for user in page.context["page"].object_list}
    expected = {user.pk for user, state in cases.values() if state == status or (status == "pending"
                                                                                 and state == "invited")}
    if status == "active":
        expected.add(admin.pk)
    assert listed == expected
    assert label in page.content.decode()


def test_the_users_list_reads_states_without_a_query_per_person(client, django_assert_max_num_queries):
    people()
    client.force_login(verified(AdminFactory()))
    client.get(reverse("accounts:user_list"))
    for _ in range(5):
        ClientFactory()
    with django_assert_max_num_queries(8):
        client.get(reverse("accounts:user_list"))


def test_the_users_page_says_unverified_and_resends_within_the_limit(client):
    person = ClientFactory(email="rita@example.com")
    EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=False)
    admin = verified(AdminFactory())
    client.force_login(admin)
    page = client.get(reverse("accounts:user_detail", args=[person.pk])).content.decode()
    assert "Sin verificar" in page and "Reenviar verificación" in page

    response = client.post(reverse("accounts:user_resend_verification", args=[person.pk]), follow=True)
    assert "Le volvimos a enviar el correo de verificación a rita@example.com." in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["rita@example.com"] and "/accounts/confirm-email/" in message.body
    assert AccountAuditEntry.objects.filter(target=person, action="verification_sent", actor=admin).count() == 1

    again = client.post(reverse("accounts:user_resend_verification", args=[person.pk]), follow=True)
    assert "hace muy poco" in again.content.decode()
    assert len(mail.outbox) == 1
    assert AccountAuditEntry.objects.filter(target=person, action="verification_sent").count() == 1


def test_a_verified_account_gets_no_resend(client):
    person = verified(ClientFactory())
    client.force_login(verified(AdminFactory()))
    assert "Reenviar verificación" not in client.get(reverse("accounts:user_detail", args=[person.pk])).content.decode()
    client.post(reverse("accounts:user_resend_verification", args=[person.pk]))
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["the person", "an operator", "another client"])
def test_only_administrators_resend_from_the_users_page(client, who):
    person = ClientFactory()
    actor = {"the person": person, "an operator": verified(OperatorFactory()),
             "another client": verified(ClientFactory())}[who]
    client.force_login(actor)
    assert client.post(reverse("accounts:user_resend_verification", args=[person.pk])).status_code == 404
    assert mail.outbox == []


RESEND = reverse("accounts:resend_verification")


def test_the_person_asks_again_and_is_told_when_limited(client):
    person = ClientFactory(email="rita@example.com")
    EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=False)

    response = client.post(RESEND, {"email": "Rita@Example.com"}, follow=True)
    assert "le enviamos el enlace de nuevo" in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["rita@example.com"]

    limited = client.post(RESEND, {"email": "rita@example.com"})
    assert limited.status_code == 400
    assert "hace muy poco" in limited.content.decode()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("email", ["nadie@example.com", "verificada@example.com"])
def test_the_answer_does_not_tell_whether_an_account_waits(client, email):
    verified(ClientFactory(email="verificada@example.com"))
    first = client.post(RESEND, {"email": email}, follow=True)
    assert "le enviamos el enlace de nuevo" in first.content.decode()
    assert mail.outbox == []
    second = client.post(RESEND, {"email": email})
    assert "hace muy poco" in second.content.decode()  # limited alike, known or not


def test_a_bad_address_is_refused_next_to_the_field(client):
    response = client.post(RESEND, {"email": "no-es-un-correo"})
    assert response.status_code == 400
    assert "Escribí un correo electrónico válido" in response.content.decode()
