"""Text helpers of the shortanswer and numerical graders (Moodle semantics)."""
import re
import unicodedata
from functools import lru_cache
from fractions import Fraction

_STARS = re.compile(r"(?<!\\)\*+")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


@lru_cache(maxsize=4096)
def _compile(pattern: str, case_sensitive: bool) -> re.Pattern:
    """A shortanswer pattern as a regex: runs of unescaped ``*`` become ``.*``, ``\\*``
    is a literal star, everything else is literal (Moodle's compare_string_with_wildcard)."""
    pattern = unicodedata.normalize("NFC", pattern).strip()
    bits = [re.escape(bit.replace("\\*", "*")) for bit in _STARS.split(pattern)]
    flags = re.DOTALL | (0 if case_sensitive else re.IGNORECASE)
    return re.compile(".*".join(bits), flags)


def matches_pattern(text: str, pattern: str, case_sensitive: bool) -> bool:
    """True when the whole of ``text`` (already NFC and trimmed) matches ``pattern``."""
    return _compile(pattern, case_sensitive).fullmatch(text) is not None


def parse_number(text: str) -> Fraction | None:
    """An exact number from what an examinee typed, or None when it is not one.

    Accepts one decimal comma or point ("3,14", "3.14", ".5"), a sign (also U+2212
    minus) and an exponent ("1,5e3"); refuses thousands separators, fractions like
    "1/3" and anything else, since Moodle's numerical type does too.
    """
    cleaned = unicodedata.normalize("NFC", text).strip().replace("\u2212", "-")
    if not _NUMBER.fullmatch(cleaned):
        return None
    return Fraction(cleaned.replace(",", "."))
