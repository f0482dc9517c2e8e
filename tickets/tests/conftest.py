"""Fixtures of the request tests: a request with every kind of person around it, files, private storage."""

import io
import struct
import zlib
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.tests.factories import AdminFactory, ClientFactory, CompanyFactory, OperatorFactory
from tickets.models import State
from tickets.tests.factories import TicketFactory
from topics.tests.factories import TopicFactory

# The most queries a request's page may cost staff, whatever its history: the request and its history (10), the
# canned answers offered in the reply box, who is in copy and the company's members to add, the satisfaction
# answer, and the record that they opened it (tickets.news). Every test of the page's cost uses this one budget.
REQUEST_PAGE_QUERIES = 15


def png_bytes(width=4, height=4):
    """A real, tiny PNG."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = (b"\x00" + b"\x10\x60\xd0" * width) * height
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b"")


def pdf_bytes(text="Factura"):
    return b"%PDF-1.4\n1 0 obj<<>>endobj\n% " + text.encode() + b"\ntrailer<<>>\n%%EOF\n"


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png(name="captura.png"):
    return upload(name, png_bytes(), "image/png")


def text_file(name="notas.txt", text="Línea uno\nLínea dos\n"):
    return upload(name, text.encode(), "text/plain")


def checked(file):
    from tickets import uploads

    return uploads.check(file)


def xlsx_bytes():
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["CUIT", "Importe"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def private_storage(tmp_path, monkeypatch):
    """Attachments of this test go to a folder of its own, removed with it."""
    from django.core.files.storage import FileSystemStorage

    from tickets.models import Attachment, PendingUpload

    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    for model in (Attachment, PendingUpload):
        monkeypatch.setattr(model._meta.get_field("file"), "storage", storage)
    return tmp_path / "private"


@dataclass
class World:
    """One request of topic «Facturación» and one person of each kind around it."""

    ticket: object
    topic: object
    other_topic: object
    people: dict

    def __getitem__(self, who):
        return self.people[who]


def make_world(state=State.IN_PROGRESS, suffix=""):
    """`suffix` tells apart the emails (and topic names) of a second world in the same test."""
    topic_operator = OperatorFactory(full_name="Olga Operadora", email=f"olga{suffix}@example.com")
    # The assignee works the topic too: an open request is only ever held by someone who may hold it.
    assignee = OperatorFactory(full_name="Ana Asignada", email=f"ana.asignada{suffix}@example.com")
    billing = TopicFactory(name=f"Facturación{suffix}", operators=[topic_operator, assignee])
    other_operator = OperatorFactory(full_name="Omar Otro", email=f"omar{suffix}@example.com")
    claims = TopicFactory(name=f"Reclamos{suffix}", operators=[other_operator])
    company = CompanyFactory(name="Panadería La Espiga S.R.L.")
    requester = ClientFactory(full_name="Rita Requirente", email=f"rita{suffix}@example.com", company=company)
    fields, now = {}, timezone.now()
    if state != State.NEW:
        fields = {"assignee": assignee, "taken_at": now}
    if state == State.CLOSED:
        fields.update(closed_at=now, closed_by=assignee)
    ticket = TicketFactory(topic=billing, requester=requester, state=state, subject="Factura duplicada",
                           description="Nos llegó dos veces la factura de marzo.", **fields)
    people = {
        "anonymous": AnonymousUser(),
        "requester": requester,
        "another client": ClientFactory(full_name="Carlos Cliente", email=f"carlos{suffix}@example.com"),
        "colleague": ClientFactory(full_name="Clara Colega", email=f"clara{suffix}@example.com", company=company),
        "topic operator": topic_operator,
        "other operator": other_operator,
        "assignee": assignee,
        "administrator": AdminFactory(full_name="Adela Admin", email=f"adela{suffix}@example.com"),
    }
    return World(ticket, billing, claims, people)


def add_copies(world, suffix=""):
    """Two more people of the requester's company around the request (issue 14): «colleague in copy» (Cecilia,
    in copy now) and «removed colleague» (Ramiro, in copy until the requester took him out). Clara («colleague»)
    is verified, so she may be put in copy."""
    from accounts.tests.factories import verified
    from tickets.models import Colleague

    company, requester = world["requester"].company, world["requester"]
    in_copy = verified(ClientFactory(full_name="Cecilia Copia", email=f"cecilia{suffix}@example.com", company=company))
    removed = verified(ClientFactory(full_name="Ramiro Removido", email=f"ramiro{suffix}@example.com",
                                     company=company))
    verified(world["colleague"])
    verified(requester)
    Colleague.objects.create(ticket=world.ticket, user=in_copy, added_by=requester)
    Colleague.objects.create(ticket=world.ticket, user=removed, added_by=requester, removed_by=requester,
                             removed_at=timezone.now())
    world.people.update({"colleague in copy": in_copy, "removed colleague": removed})
    return world


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def new_world(db):
    return make_world(State.NEW)
