"""The administrators' outbox page, walked as each kind of user."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory
from mail.models import OutboxMessage

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
USERS = {"client": ClientFactory, "operator": OperatorFactory, "administrator": AdminFactory}


def make_message(status=Status.PENDING, **fields):
    count = OutboxMessage.objects.count()
    return OutboxMessage.objects.create(
        message_id=f"<{count}@test>", from_email="Sysmo <no-responder@localhost>", to=[f"c{count}@example.com"],
        subject=f"Asunto {count}", body="Cuerpo", status=status, **fields,
    )


@pytest.fixture
def failed():
    return make_message(Status.FAILED, attempts=8, last_error="SMTPServerDisconnected: Connection unexpectedly closed")


def urls(failed):
    return {
        "page": ("get", reverse("mail:outbox")),
        "retry (GET)": ("get", reverse("mail:outbox_retry", args=[failed.pk])),
        "retry": ("post", reverse("mail:outbox_retry", args=[failed.pk])),
        "test message": ("post", reverse("mail:outbox_test")),
    }


@pytest.mark.parametrize(
    ("who", "endpoint", "expected"),
    [
        *[(who, endpoint, 404) for who in ("client", "operator")
          for endpoint in ("page", "retry (GET)", "retry", "test message")],
        *[("anonymous", endpoint, 302) for endpoint in ("page", "retry (GET)", "retry", "test message")],
        ("administrator", "page", 200),
        ("administrator", "retry (GET)", 405),
        ("administrator", "retry", 302),
        ("administrator", "test message", 302),
    ],
)
def test_only_administrators_reach_the_outbox(client, failed, outbox_mail, who, endpoint, expected):
    outbox_mail.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if who != "anonymous":
        client.force_login(USERS[who]())
    method, url = urls(failed)[endpoint]
    response = getattr(client, method)(url)

    assert response.status_code == expected
    if who == "anonymous":
        assert response.url.startswith(reverse("account_login"))
    failed.refresh_from_db()
    assert failed.status == (Status.PENDING if (who, endpoint) == ("administrator", "retry") else Status.FAILED)
    if (who, endpoint) != ("administrator", "test message"):
        assert OutboxMessage.objects.count() == 1
        assert mail.outbox == []


def test_the_page_counts_by_status_shows_the_oldest_pending_and_the_last_error(client, failed):
    make_message(Status.PENDING, created_at=timezone.now() - timedelta(hours=3))
    make_message(Status.PENDING)
    make_message(Status.SENT, sent_at=timezone.now())
    client.force_login(AdminFactory())

    response = client.get(reverse("mail:outbox"))

    assert response.context["summary"]["counts"] == {"pending": 2, "sent": 1, "failed": 1}
    page = response.content.decode()
    assert "hace 3\xa0horas" in page
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in page
    assert page.count("badge-soft-warning") == 2
    assert page.count("badge-soft-danger") == 1
    assert page.count("badge-soft-success") == 1
    assert page.count(reverse("mail:outbox_retry", args=[failed.pk])) == 1  # only failed ones offer a retry
    assert ' style="' not in page
    assert " onclick" not in page


def test_the_list_filters_by_a_known_status_and_paginates(client, django_assert_max_num_queries):
    for _ in range(55):
        make_message(Status.SENT)
    make_message(Status.FAILED)
    client.force_login(AdminFactory())
    url = reverse("mail:outbox")

    with django_assert_max_num_queries(8):
        first = client.get(url)
    assert len(first.context["page"].object_list) == 50
    assert len(client.get(url, {"pagina": 2}).context["page"].object_list) == 6
    assert [m.status for m in client.get(url, {"estado": "failed"}).context["page"].object_list] == ["failed"]
    assert len(client.get(url, {"estado": "status__gt"}).context["page"].object_list) == 50  # unknown: ignored
    assert 'href="?pagina=2"' in first.content.decode()
    sent_first_page = client.get(url, {"estado": "sent"}).content.decode()
    assert 'href="?estado=sent&amp;pagina=2"' in sent_first_page  # the status travels with the pages
