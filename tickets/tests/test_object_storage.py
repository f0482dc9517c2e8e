"""Attachments in S3-compatible object storage (django-storages against moto's server on loopback).

The guarantees of the files kept across a form error (test_kept_files) hold unchanged with the bucket: the same
tests run here against it. Downloads stay behind the permission check (streamed through the view; the bucket
is private). With the storage down, the form says so, keeps its text, and nothing is half-written.
"""

import uuid

import pytest
from django.urls import reverse
from storages.backends.s3 import S3Storage

from conftest import _free_port
from tickets.models import Attachment, PendingUpload, Ticket
from tickets.tests.conftest import pdf_bytes, upload
from tickets.tests.test_kept_files import (  # noqa: F401 (run again here, with the bucket)
    test_a_kept_file_claimed_by_another_message_is_not_deleted_with_a_stale_copy,
    test_a_kept_file_reaches_the_message_intact,
    test_the_purge_never_deletes_a_file_an_attachment_points_to,
    test_the_same_form_sent_twice_keeps_its_files,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def s3_storage(endpoint, bucket):
    """The storage settings.py builds from ATTACHMENTS_S3_* (the same options, short timeouts)."""
    from botocore.config import Config

    return S3Storage(
        bucket_name=bucket, endpoint_url=endpoint, region_name="us-east-1", access_key="test",
        secret_key="test", default_acl=None, querystring_auth=True, file_overwrite=True,  # noqa: S106
        client_config=Config(s3={"addressing_style": "path"}, signature_version="s3v4", connect_timeout=1,
                             read_timeout=2, retries={"max_attempts": 1, "mode": "standard"}),
    )


class Bucket:
    """What is in the bucket, listed like the folder the disk tests look at (`rglob`)."""

    def __init__(self, client, name):
        self.client, self.name = client, name

    def keys(self):
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def rglob(self, _pattern):
        return [_Key(key) for key in self.keys()]


class _Key:
    def __init__(self, key):
        self.name = key.rsplit("/", 1)[-1]

    def is_file(self):
        return True


def use_storage(monkeypatch, storage):
    for model in (Attachment, PendingUpload):
        monkeypatch.setattr(model._meta.get_field("file"), "storage", storage)


@pytest.fixture
def private_storage(s3_server, monkeypatch):
    """Attachments of this test go to a bucket of its own on the S3 server."""
    name = f"sysmo-{uuid.uuid4().hex[:12]}"
    client = s3_server.client()
    client.create_bucket(Bucket=name)
    use_storage(monkeypatch, s3_storage(s3_server.url, name))
    return Bucket(client, name)


@pytest.fixture
def storage_down(private_storage, monkeypatch):
    """The attachment storage stops answering (nothing listens on its port)."""
    use_storage(monkeypatch, s3_storage(f"http://127.0.0.1:{_free_port()}", "sysmo-down"))


def new_request(world, files=(), subject="Factura duplicada"):
    return {"topic": world.topic.pk, "subject": subject, "description": "Nos llegó dos veces la factura 0001-123.",
            "submission_key": str(uuid.uuid4()), "files": list(files)}


def test_a_file_goes_to_the_bucket_and_comes_back_only_to_who_may_see_it(client, world, private_storage,
                                                                          django_capture_on_commit_callbacks):
    client.force_login(world["requester"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tickets:create"), new_request(world, [upload("factura.pdf", pdf_bytes())]))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert private_storage.keys() == [attachment.file.name]
    assert attachment.file.name.startswith("attachments/") and "factura" not in attachment.file.name
    url = reverse("tickets:download", args=[attachment.ticket.number, attachment.pk])

    for reader, status in [("requester", 200), ("topic operator", 200), ("administrator", 200),
                           ("another client", 404), ("other operator", 404)]:
        client.force_login(world[reader])
        response = client.get(url)
        assert response.status_code == status, reader
        if status == 200:
            assert b"".join(response.streaming_content) == pdf_bytes()
            assert response["Content-Disposition"] == 'attachment; filename="factura.pdf"'
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_an_internal_comments_file_never_reaches_the_client(client, world, private_storage):
    client.force_login(world["assignee"])
    client.post(reverse("tickets:reply", args=[world.ticket.number]),
                {"body": "Ver adjunto", "mode": "internal", "submission_key": str(uuid.uuid4()),
                 "files": [upload("interno.pdf", pdf_bytes("interno"))]})
    attachment = Attachment.objects.get()
    client.force_login(world["requester"])
    assert client.get(reverse("tickets:download", args=[world.ticket.number, attachment.pk])).status_code == 404


@pytest.mark.usefixtures("storage_down")
@pytest.mark.parametrize("form", ["new request", "reply"])
def test_storage_down_says_so_keeps_the_text_and_writes_nothing(client, world, form):
    client.force_login(world["requester"])
    files = [upload("factura.pdf", pdf_bytes())]
    before = (Ticket.objects.count(), world.ticket.interventions.count())
    if form == "new request":
        response = client.post(reverse("tickets:create"), new_request(world, files))
        text = "Nos llegó dos veces la factura 0001-123."
    else:
        text = "Les mando el comprobante que faltaba."
        response = client.post(reverse("tickets:reply", args=[world.ticket.number]),
                               {"body": text, "submission_key": str(uuid.uuid4()), "files": files})
    page = response.content.decode()
    assert response.status_code == 503
    assert "el almacenamiento de archivos no responde" in page
    assert text in page  # the text is back in the form, to send again
    assert (Ticket.objects.count(), world.ticket.interventions.count()) == before
    assert not Attachment.objects.exists() and not PendingUpload.objects.exists()


@pytest.mark.usefixtures("storage_down")
def test_storage_down_a_request_without_files_still_goes_through(client, world):
    client.force_login(world["requester"])
    response = client.post(reverse("tickets:create"), new_request(world))
    assert response.status_code == 302
    assert Ticket.objects.filter(subject="Factura duplicada").exists()


def test_storage_down_a_download_says_so_on_the_request_page(client, world, private_storage, monkeypatch):
    client.force_login(world["requester"])
    client.post(reverse("tickets:create"), new_request(world, [upload("factura.pdf", pdf_bytes())]))
    attachment = Attachment.objects.get()
    use_storage(monkeypatch, s3_storage(f"http://127.0.0.1:{_free_port()}", private_storage.name))
    response = client.get(reverse("tickets:download", args=[attachment.ticket.number, attachment.pk]), follow=True)
    assert response.redirect_chain[-1][0] == attachment.ticket.get_absolute_url()
    assert "No pudimos traer «factura.pdf»: el almacenamiento de archivos no responde." in response.content.decode()


def test_settings_build_the_bucket_storage_from_the_environment(monkeypatch):
    import subprocess
    import sys
    from pathlib import Path

    code = ("import django; django.setup(); from tickets.models import Attachment as A; "
            "s = A._meta.get_field('file').storage; "
            "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.location, s.default_acl, s.querystring_auth)")
    env = {"DJANGO_SETTINGS_MODULE": "sysmo.settings", "DEBUG": "true", "ATTACHMENTS_S3_BUCKET": "adjuntos",
           "ATTACHMENTS_S3_ENDPOINT_URL": "http://127.0.0.1:9000", "ATTACHMENTS_S3_PREFIX": "sysmo",
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,  # noqa: S603
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["S3Storage", "adjuntos", "http://127.0.0.1:9000", "sysmo", "None", "True"]
