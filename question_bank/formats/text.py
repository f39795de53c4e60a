"""Text handling shared by every format: decoding, HTML conversion and sanitising.

* Decoding: UTF-8 (a BOM is removed and reported), UTF-16 with a BOM, and files that are not
  UTF-8 at all, read as Windows-1258 (Vietnamese) or Windows-1252 and reported.  Lines that
  hold UTF-8 read as Windows-1252/1258 ("Ä‘Ã¡p Ã¡n" for "đáp án") are repaired and reported.
* Text formats are Moodle's: ``html``, ``moodle`` (moodle_auto_format: HTML allowed, newlines
  become ``<br>``), ``plain`` (escaped) and ``markdown``
  (https://docs.moodle.org/en/Formatting_text).
* Stored HTML is sanitised with nh3 (ammonia) and normalised to NFC; images are kept when
  their source is an embedded file (``@@PLUGINFILE@@/…``), a relative path or a ``data:image``
  URI.  Sanitising is idempotent, so an import → export → import round trip is stable.
"""
from __future__ import annotations

import html as html_lib
import re
import unicodedata

import nh3

from flask_babel import lazy_gettext as _l

_TAGS = set(nh3.ALLOWED_TAGS) | {"font"}
_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRIBUTES.setdefault("img", set()).update({"src", "alt", "width", "height", "title"})
_ATTRIBUTES.setdefault("a", set()).update({"title"})
_ATTRIBUTES["*"] = {"style", "lang", "dir"}
_STYLE_PROPERTIES = {
    "color", "background-color", "text-align", "text-decoration", "font-weight",
    "font-style", "vertical-align", "margin-left", "padding-left", "list-style-type",
}
_SCHEMES = {"http", "https", "mailto", "data"}
_DATA_IMAGE = re.compile(r"^data:image/(png|jpe?g|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]*$", re.I)


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """Allow ``data:`` only as an image source, and only for image media types."""
    if value.lstrip().lower().startswith("data:"):
        return value if tag == "img" and attr == "src" and _DATA_IMAGE.match(value) else None
    return value


# Built once: ``nh3.clean(html, **options)`` rebuilds the sanitiser from these sets on every
# call (≈ 47 µs, most of an import's parse time; bench/bank.py), ``Cleaner.clean`` reuses it
# (≈ 3 µs, same output).  A Cleaner is immutable once built and ``clean`` only reads it, so
# one instance serves every thread.
_CLEANER = nh3.Cleaner(tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES, attribute_filter=_attribute_filter,
                       filter_style_properties=_STYLE_PROPERTIES, strip_comments=True)


def sanitise(html: str) -> str:
    """Safe HTML for display: scripts, event handlers and unknown tags removed; NFC."""
    if not html:
        return ""
    return nfc(_CLEANER.clean(html)).strip()


def nfc(text: str) -> str:
    """Unicode NFC, the form every stored text is in (Vietnamese tone marks precomposed)."""
    return unicodedata.normalize("NFC", text or "")


def to_html(text: str, fmt: str = "html") -> str:
    """Convert text in one of Moodle's formats to sanitised HTML."""
    text = (text or "").strip()
    if fmt == "plain":
        text = html_lib.escape(text, quote=False).replace("\n", "<br>")
    elif fmt == "markdown":
        text = _markdown(text)
    elif fmt == "moodle":
        text = text.replace("\n", "<br>")
    return sanitise(text)


def plain_to_html(text: str) -> str:
    """Plain text (Aiken, spreadsheets) as HTML: escaped, line breaks kept."""
    return to_html(text, "plain")


def _markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).render(text)


_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>|</p>|</div>|</li>", re.I)


def html_to_plain(html: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed (names, labels, comparisons)."""
    text = _TAG.sub(" ", _BREAK.sub("\n", html or ""))
    return " ".join(html_lib.unescape(text).split())


def clean_name(name: str) -> str:
    """A question name: tags stripped, entities decoded, whitespace collapsed, NFC, ≤ 255."""
    return nfc(html_to_plain(name))[:255]


def default_name(html: str) -> str:
    """Moodle's default question name: the start of the stem's text (60 characters)."""
    text = html_to_plain(html)
    return text if len(text) <= 60 else text[:59].rstrip() + "…"


# --- decoding -------------------------------------------------------------------------------

_VIETNAMESE_1258 = set(b"\xc3\xe3\xd0\xf0\xd5\xf5\xdd\xfd\xcc\xec\xde\xd2\xf2")


def decode(data: bytes, issues) -> str:
    """Bytes of a text file to str with ``\\n`` line ends, reporting what had to be done."""
    if data.startswith(b"\xef\xbb\xbf"):
        issues.warn(None, _l("The file starts with a UTF-8 byte-order mark (BOM); it was removed."))
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        issues.warn(None, _l("The file is in UTF-16; it was read as such."))
        text = data.decode("utf-16", errors="replace")
    else:
        text = _decode_8bit(data, issues)
    if "\r" in text:
        issues.warn(None, _l("The file has Windows (CRLF) or old Mac (CR) line ends; they were normalised."))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return nfc(repair_lines(text, issues))


def _decode_8bit(data: bytes, issues) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
    encoding = "cp1258" if _looks_vietnamese(data) else "cp1252"
    issues.warn(line, _l("The file is not UTF-8 (first bad byte on this line); it was read as "
                         "%(encoding)s. Save it as UTF-8 to be sure every letter is right.",
                         encoding="Windows-1258" if encoding == "cp1258" else "Windows-1252"))
    return data.decode(encoding, errors="replace")


def _looks_vietnamese(data: bytes) -> bool:
    """Windows-1258 marks (ă, đ, ơ, ư, combining tones) are common in Vietnamese text."""
    high = [b for b in data if b >= 0x80]
    return bool(high) and sum(b in _VIETNAMESE_1258 for b in high) * 3 >= len(high)


_MOJIBAKE = re.compile("[ÂÃÄÅÆáâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
                       "\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
                       "\u2039\u203a\u20ac\u2122]")


def repair_lines(text: str, issues, line_offset: int = 0) -> str:
    """Repair and report each line that holds UTF-8 mis-read as a Windows code page."""
    if not _MOJIBAKE.search(text):
        return text
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        fixed = repair_mojibake(line)
        if fixed != line:
            lines[number - 1] = fixed
            issues.warn(number + line_offset, _l(
                "The text was mis-encoded (UTF-8 read as Windows-1252/1258) and was repaired: "
                "“%(before)s” → “%(after)s”.", before=line[:40], after=fixed[:40]))
    return "\n".join(lines)


def repair_mojibake(text: str) -> str:
    """Undo one round of UTF-8 → Windows-1252/1258 mis-decoding; unchanged when unsure."""
    if not text or not _MOJIBAKE.search(text):
        return text
    for codec in ("cp1252", "cp1258"):
        raw = _encode_lenient(text, codec)
        if raw is None:
            continue
        try:
            fixed = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(fixed) < len(text):
            return nfc(fixed)
    return text


def _encode_lenient(text: str, codec: str) -> bytes | None:
    out = bytearray()
    for char in text:
        try:
            out += char.encode(codec)
        except UnicodeEncodeError:
            if ord(char) > 0xFF:
                return None
            out.append(ord(char))
    return bytes(out)
