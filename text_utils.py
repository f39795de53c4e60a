"""Vietnamese-aware text helpers: accent folding for search, HTML to plain text."""
import re
import unicodedata

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, accent-free form for search: "Luật Đấu thầu" → "luat dau thau".

    NFD-decomposes, drops combining marks (Unicode category Mn) and maps đ/Đ, which
    do not decompose, to d.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return _SPACE.sub(" ", stripped.lower()).strip()


def plain(html: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed (for listings and search)."""
    import html as html_lib

    return _SPACE.sub(" ", html_lib.unescape(_TAG.sub(" ", html or ""))).strip()
