"""Reading ZIP files (XLSX workbooks, IMS content packages) without trusting them.

Nothing is ever extracted to disk: members are read into memory by name.  A package is
refused before anything is read when an entry's path leaves the package ("zip slip":
absolute paths, ``..`` segments, drive letters), or when the entry count or the declared
uncompressed size is over the limit ("zip bomb").  CPython's ``zipfile`` stops a member at
its declared size (and fails its CRC check past it), so checking the declared sizes bounds
what is decompressed.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
import zlib

from flask_babel import lazy_gettext as _l

MAX_ENTRIES = 5000
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 1000


class UnsafeZip(Exception):
    """The archive is refused; ``message`` says why (a lazy translatable string)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def open_zip(data: bytes) -> zipfile.ZipFile:
    """Open ``data`` as a ZIP after the safety checks; raises :class:`UnsafeZip`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise UnsafeZip(_l("The file is not a readable ZIP archive (%(error)s).", error=exc)) from exc
    _check_entries(infos)
    return archive


def _check_entries(infos) -> None:
    if len(infos) > MAX_ENTRIES:
        raise UnsafeZip(_l("The archive has %(n)s entries, more than the %(max)s allowed.",
                           n=len(infos), max=MAX_ENTRIES))
    for info in infos:
        if not is_safe_path(info.filename):
            raise UnsafeZip(_l("The archive entry “%(name)s” points outside the package (a "
                               "“zip slip” path); the whole package was refused.", name=info.filename))
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise UnsafeZip(_l("The archive entry “%(name)s” expands %(ratio)s times; it looks like "
                               "a zip bomb and the package was refused.", name=info.filename,
                               ratio=info.file_size // info.compress_size))
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        raise UnsafeZip(_l("The archive would expand to %(mb)s MB, more than the %(max)s MB allowed.",
                           mb=total // 2**20, max=MAX_TOTAL_BYTES // 2**20))


def is_safe_path(name: str) -> bool:
    """A member path that stays inside the package when joined to any folder."""
    name = name.replace("\\", "/")
    if not name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return False
    return ".." not in name.split("/") and not posixpath.isabs(posixpath.normpath(name))


def member_names(archive: zipfile.ZipFile) -> set[str]:
    """Names of the files (not folders) in the archive, with ``/`` separators."""
    return {i.filename.replace("\\", "/") for i in archive.infolist() if not i.is_dir()}


def read_member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    """The bytes of member ``name`` (None when absent or unreadable)."""
    try:
        return archive.read(name)
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, ValueError, NotImplementedError,
            EOFError, RuntimeError):
        return None
