"""Every administrators' page and POST, from the wrong side: clients and operators get 404, visitors go to login."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountAuditEntry, Role, User
from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory
from topics.models import Topic
from topics.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

USERS = {"client": ClientFactory, "operator": OperatorFactory}
INVITED = "intruso@example.com"


def endpoints(target, topic):
    """(method, url, data) for every administrators' endpoint, accounts' and topics'."""
    return {
        "users list": ("get", reverse("accounts:user_list"), {}),
        "user page": ("get", reverse("accounts:user_detail", args=[target.pk]), {}),
        "change role": ("post", reverse("accounts:user_role", args=[target.pk]), {"role": "admin"}),
        "change role (GET)": ("get", reverse("accounts:user_role", args=[target.pk]), {}),
        "deactivate": ("post", reverse("accounts:user_deactivate", args=[target.pk]), {}),
        "reactivate": ("post", reverse("accounts:user_reactivate", args=[target.pk]), {}),
        "reset password": ("post", reverse("accounts:user_reset_password", args=[target.pk]), {}),
        "operator's topics": ("get", reverse("topics:operator_topics", args=[target.pk]), {}),
        "set operator's topics": ("post", reverse("topics:operator_topics", args=[target.pk]), {"topics": [topic.pk]}),
        "topics list": ("get", reverse("topics:list"), {}),
        "new topic": ("get", reverse("topics:create"), {}),
        "create topic": ("post", reverse("topics:create"), {"name": "Intrusa", "operators": [target.pk]}),
        "edit topic": ("get", reverse("topics:edit", args=[topic.pk]), {}),
        "save topic": ("post", reverse("topics:edit", args=[topic.pk]), {"name": "Renombrada"}),
        "deactivate topic": ("post", reverse("topics:deactivate", args=[topic.pk]), {}),
        "reactivate topic": ("post", reverse("topics:reactivate", args=[topic.pk]), {}),
        "outbox": ("get", reverse("mail:outbox"), {}),
        "invite page": ("get", reverse("topics:invite"), {}),
        "invite": ("post", reverse("topics:invite"), {
            "full_name": "Intruso", "email": INVITED, "role": "admin", "topics": [topic.pk]}),
        "resend invitation": ("post", reverse("accounts:user_resend_invitation", args=[target.pk]), {}),
        "resend invitation (GET)": ("get", reverse("accounts:user_resend_invitation", args=[target.pk]), {}),
        "edit user page": ("get", reverse("accounts:user_edit", args=[target.pk]), {}),
        "edit user": ("post", reverse("accounts:user_edit", args=[target.pk]), {
            "full_name": "Otro Nombre", "phone": "011 4321-5678"}),
        "change email": ("post", reverse("accounts:user_email", args=[target.pk]), {"email": INVITED}),
        "change email (GET)": ("get", reverse("accounts:user_email", args=[target.pk]), {}),
    }


ENDPOINTS = list(endpoints(User(pk=1), Topic(pk=1)))


@pytest.fixture
def world():
    # Invited and not accepted yet, so that resending the invitation would do something.
    target = OperatorFactory(full_name="Martín Gómez", email="martin@demo.sysmo.ar", phone="", password=None,
                             invited_at=timezone.now())
    assert target.invitation_pending
    topic = TopicFactory(name="Soporte técnico", operators=[target])
    return target, topic


def assert_nothing_changed(target, topic):
    target.refresh_from_db()
    topic.refresh_from_db()
    assert (target.role, target.is_active) == (Role.OPERATOR, True)
    assert (target.full_name, target.phone, target.email) == ("Martín Gómez", "", "martin@demo.sysmo.ar")
    assert not User.objects.filter(email=INVITED).exists()
    assert not EmailAddress.objects.filter(email=INVITED).exists()
    assert (topic.name, topic.is_active) == ("Soporte técnico", True)
    assert list(target.topics.all()) == [topic]
    assert Topic.objects.count() == 1
    assert AccountAuditEntry.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", ["client", "operator"])
def test_clients_and_operators_get_404(client, world, who, endpoint):
    target, topic = world
    client.force_login(USERS[who]())
    method, url, data = endpoints(target, topic)[endpoint]

    response = getattr(client, method)(url, data)

    assert response.status_code == 404
    assert_nothing_changed(target, topic)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_visitors_are_sent_to_login(client, world, endpoint):
    target, topic = world
    method, url, data = endpoints(target, topic)[endpoint]

    response = getattr(client, method)(url, data)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login") + "?next=")
    assert_nothing_changed(target, topic)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_deactivated_administrator_is_treated_as_anonymous(client, world, endpoint):
    target, topic = world
    admin = AdminFactory()
    client.force_login(admin)
    User.objects.filter(pk=admin.pk).update(is_active=False)
    method, url, data = endpoints(target, topic)[endpoint]

    response = getattr(client, method)(url, data)

    assert response.status_code == 302
    assert_nothing_changed(target, topic)


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [("change role (GET)", 405), ("users list", 200), ("user page", 200), ("topics list", 200),
     ("operator's topics", 200), ("edit topic", 200), ("new topic", 200), ("invite page", 200),
     ("edit user page", 200), ("resend invitation (GET)", 405), ("change email (GET)", 405)],
)
def test_administrators_reach_them(client, world, endpoint, expected):
    target, topic = world
    client.force_login(AdminFactory())
    method, url, data = endpoints(target, topic)[endpoint]
    assert getattr(client, method)(url, data).status_code == expected


def test_unknown_ids_answer_404_to_administrators(client):
    client.force_login(AdminFactory())
    assert client.get(reverse("accounts:user_detail", args=[999999])).status_code == 404
    assert client.post(reverse("accounts:user_deactivate", args=[999999])).status_code == 404
    assert client.get(reverse("topics:edit", args=[999999])).status_code == 404
