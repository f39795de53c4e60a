"""Vietnamese-aware text helpers: accent folding for search, HTML to plain text, and the
Vietnamese sort order of names (DECISIONS 23)."""
import re
import unicodedata
from functools import lru_cache

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


# ---- Vietnamese collation (DECISIONS 23) ----------------------------------------------------
#
# The Vietnamese alphabet orders ă and â after a, đ after d, ê after e, ô and ơ after o, ư
# after u as letters of their own (a primary difference), while the five tone marks only
# break ties (a secondary difference), in the order of the dictionaries and of CLDR's "vi"
# collation: no mark, huyền (grave), hỏi (hook), ngã (tilde), sắc (acute), nặng (dot below).
# Case breaks the remaining ties, lower case first.  Plain Unicode collation (pyuca's DUCET)
# gets the letters wrong — "Ân" before "Anh", "Ưng" before "Uyên" — so the letters are
# tailored here; PyICU's "vi" collator is used instead when it is installed.

_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {c: i for i, c in enumerate(_LETTERS)}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_DIGIT0, _LETTER0, _OTHER0 = 100, 200, 1000


def _clusters(text: str):
    """(letter, tone rank, upper case) per base character of ``text``."""
    base, marks = None, []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and base is not None:
            marks.append(ch)
            continue
        if base is not None:
            yield _cluster(base, marks)
        base, marks = ch, []
    if base is not None:
        yield _cluster(base, marks)


def _cluster(base: str, marks: list[str]) -> tuple[str, int, bool]:
    letter = unicodedata.normalize("NFC", base.lower() + "".join(m for m in marks if m in _LETTER_MARKS))
    tone = sum(_TONES.get(m, 0) for m in marks) + sum(10 for m in marks if m not in _TONES and m not in _LETTER_MARKS)
    return letter, tone, base != base.lower()


def _primary(letter: str) -> int:
    if letter in _RANK:
        return _LETTER0 + _RANK[letter]
    if letter.isdigit():
        return _DIGIT0 + int(unicodedata.digit(letter, 0))
    if letter.isspace():
        return 1
    if not letter.isalnum():
        return 2 + ord(letter) % 90          # punctuation before digits and letters, as in UCA
    return _OTHER0 + ord(letter)           # letters of other scripts after the Latin ones


def _tailored_key(text: str) -> tuple:
    clusters = list(_clusters(_SPACE.sub(" ", text.strip())))
    return (tuple(_primary(c[0]) for c in clusters), tuple(c[1] for c in clusters),
            tuple(int(c[2]) for c in clusters))


def _icu_collator():
    try:
        import icu  # PyICU: optional (DECISIONS 23)
    except ImportError:
        return None
    return icu.Collator.createInstance(icu.Locale("vi_VN"))


_ICU = _icu_collator()


@lru_cache(maxsize=65536)
def vi_sort_key(text: str):
    """A sort key for ``text`` in Vietnamese alphabetical order (any string: names of people,
    agencies, topics).  Keys of one process compare with each other only."""
    text = text or ""
    return _ICU.getSortKey(text) if _ICU is not None else _tailored_key(text)


@lru_cache(maxsize=65536)
def person_sort_key(full_name: str) -> tuple:
    """Vietnamese order of people (DECISIONS 23): by given name (the last word), then the rest
    of the name (family and middle names, in writing order), each in Vietnamese collation.

    "Nguyễn Văn An" < "Trần Thị Ánh" < "Lê Bảo" < "Đỗ Văn Dũng" < "Phạm Minh Đức".
    """
    words = (full_name or "").split()
    given, rest = (words[-1], " ".join(words[:-1])) if words else ("", "")
    return vi_sort_key(given), vi_sort_key(rest)
