"""Pure helpers on question content: difficulty and legal-reference parsing, the duplicate
key, the search text and content comparison.  No database: plain values in and out."""
import hashlib
import re
from fractions import Fraction

from text_utils import fold, plain

# Folded words an agency's sheet uses for a level (Vietnamese test banks often name the
# levels by Bloom's scale: nhận biết, thông hiểu, vận dụng, vận dụng cao).
_LEVEL_WORDS = [
    ("hard", ("van dung cao", "vdc", "van dung", "vd", "kho", "hard", "muc 3", "muc do 3")),
    ("medium", ("trung binh", "tb", "thong hieu", "th", "medium", "muc 2", "muc do 2")),
    ("easy", ("de", "easy", "nhan biet", "nb", "muc 1", "muc do 1")),
]
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_LEGAL_SPLIT = re.compile(r",\s*(?=(?:điều|khoản|điểm|chương|mục|article|art\.|section|clause)\b)", re.I)

CONTENT_FIELDS = ("qtype", "text", "default_mark", "penalty", "general_feedback", "payload")
META_FIELDS = ("name", "tags", "idnumber", "difficulty", "difficulty_value", "legal_reference", "legal_article")


def difficulty_of(text: str | None) -> tuple[str | None, float | None]:
    """An imported difficulty cell → (level code or the text itself, numeric value).

    "Khó" → ("hard", None); "medium (0.55)" → ("medium", 0.55); "0,7" → (None, 0.7);
    "Mức 2" → ("medium", 2.0); an unknown word is kept as it came (≤ 50 characters).
    """
    if not text or not text.strip():
        return None, None
    folded = fold(text)
    words = re.sub(r"[^a-z0-9 ]", " ", folded)
    words = f" {' '.join(words.split())} "
    level = next((code for code, names in _LEVEL_WORDS if any(f" {n} " in words for n in names)), None)
    number = _NUMBER.search(folded)
    value = float(number.group().replace(",", ".")) if number else None
    if level is None and value is None:
        return text.strip()[:50], None
    return level, value


def difficulty_text(level: str | None, value: float | None) -> str | None:
    """The inverse of :func:`difficulty_of` for export: "medium 0.55", "hard", "0.7"."""
    parts = [level or "", "" if value is None else f"{value:g}"]
    return " ".join(p for p in parts if p) or None


def split_legal(text: str | None) -> tuple[str | None, str | None]:
    """"Luật Đấu thầu 2023, Điều 5, khoản 2" → ("Luật Đấu thầu 2023", "Điều 5, khoản 2");
    a reference without an article part is all document."""
    if not text or not text.strip():
        return None, None
    parts = _LEGAL_SPLIT.split(text.strip(), maxsplit=1)
    return (parts[0].strip()[:500] or None, parts[1].strip()[:255] if len(parts) > 1 else None)


def tag_keys(tags) -> dict[str, str]:
    """Folded key → tag, for tags trimmed, empty and repeated (accent- and
    case-insensitively) ones dropped, in their order."""
    out: dict[str, str] = {}
    for tag in tags or ():
        tag = " ".join(str(tag).split())[:100]
        key = fold(tag)[:100]
        if tag and key not in out:
            out[key] = tag
    return out


def clean_tags(tags) -> list[str]:
    return list(tag_keys(tags).values())


def fingerprint(name: str, qtype: str, text: str, payload: dict) -> tuple[str, str]:
    """(search text, duplicate key) with the stem folded once."""
    stem = _norm(text)
    return search_text(name, text, stem), dedup_key(qtype, text, payload, stem)


def _norm(html: str) -> str:
    return fold(plain(html or ""))


def search_text(name: str, text: str, stem: str | None = None) -> str:
    """What search matches: the folded name and stem (``stem``: ``_norm(text)`` when the
    caller has it already — folding is the costly part of a bulk import)."""
    return " ".join(p for p in (fold(name or ""), _norm(text) if stem is None else stem) if p)


def _positive(answers) -> list:
    return [a for a in answers or [] if Fraction(str(a.get("fraction", "0"))) > 0]


def _keys(qtype: str, payload: dict) -> list[str]:
    """The right answers of a question in a form that ignores order, accents and case."""
    if qtype in ("multichoice", "shortanswer"):
        return sorted(_norm(a["text"]) for a in _positive(payload.get("answers")))
    if qtype == "truefalse":
        return [str(bool(payload.get("correct"))).lower()]
    if qtype == "numerical":
        return sorted(f"{a['value']}±{a.get('tolerance', '0')}" for a in _positive(payload.get("answers")))
    if qtype == "matching":
        return sorted(f"{_norm(s['text'])}→{fold(s['answer'])}" for s in payload.get("subquestions", []))
    if qtype == "ordering":
        return [_norm(i["text"]) for i in payload.get("items", [])]
    if qtype == "cloze":
        return [f"{p['id']}:{p['qtype']}:{'|'.join(_keys(p['qtype'], p.get('payload') or {}))}"
                for p in payload.get("parts", [])]
    return []


def dedup_key(qtype: str, text: str, payload: dict, stem: str | None = None) -> str:
    """Questions with the same type, normalised stem and right answers share this key
    (SHA-1 hex, 40 characters): "Luật  Đấu thầu?" with key "Đúng" equals "luat dau thau?"
    with key "đúng", whatever the order of the options."""
    raw = "\x1f".join([qtype, _norm(text) if stem is None else stem, *_keys(qtype, payload or {})])
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def content_of(obj) -> dict:
    """The fields an examinee sees or that grade an answer (a change needs a new review)."""
    return {f: getattr(obj, f) for f in CONTENT_FIELDS}


def meta_of(obj) -> dict:
    out = {f: getattr(obj, f, None) for f in META_FIELDS}
    out["tags"] = list(out["tags"] or [])
    return out
