"""Actions that cannot be undone ask first: on every page that offers one, its form sits inside the
«confirm-action» disclosure (templates/partials/_confirm_action.html), whose first button only opens the
question; no page posts to them in one click. Deleting a canned answer and erasing a person's personal data."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from accounts.tests.factories import AdminFactory, ClientFactory, OperatorFactory, verified
from privacy.models import DeletionRequest
from tickets.models import CannedAnswer
from topics.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


class Forms(HTMLParser):
    """Each form's action, and whether it is inside an open-to-confirm disclosure."""

    def __init__(self):
        super().__init__()
        self.confirming, self.forms = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "details":
            self.confirming.append("confirm-action" in (attrs.get("class") or "").split())
        elif tag == "form" and attrs.get("method", "").lower() == "post":
            self.forms.append((attrs.get("action"), any(self.confirming)))

    def handle_endtag(self, tag):
        if tag == "details" and self.confirming:
            self.confirming.pop()


def canned_answer():
    operator = verified(OperatorFactory())
    topic = TopicFactory(operators=[operator])
    answer = CannedAnswer.objects.create(title="Factura duplicada", body="Hola, {nombre}.", topic=topic)
    return operator, reverse("tickets:canned_list"), reverse("tickets:canned_delete", args=[answer.pk])


def personal_data():
    deletion = DeletionRequest.objects.create(user=verified(ClientFactory(full_name="Ana Martínez")))
    return (verified(AdminFactory()), reverse("privacy:deletion_list"),
            reverse("privacy:deletion_honour", args=[deletion.pk]))


@pytest.mark.parametrize("offered", [canned_answer, personal_data], ids=["canned answer", "personal data"])
def test_an_action_that_cannot_be_undone_is_confirmed_first(client, offered):
    person, page, action = offered()
    client.force_login(person)
    response = client.get(page)
    assert response.status_code == 200
    forms = Forms()
    forms.feed(response.content.decode())
    assert [(url, confirmed) for url, confirmed in forms.forms if url == action] == [(action, True)]
    assert "No se puede deshacer" in response.content.decode() or "no se pueden recuperar" in response.content.decode()
