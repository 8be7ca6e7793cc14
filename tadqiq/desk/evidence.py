"""Evidence files of the follow-up: checked (type by content, size), stored by sha256.

A file is kept at ``$TADQIQ_EVIDENCE_DIR/<sha256[:2]>/<sha256>`` (default
``$TADQIQ_DATA_DIR/evidence``), written once (temporary file, then a rename), read-only, and
checked against its hash when read back. Its type is told by its bytes, not its name: a PDF
starts with ``%PDF-`` and ends with ``%%EOF``, a PNG and a JPEG by their signatures; the name's
extension must agree. The bytes are written before the declaration's transaction commits: a
submit that fails afterwards leaves an unreferenced file, never a reference without its file.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from tadqiq.access import log as access_log
from tadqiq.desk.errors import DeskError

DIR_ENV = "TADQIQ_EVIDENCE_DIR"
MAX_BYTES_ENV = "TADQIQ_EVIDENCE_MAX_BYTES"
DEFAULT_MAX_BYTES = 10 * 2**20  # 10 MiB a file
MAX_FILES = 5  # a declaration
NAME_LIMIT = 120


@dataclass(frozen=True)
class FileType:
    media_type: str
    extensions: tuple[str, ...]
    head: bytes
    tail: bytes | None = None  # must appear in the last KiB


TYPES = (
    FileType("application/pdf", (".pdf",), b"%PDF-", b"%%EOF"),
    FileType("image/png", (".png",), b"\x89PNG\r\n\x1a\n"),
    FileType("image/jpeg", (".jpg", ".jpeg"), b"\xff\xd8\xff"),
)
ALLOWED = "PDF, PNG, JPEG"


@dataclass(frozen=True)
class Upload:
    """A file as a form or the command line hands it over."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Checked:
    sha256: str
    file_name: str
    media_type: str
    size_bytes: int
    data: bytes


def evidence_dir() -> Path:
    configured = os.environ.get(DIR_ENV)
    if configured:
        return Path(configured)
    data = os.environ.get(access_log.DATA_DIR_ENV) or access_log.DEFAULT_DATA_DIR
    return Path(data) / "evidence"


def max_bytes() -> int:
    return int(os.environ.get(MAX_BYTES_ENV) or DEFAULT_MAX_BYTES)


def clean_name(name: str) -> str:
    """The file's own name (no folder), printable, at most NAME_LIMIT characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if ch.isprintable()).strip()
    return base[-NAME_LIMIT:] or "fichier"


def check(upload: Upload) -> Checked:
    """The file's type and size, or a ``DeskError`` saying what is wrong with it."""
    name = clean_name(upload.name)
    size = len(upload.data)
    if size == 0:
        raise DeskError("desk_evidence_empty", field="evidence", name=name)
    limit = max_bytes()
    if size > limit:
        raise DeskError(
            "desk_evidence_too_big",
            field="evidence",
            name=name,
            size=f"{size / 2**20:.1f} Mo".replace(".", ","),
            limit=f"{limit / 2**20:.0f} Mo",
        )
    extension = os.path.splitext(name)[1].lower()
    for kind in TYPES:
        if upload.data.startswith(kind.head) and (
            kind.tail is None or kind.tail in upload.data[-1024:]
        ):
            if extension not in kind.extensions:
                break
            sha = hashlib.sha256(upload.data).hexdigest()
            return Checked(sha, name, kind.media_type, size, upload.data)
    raise DeskError("desk_evidence_type", field="evidence", name=name, allowed=ALLOWED)


def check_all(uploads: list[Upload] | tuple[Upload, ...]) -> list[Checked]:
    if len(uploads) > MAX_FILES:
        raise DeskError("desk_evidence_count", field="evidence", limit=MAX_FILES)
    return [check(upload) for upload in uploads]


def path_of(sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError(f"not a sha256: {sha256!r}")
    return evidence_dir() / sha256[:2] / sha256


def store(checked: Checked) -> Path:
    """Write the file under its hash (once: the same bytes twice are one file)."""
    path = path_of(checked.sha256)
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(checked.data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o400)
    os.replace(temporary, path)
    return path


def read(sha256: str) -> bytes:
    """The file's bytes; an error if they no longer match their hash."""
    data = path_of(sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise RuntimeError(f"evidence {sha256} does not match its hash: the file was altered")
    return data
