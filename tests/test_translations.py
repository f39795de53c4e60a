"""Every user-facing string is translatable and translated: Vietnamese (the default) and
English catalogues hold every message the code and templates mark, with no fuzzy or empty
Vietnamese entry and the same printf-style placeholders on both sides."""
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
SKIP_DIRS = ("tests", "bench", "migrations", "node_modules")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|%[sdfr]")


def _catalogue(lang: str):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


@pytest.fixture(scope="module")
def marked() -> dict[str, str]:
    """msgid → first place it is marked, from the code and the templates."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS,
            callback=None, strip_comment_tags=False):
        if filename.split("/")[0] in SKIP_DIRS:
            continue
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_catalogue_holds_every_marked_string(marked, lang):
    catalogue = _catalogue(lang)
    missing = sorted(f"{where}: {msgid!r}" for msgid, where in marked.items() if msgid not in catalogue)
    assert not missing, f"{len(missing)} strings missing from {lang} (run `flask translate update`):\n" + \
        "\n".join(missing[:40])


def test_vietnamese_is_complete_and_not_fuzzy(marked):
    catalogue = _catalogue("vi")
    bad = []
    for message in catalogue:
        if not message.id or message.id not in marked:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            bad.append(message.id if isinstance(message.id, str) else message.id[0])
    assert not bad, f"{len(bad)} Vietnamese entries empty or fuzzy:\n" + "\n".join(map(repr, bad[:40]))


def test_vietnamese_keeps_the_placeholders(marked):
    catalogue = _catalogue("vi")
    wrong = []
    for message in catalogue:
        if not message.id or message.fuzzy or message.pluralizable or message.id not in marked:
            continue
        if sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string or "")):
            wrong.append(f"{message.id!r} → {message.string!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong[:40])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_compiled_catalogue_is_current(lang):
    """The committed .mo file matches its .po (run `flask translate compile`)."""
    def key(value):
        return value if isinstance(value, str) else tuple(value)

    po = {key(m.id): key(m.string) for m in _catalogue(lang) if m.id and not m.fuzzy and any(key(m.string))}
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        mo = {key(m.id): key(m.string) for m in read_mo(fh) if m.id}
    stale = sorted(k if isinstance(k, str) else k[0] for k in po if mo.get(k) != po[k])
    assert not stale, f"{len(stale)} entries differ between messages.po and messages.mo: " + \
        ", ".join(map(repr, stale[:20]))
