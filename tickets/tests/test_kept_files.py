"""Files kept across a form error reach the message intact: proved by downloading them through the real view.

Every form that keeps files (new request, reply, internal comment) × every way a kept file comes back
(sent again as it was, one of two unticked, two kept, kept plus a new one). The commit callbacks run, as
they do in production: that is where stored files are deleted.
"""

import io
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tickets import uploads
from tickets.models import Attachment, Intervention, PendingUpload, Ticket
from tickets.tests.conftest import checked, pdf_bytes, png_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

# Each file has contents of its own, so a download proves which file it is.
FIRST = ("primero.pdf", pdf_bytes("primero"))
SECOND = ("segunda.png", png_bytes(7, 3))
NEW = ("nuevo.txt", "Agregado en el segundo intento: año, señal\n".encode())


class Form:
    """One form that keeps files: who fills it, where it posts, what makes it fail and what fixes it."""

    def __init__(self, name, author, readers, url, broken, fixed):
        self.name, self.author, self.readers, self.url = name, author, readers, url
        self.broken, self.fixed = broken, fixed

    def __repr__(self):
        return self.name


def forms_of(world):
    ticket_url = reverse("tickets:reply", args=[world.ticket.number])
    new_request = {"topic": world.topic.pk, "description": "Adjunto los comprobantes."}
    return {
        "new request": Form("new request", world["requester"], ["requester", "topic operator", "assignee"],
                            reverse("tickets:create"), {**new_request, "subject": ""},
                            {**new_request, "subject": "Comprobantes de marzo"}),
        "reply": Form("reply", world["requester"], ["requester", "assignee", "topic operator"], ticket_url,
                      {"body": ""}, {"body": "Ahí van los comprobantes."}),
        "staff reply": Form("staff reply", world["assignee"], ["requester", "assignee", "administrator"], ticket_url,
                            {"body": ""}, {"body": "Le mando la nota de crédito."}),
        "internal comment": Form("internal comment", world["assignee"], ["assignee", "topic operator", "administrator"],
                                 ticket_url, {"body": "", "mode": "internal"},
                                 {"body": "Revisar estos comprobantes.", "mode": "internal"}),
    }


# (files chosen on the first try, which kept ones stay ticked, files added on the second try)
CASES = {
    "kept file, corrected and sent again": ([FIRST], [FIRST], []),
    "two kept files": ([FIRST, SECOND], [FIRST, SECOND], []),
    "one of two kept files unticked": ([FIRST, SECOND], [SECOND], []),
    "kept file plus a new one": ([FIRST], [FIRST], [NEW]),
}


def files(specs):
    return [upload(name, data) for name, data in specs]


def post(client, capture, url, data):
    with capture(execute=True):
        return client.post(url, data)


def message_files(form, world):
    """The attachments of what the second try wrote."""
    if form.name == "new request":
        ticket = Ticket.objects.get(subject="Comprobantes de marzo")
        return ticket, Attachment.objects.filter(ticket=ticket, intervention=None)
    intervention = Intervention.objects.filter(ticket=world.ticket).latest("id")
    return world.ticket, intervention.attachments.all()


def download(client, user, ticket, attachment):
    client.force_login(user)
    response = client.get(reverse("tickets:download", args=[ticket.number, attachment.pk]))
    assert response.status_code == 200, (user, attachment.original_name)
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("form_name", ["new request", "reply", "staff reply", "internal comment"])
def test_a_kept_file_reaches_the_message_intact(client, world, django_capture_on_commit_callbacks, form_name,
                                                case, private_storage):
    form = forms_of(world)[form_name]
    first_try, ticked, added = CASES[case]
    key = str(uuid.uuid4())
    client.force_login(form.author)

    response = post(client, django_capture_on_commit_callbacks, form.url,
                    {**form.broken, "submission_key": key, "files": files(first_try)})
    assert response.status_code == 200
    kept = {pending.original_name: pending for pending in PendingUpload.objects.filter(form_key=key)}
    assert sorted(kept) == sorted(name for name, _data in first_try)

    response = post(client, django_capture_on_commit_callbacks, form.url,
                    {**form.fixed, "submission_key": key, "keep": [kept[name].pk for name, _data in ticked],
                     "files": files(added)})
    assert response.status_code == 302

    ticket, attachments = message_files(form, world)
    expected = dict(ticked + added)
    assert sorted(a.original_name for a in attachments) == sorted(expected)
    for reader in form.readers:
        for attachment in attachments:
            assert download(client, world[reader], ticket, attachment) == expected[attachment.original_name]
    assert not PendingUpload.objects.filter(form_key=key).exists()
    unticked = [kept[name] for name, _data in first_try if name not in expected]
    for pending in unticked:  # a file the user dropped is gone, and nothing points to it
        assert not pending.file.storage.exists(pending.file.name)
    stored = {path.name for path in private_storage.rglob("*") if path.is_file()}
    assert stored == {a.file.name.rsplit("/", 1)[-1] for a in Attachment.objects.all()}


def test_the_same_form_sent_twice_keeps_its_files(client, world, django_capture_on_commit_callbacks):
    """A double click on the corrected form: the second submission finds the request the first filed."""
    form = forms_of(world)["new request"]
    key = str(uuid.uuid4())
    client.force_login(form.author)
    post(client, django_capture_on_commit_callbacks, form.url,
         {**form.broken, "submission_key": key, "files": files([FIRST])})
    [pending] = PendingUpload.objects.filter(form_key=key)
    for _ in range(2):
        response = post(client, django_capture_on_commit_callbacks, form.url,
                        {**form.fixed, "submission_key": key, "keep": [pending.pk]})
        assert response.status_code == 302
    ticket, [attachment] = message_files(form, world)
    assert download(client, world["assignee"], ticket, attachment) == FIRST[1]


def test_a_kept_file_claimed_by_another_message_is_not_deleted_with_a_stale_copy(
        world, django_capture_on_commit_callbacks):
    """Two tabs of one form: the second holds a stale copy of a kept row the first already turned into an
    attachment. Forgetting it must not delete the file the attachment points to."""
    from tickets import services
    from tickets.forms import ReplyForm

    key = uuid.uuid4()
    [pending] = uploads.keep(world["requester"], key, [checked(upload(*FIRST))])
    stale = PendingUpload.objects.get(pk=pending.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(world.ticket, by=world["requester"], body="Va el archivo", pending=[pending])
        uploads.discard([stale])
    attachment = Attachment.objects.get()
    with attachment.file.open("rb") as stored:
        assert stored.read() == FIRST[1]
    stale_form = ReplyForm({"body": "otra vez", "form_key": str(key)}, user=world["requester"])
    assert stale_form.pending == []


@pytest.mark.parametrize("age_hours", [1, 25])
def test_the_purge_never_deletes_a_file_an_attachment_points_to(world, django_capture_on_commit_callbacks, age_hours):
    """A pending row left behind after its file became an attachment (older code, a crash between the two)."""
    [pending] = uploads.keep(world["requester"], uuid.uuid4(), [checked(upload(*FIRST))])
    [orphan] = uploads.keep(world["requester"], uuid.uuid4(), [checked(upload(*SECOND))])
    attachment = Attachment.objects.create(
        ticket=world.ticket, file=pending.file.name, original_name=pending.original_name, size=pending.size,
        content_type=pending.content_type, uploaded_by=world["requester"],
    )
    PendingUpload.objects.update(created_at=timezone.now() - timedelta(hours=age_hours))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_pending_uploads", stdout=io.StringIO())
    assert PendingUpload.objects.exists() == (age_hours < 24)
    with attachment.file.open("rb") as stored:
        assert stored.read() == FIRST[1]
    assert orphan.file.storage.exists(orphan.file.name) == (age_hours < 24)
