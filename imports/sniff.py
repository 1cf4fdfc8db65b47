"""What an uploaded file really is, read from its bytes; the name only has to agree.

A file is refused here, with a message the writer can act on, before any parser sees it: too
large, empty, a kind we do not import (PDF, old .doc, images, other archives), a name that
says one kind while the bytes say another, a damaged zip, and zips that would unpack to far
more than they weigh (zip bombs) or hold too many entries.
"""

from __future__ import annotations

import enum
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Kind(enum.StrEnum):
    DOCX = "docx"
    EPUB = "epub"
    MARKDOWN = "markdown"
    TEXT = "text"
    HTML = "html"


EXTENSIONS = {
    ".docx": Kind.DOCX,
    ".epub": Kind.EPUB,
    ".md": Kind.MARKDOWN,
    ".markdown": Kind.MARKDOWN,
    ".txt": Kind.TEXT,
    ".text": Kind.TEXT,
    ".html": Kind.HTML,
    ".htm": Kind.HTML,
    ".xhtml": Kind.HTML,
}
KIND_NAMES = {
    Kind.DOCX: gettext_lazy("a Word document (.docx)"),
    Kind.EPUB: gettext_lazy("an EPUB e-book"),
    Kind.MARKDOWN: gettext_lazy("a Markdown file"),
    Kind.TEXT: gettext_lazy("a text file"),
    Kind.HTML: gettext_lazy("a web page (HTML)"),
}
TEXT_KINDS = {Kind.MARKDOWN, Kind.TEXT, Kind.HTML}

# Kinds we recognise only to say why we cannot take them.
_FOREIGN_SIGNATURES = [
    (b"%PDF", gettext_lazy("a PDF")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", gettext_lazy("an older Word document (.doc)")),
    (b"{\\rtf", gettext_lazy("a rich text document (.rtf)")),
    (b"\x89PNG", gettext_lazy("an image")),
    (b"\xff\xd8\xff", gettext_lazy("an image")),
    (b"GIF8", gettext_lazy("an image")),
    (b"RIFF", gettext_lazy("an image or a sound file")),
    (b"\x1f\x8b", gettext_lazy("a compressed archive")),
    (b"7z\xbc\xaf", gettext_lazy("a compressed archive")),
    (b"Rar!", gettext_lazy("a compressed archive")),
]
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass
class Upload:
    """A file that passed the checks here: its kind by content, and its bytes."""

    name: str
    kind: Kind
    data: bytes
    unpacked: int  # what reading it will have to go through: a zip's entries, or the bytes


def check_upload(name: str, data: bytes) -> Upload:
    """The upload's kind, read from its bytes; refuse what we cannot or should not read."""
    limit = settings.TALEHOUSE_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ValidationError(
            _("This file is too large to import: at most %(mb)s MB."),
            params={"mb": limit // (1024 * 1024)},
            code="too_large",
        )
    if not data.strip():
        raise ValidationError(_("This file is empty."), code="empty")
    claimed = EXTENSIONS.get(PurePosixPath(name.lower()).suffix)
    if claimed is None:
        raise ValidationError(
            _("We can import .docx, .epub, .md, .txt and .html files."), code="extension"
        )
    found, unpacked = _kind_of(data, claimed)
    if found != claimed and not (found in TEXT_KINDS and claimed in TEXT_KINDS):
        raise ValidationError(
            _(
                "This file is named “%(name)s”, but it is %(found)s, not %(claimed)s. "
                "Choose the file again, or save it in the right format."
            ),
            params={"name": name, "found": KIND_NAMES[found], "claimed": KIND_NAMES[claimed]},
            code="wrong_type",
        )
    kind = claimed if claimed in TEXT_KINDS else found
    return Upload(name=name, kind=kind, data=data, unpacked=unpacked)


def _kind_of(data: bytes, claimed: Kind) -> tuple[Kind, int]:
    if data.startswith(_ZIP_SIGNATURES):
        return _zip_kind(data)
    for signature, what in _FOREIGN_SIGNATURES:
        if data.startswith(signature):
            raise ValidationError(
                _("This file is %(what)s, which we cannot import. %(hint)s"),
                params={"what": what, "hint": _save_as_hint()},
                code="foreign",
            )
    # Text of some kind; which one the name says (Markdown and plain text look alike).
    return (claimed if claimed in TEXT_KINDS else Kind.TEXT), len(data)


def _save_as_hint() -> str:
    return _("Save it as .docx, .epub, Markdown, text or HTML and import that.")


def _zip_kind(data: bytes) -> tuple[Kind, int]:
    with open_zip(data) as archive:
        names = set(archive.namelist())
        unpacked = sum(entry.file_size for entry in archive.infolist())
        if "word/document.xml" in names:
            return Kind.DOCX, unpacked
        if "META-INF/container.xml" in names:
            return Kind.EPUB, unpacked
    raise ValidationError(
        _("This is a zip archive but not a .docx or an EPUB. %(hint)s"),
        params={"hint": _save_as_hint()},
        code="foreign",
    )


def open_zip(data: bytes) -> zipfile.ZipFile:
    """The archive, if it is whole and unpacks to a sane size; refuse it otherwise.

    Sizes come from the central directory, which a hostile file can fake; zipfile never
    returns more than an entry's stated size (and fails the CRC if the data disagrees), so
    checking the stated sizes bounds what any later read can unpack.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _damaged() from None
    if len(entries) > settings.TALEHOUSE_IMPORT_MAX_ZIP_ENTRIES:
        raise _too_big_unzipped()
    unzipped = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries)
    if unzipped > settings.TALEHOUSE_IMPORT_MAX_UNZIPPED_BYTES:
        raise _too_big_unzipped()
    # Text compresses five to twenty times; a bomb, thousands. Small archives are let be.
    if unzipped > 1024 * 1024 and unzipped > packed * settings.TALEHOUSE_IMPORT_MAX_ZIP_RATIO:
        raise _too_big_unzipped()
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise ValidationError(
            _("This file is protected by a password. Save a copy without one and import that."),
            code="encrypted",
        )
    return archive


def read_zip_entry(archive: zipfile.ZipFile, name: str) -> bytes:
    """One entry's bytes; a damaged entry (bad CRC, cut short, odd compression) is refused."""
    try:
        return archive.read(name)
    except ZIP_ENTRY_ERRORS:
        raise _damaged() from None


# What zipfile raises for an entry it cannot give back whole: missing (KeyError), a bad CRC
# or a cut-short stream (BadZipFile, EOFError, OSError, ValueError), a compression method it
# lacks (NotImplementedError), an encrypted entry (RuntimeError).
ZIP_ENTRY_ERRORS = (
    KeyError, zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError,
)  # fmt: skip


def _damaged() -> ValidationError:
    return ValidationError(
        _("This file is damaged or incomplete: it could not be opened. Try saving it again."),
        code="damaged",
    )


def _too_big_unzipped() -> ValidationError:
    return ValidationError(
        _("This file unpacks to far more than a story needs, so we will not open it."),
        code="zip_bomb",
    )
