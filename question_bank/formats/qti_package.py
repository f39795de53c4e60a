"""IMS content packages of QTI 2.1 items (IMS CP 1.1 ``imsmanifest.xml``), read in memory.

The manifest's resources of type ``imsqti_item_xmlv2p1`` (or ``…v2p2``) are the items;
``imsqti_test_xmlv2p1`` tests give their order and their section titles (used as the
category).  Without a manifest, loose ``assessmentTest`` and ``assessmentItem`` files are read
the same way.  A package is refused as a whole — with the entry named — when a path leaves
the package (zip slip), when it is too large or has too many entries (zip bomb), or when a
file the manifest or a test refers to is missing.  Images an item refers to that are
missing only make a warning.
"""
from __future__ import annotations

import posixpath

from flask_babel import lazy_gettext as _l

from .model import Issues
from .qti import read_item
from .xmlsafe import XmlError, children, line_of, local, parse_xml
from .zipsafe import UnsafeZip, is_safe_path, member_names, open_zip, read_member


class PackageError(Exception):
    """Refuses the package: (line, lazy message, member file or None)."""


def parse_package(data: bytes, issues: Issues) -> list:
    try:
        archive = open_zip(data)
    except UnsafeZip as exc:
        issues.error(None, exc.message)
        return []
    package = _Package(archive)
    try:
        items = package.plan()
    except PackageError as exc:
        issues.error(exc.args[0], exc.args[1])
        return []
    return [q for q in (package.read(path, category, issues) for path, category in items) if q]


class _Package:
    def __init__(self, archive):
        self.archive = archive
        self.names = member_names(archive)

    def load(self, path: str) -> bytes | None:
        return read_member(self.archive, path) if path in self.names else None

    def xml(self, path: str, referrer: str):
        data = self.load(path)
        if data is None and path in self.names:
            raise PackageError(None, _l("“%(path)s” in the package cannot be read (the archive is "
                                        "damaged); the package was refused.", path=path))
        if data is None:
            raise PackageError(None, _l("%(referrer)s refers to “%(path)s”, which is not in the "
                                        "package; the package was refused.", referrer=referrer, path=path))
        try:
            return parse_xml(data)
        except XmlError as exc:
            raise PackageError(exc.line, _l("%(path)s: %(error)s", path=path, error=exc.message)) from None

    def plan(self) -> list[tuple[str, tuple]]:
        """(item path, category) in order, after checking every referenced file exists."""
        if "imsmanifest.xml" in self.names:
            items, tests = self._manifest()
        else:
            items, tests = self._loose()
        ordered: dict[str, tuple] = {}
        for test in tests:
            for path, category in self._test_items(test):
                ordered.setdefault(path, category)
        for path in items:
            ordered.setdefault(path, ())
        if not ordered:
            raise PackageError(None, _l("The package has no QTI 2.1 items (assessmentItem)."))
        return list(ordered.items())

    def _manifest(self) -> tuple[list, list]:
        manifest = self.xml("imsmanifest.xml", "imsmanifest.xml")
        items, tests = [], []
        for resource in (e for e in manifest.iter() if local(e.tag) == "resource"):
            kind, href = resource.get("type", ""), resource.get("href")
            for path in [href, *(f.get("href") for f in children(resource, "file"))]:
                if path:
                    self._check(self._join("", path), "imsmanifest.xml", line_of(resource))
            if href and kind.startswith("imsqti_item_xmlv2p"):
                items.append(self._join("", href))
            elif href and kind.startswith("imsqti_test_xmlv2p"):
                tests.append(self._join("", href))
        return items, tests

    def _loose(self) -> tuple[list, list]:
        items, tests = [], []
        for path in sorted(n for n in self.names if n.lower().endswith(".xml")):
            head = (self.load(path) or b"")[:2048]
            if b"assessmentTest" in head:
                tests.append(path)
            elif b"assessmentItem" in head:
                items.append(path)
        return items, tests

    def _test_items(self, path: str):
        test = self.xml(path, "imsmanifest.xml")
        title = (test.get("title") or "").strip()
        for section in (e for e in test.iter() if local(e.tag) == "assessmentSection"):
            category = tuple(p for p in (title, (section.get("title") or "").strip()) if p)
            for ref in children(section, "assessmentItemRef"):
                item = self._join(posixpath.dirname(path), ref.get("href") or "")
                self._check(item, path, line_of(ref))
                yield item, category

    def _join(self, folder: str, href: str) -> str:
        return posixpath.normpath(posixpath.join(folder, href.split("#")[0]))

    def _check(self, path: str, referrer: str, line) -> None:
        if not is_safe_path(path):
            raise PackageError(line, _l("%(referrer)s refers to “%(path)s”, outside the package; the "
                                        "package was refused.", referrer=referrer, path=path))
        if path not in self.names:
            raise PackageError(line, _l("%(referrer)s refers to “%(path)s”, which is not in the "
                                        "package; the package was refused.", referrer=referrer, path=path))

    def read(self, path: str, category: tuple, issues: Issues):
        try:
            root = self.xml(path, path)
        except PackageError as exc:
            issues.error(exc.args[0], exc.args[1])
            return None
        if local(root.tag) != "assessmentItem":
            issues.error(line_of(root), _l("%(path)s is not an assessmentItem.", path=path))
            return None
        issues.source = path
        try:
            return read_item(root, issues, self.load, posixpath.dirname(path), category)
        finally:
            issues.source = None
