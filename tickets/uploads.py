"""Files users upload: checked by size, count and content, and kept while their form comes back with an error.

The type of a file is read from its content with `filetype` (magic numbers), never trusted from the
browser: HTML named `.png` is refused, a real PNG named `.png` is stored as `image/png`. Text files have no
magic number, so `.txt` and `.csv` must decode as text and not look like HTML.

A file keeps the name the user chose (`clean_name`): the escapes browsers put in it are undone, and only
what is unsafe to show or send back (folders, control characters, direction overrides) is taken out.
Django's multipart parser would change the name before that (`NamesAsSentParser` says how), so every
request is parsed by ours (`FileNamesAsSentMiddleware`, in settings.MIDDLEWARE).
"""

import logging
import re
import unicodedata
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import filetype
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http.multipartparser import MultiPartParser
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.datastructures import ImmutableList
from django.utils.translation import gettext as _

from tickets.models import Attachment, PendingUpload

log = logging.getLogger(__name__)

# Extension -> the content types its content may sniff as. The first is the one we store.
SNIFFED_TYPES = {
    "pdf": ("application/pdf",),
    "png": ("image/png", "image/apng"),
    "jpg": ("image/jpeg",),
    "jpeg": ("image/jpeg",),
    "gif": ("image/gif",),
    "webp": ("image/webp",),
    "heic": ("image/heic",),
    "doc": ("application/msword",),
    "xls": ("application/vnd.ms-excel",),
    "ppt": ("application/vnd.ms-powerpoint",),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",),
    "odt": ("application/vnd.oasis.opendocument.text",),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet",),
    "odp": ("application/vnd.oasis.opendocument.presentation",),
    "rtf": ("application/rtf",),
}
# Office files are zip archives; `filetype` names them only when the telling entry comes early in the
# archive. Otherwise we look inside for the folder (OOXML) or the `mimetype` entry (OpenDocument).
ZIP_MARKERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
TEXT_TYPES = {"txt": "text/plain", "csv": "text/csv"}
HTML_MARKERS = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")
HEAD_BYTES = 8192
TEXT_SAMPLE_BYTES = 65536
MAX_NAME_LENGTH = 150
# What a browser escapes in the file name of a multipart form (WHATWG HTML, "multipart/form-data encoding
# algorithm"; Chromium, Firefox and Safari do it): LF as %0A, CR as %0D, `"` as %22, and nothing else,
# not even `%`. So a name that really contained the three characters `%22` arrives exactly like one with a
# quote; we read it as the quote, by far the likelier, and keep every other `%` sequence as it came.
BROWSER_ESCAPES = {"%0A": "\n", "%0D": "\r", "%22": '"'}
BROWSER_ESCAPE = re.compile("|".join(BROWSER_ESCAPES))
# Format characters that are part of what a name shows, not a way to disguise it: joiners inside emoji
# and words (👨‍👩‍👧, Persian) and the tags of subdivision flags (🏴󠁧󠁢󠁳󠁣󠁴󠁿).
VISIBLE_FORMAT_CHARACTERS = {"\u200c", "\u200d", *map(chr, range(0xE0020, 0xE0080))}


@dataclass
class CheckedFile:
    """An upload that passed every check, with the name and type we keep for it."""

    upload: object
    name: str
    content_type: str
    size: int


def max_size():
    return settings.ATTACHMENT_MAX_SIZE_MB * 1024 * 1024


def allowed_extensions():
    return [ext.strip().lower() for ext in settings.ATTACHMENT_ALLOWED_TYPES if ext.strip()]


def _shown(character):
    """Whether a character may stay in a file name: not a control, surrogate or disguising format character
    (a right-to-left override can dress `exe.png` up as `gnp.exe`)."""
    category = unicodedata.category(character)
    if category == "Cf":
        return character in VISIBLE_FORMAT_CHARACTERS
    return category not in ("Cc", "Cs")


def clean_name(name):
    """The name the user chose, as shown, emailed and sent back on download.

    Takes the file name as the browser sent it and returns it with the browser's escapes undone
    (BROWSER_ESCAPES), in Unicode NFC, without folders, control or disguising characters, with runs of
    spaces and line breaks made one space, without leading or trailing dots and spaces (hidden files,
    Windows), and at most MAX_NAME_LENGTH characters, keeping the extension. Never empty: a name with
    nothing left is «archivo» (with its extension, if it had one).
    """
    name = BROWSER_ESCAPE.sub(lambda match: BROWSER_ESCAPES[match.group()], str(name or ""))
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(name.split())  # line breaks and tabs too
    name = "".join(character for character in name if _shown(character))
    stem, dot, extension = name.rstrip(" .").rpartition(".")
    if dot and extension and not stem.strip(" ."):  # only dots before the extension, e.g. "..pdf"
        name = f"{_('archivo')}.{extension}"
    name = name.strip(" .") or _("archivo")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        suffix = f".{extension[:10]}" if dot else ""
        name = (stem if dot else name)[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix
    return name


class NamesAsSentParser(MultiPartParser):
    """Django's multipart parser, handing on file names as the browser sent them, folders aside.

    Django's own cleanup HTML-unescapes a name (for pages in legacy encodings, where browsers send
    unencodable characters as `&#…;`; ours are UTF-8, so it only turns "Ventas&notas.pdf" into
    "Ventas¬as.pdf") and drops every character Python deems unprintable (the joiners of 👨‍👩‍👧, a
    non-breaking space, a tab). clean_name does the cleanup instead, once, for every form.
    """

    def sanitize_file_name(self, file_name):
        file_name = file_name.rsplit("/")[-1].rsplit("\\")[-1]
        return None if file_name in {"", ".", ".."} else file_name


class FileNamesAsSentMiddleware:
    """Parses multipart requests with NamesAsSentParser (Django has no setting for the parser)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def parse_file_upload(meta, post_data):
            # HttpRequest.parse_file_upload, with our parser.
            request.upload_handlers = ImmutableList(
                request.upload_handlers,
                warning="You cannot alter upload handlers after the upload has been processed.",
            )
            return NamesAsSentParser(meta, post_data, request.upload_handlers, request.encoding).parse()

        request.parse_file_upload = parse_file_upload
        return self.get_response(request)


def extension_of(name):
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def _read(upload, size):
    upload.seek(0)
    data = upload.read(size)
    upload.seek(0)
    return data


def _looks_like_text(sample):
    if b"\x00" in sample:
        return False
    lowered = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()[:1024]
    if any(marker in lowered for marker in HTML_MARKERS):
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError as error:
            if encoding == "utf-8" and error.start >= len(sample) - 3:  # a character cut by the sample's end
                return True
            continue
        return True
    return False


def _zip_is(upload, extension):
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if extension in ZIP_MARKERS:
                return "[Content_Types].xml" in names and any(n.startswith(ZIP_MARKERS[extension]) for n in names)
            if "mimetype" in names:
                return archive.read("mimetype").decode("ascii", "replace").strip() == SNIFFED_TYPES[extension][0]
            return False
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return False
    finally:
        upload.seek(0)


def sniff(upload, extension):
    """The content type of the upload if its content is what its extension promises, else None."""
    if extension in TEXT_TYPES:
        return TEXT_TYPES[extension] if _looks_like_text(_read(upload, TEXT_SAMPLE_BYTES)) else None
    expected = SNIFFED_TYPES.get(extension)
    if not expected:
        return None
    kind = filetype.guess(_read(upload, HEAD_BYTES))
    if kind and kind.mime in expected:
        return expected[0]
    if kind and kind.mime == "application/zip" and (extension in ZIP_MARKERS or extension.startswith("od")):
        return expected[0] if _zip_is(upload, extension) else None
    return None


def check(upload):
    """A CheckedFile for an acceptable upload; ValidationError naming the file and the reason otherwise."""
    name = clean_name(getattr(upload, "name", ""))
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("«%(name)s» está vacío.") % {"name": name}, code="empty")
    if size > max_size():
        raise ValidationError(
            _("«%(name)s» pesa %(size)s: el máximo es %(max)s por archivo.")
            % {"name": name, "size": filesizeformat(size), "max": filesizeformat(max_size())},
            code="too_big",
        )
    extension = extension_of(name)
    if extension not in allowed_extensions():
        raise ValidationError(
            _("«%(name)s»: no aceptamos ese tipo de archivo. Podés adjuntar %(types)s.")
            % {"name": name, "types": ", ".join(allowed_extensions())},
            code="type",
        )
    content_type = sniff(upload, extension)
    if not content_type:
        raise ValidationError(
            _("«%(name)s»: su contenido no es un archivo %(extension)s válido.")
            % {"name": name, "extension": extension.upper()},
            code="content",
        )
    return CheckedFile(upload=upload, name=name, content_type=content_type, size=size)


# --- The storage of attachments (disk or S3, settings.STORAGES["private"]) -----------------------------

# What a storage raises when it cannot do its job: the disk (full, permissions), an S3 server that does not
# answer, times out, refuses the credentials or answers 5xx. A missing file is not one of them (404).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)


class StorageUnavailable(Exception):
    """The attachment storage failed; nothing was written (the caller's transaction rolls back)."""


@contextmanager
def using_storage(what):
    """Turn a failure of the attachment storage inside the block into StorageUnavailable (logged with `what`).

    FileNotFoundError (a file that is not there) passes unchanged. Views catch StorageUnavailable and say so.
    """
    try:
        yield
    except FileNotFoundError:
        raise
    except STORAGE_ERRORS as error:
        log.warning("Attachment storage failed while %s: %r", what, error)
        raise StorageUnavailable(what) from error


def delete_stored(storage, name):
    """Delete one stored file; a storage failure is logged, not raised (the file stays, unreferenced)."""
    try:
        storage.delete(name)
    except STORAGE_ERRORS as error:
        log.warning("Could not delete stored file %s: %r", name, error)


def save_file(field_file, name, content):
    """Write `content` to storage as the file of `field_file` (not saving its row); StorageUnavailable."""
    content.seek(0)
    with using_storage(f"saving {name!r}"):
        field_file.save(name, content, save=False)


# --- Files kept while their form comes back with an error ----------------------------------------


def pending_for(user, form_key):
    """The files a user already chose on this form."""
    if not form_key:
        return PendingUpload.objects.none()
    return PendingUpload.objects.filter(owner=user, form_key=form_key)


def keep(user, form_key, checked_files):
    """Store accepted files of a form that came back with an error, so they are not chosen again."""
    kept = []
    for checked in checked_files:
        pending = PendingUpload(
            owner=user, form_key=form_key, original_name=checked.name, size=checked.size,
            content_type=checked.content_type,
        )
        try:
            save_file(pending.file, checked.name, checked.upload)
            pending.save()
        except BaseException:
            for earlier in [*kept, pending]:  # all or nothing: a half-kept set of files would confuse the form
                if earlier.file.name:
                    delete_stored(earlier.file.storage, earlier.file.name)
            PendingUpload.objects.filter(pk__in=[earlier.pk for earlier in kept]).delete()
            raise
        kept.append(pending)
    return kept


def discard(pending_uploads):
    """Forget pending files: their rows now, their stored files after the commit (a rollback keeps them).

    Takes PendingUpload rows (stale copies are fine). Only rows still in the database are deleted, and a
    file is deleted only if, once the transaction commits, no Attachment or PendingUpload points to it: a
    kept file that became an attachment (tickets.services claims its row) is never lost this way.
    """
    pks = [pending.pk for pending in pending_uploads if pending.pk is not None]
    if not pks:
        return
    with transaction.atomic():
        # Rows another transaction is turning into an attachment right now are skipped: theirs to claim.
        rows = PendingUpload.objects.select_for_update(skip_locked=True).filter(pk__in=pks)
        found = list(rows.values_list("pk", "file"))
        PendingUpload.objects.filter(pk__in=[pk for pk, _name in found]).delete()
        names = [name for _pk, name in found if name]
        if names:
            transaction.on_commit(partial(delete_unreferenced_files, names))


def delete_unreferenced_files(names):
    """Delete the stored files among `names` that no Attachment or PendingUpload row points to."""
    referenced = {*Attachment.objects.filter(file__in=names).values_list("file", flat=True),
                  *PendingUpload.objects.filter(file__in=names).values_list("file", flat=True)}
    storage = PendingUpload._meta.get_field("file").storage
    for name in names:
        if name not in referenced:
            delete_stored(storage, name)


def claim(pending, owner):
    """Take a kept file for a message: deletes its PendingUpload row and returns True if `owner` had it.

    False when the row is gone (another submission of the same form already claimed it, or the purge) or
    belongs to someone else. The stored file stays: the caller points an Attachment to it.
    """
    deleted, _per_model = PendingUpload.objects.filter(pk=pending.pk, owner=owner).delete()
    return bool(deleted)


def purge_expired(now=None):
    """Forget the files of forms abandoned more than PENDING_UPLOAD_MAX_AGE_HOURS ago; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.PENDING_UPLOAD_MAX_AGE_HOURS)
    expired = list(PendingUpload.objects.filter(created_at__lt=cutoff)[:10_000])
    with transaction.atomic():
        discard(expired)
    return len(expired)
