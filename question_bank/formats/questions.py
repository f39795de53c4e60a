"""Building payloads and checking questions, the same way for every format.

Payload shapes are docs/question-payload.md.  The checks are the ones Moodle's question
forms make (at least two choices, a correct answer, matching with at least two pairs …) plus
one of ours: choices that cannot be told apart make a question unanswerable.

DECISIONS.md 14: a choice that refers to other choices ("Tất cả các phương án trên", "Cả A và
B đều đúng", "Phương án A và C đều đúng", "Không có phương án nào", "All/None of the above")
makes the question keep its order, so :func:`finish` sets ``shuffle_answers = false`` and says
so in a warning the editor sees.
"""
from __future__ import annotations

import re
import string
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from .model import Issues, ParsedQuestion
from .text import html_to_plain, nfc

_STRONG = r"(?:phương án|phuong an|đáp án|dap an|câu trả lời|lựa chọn|options?|answers?|choices?)"
_ANY = rf"(?:{_STRONG}|câu|ý)"
_LETTER = r"[a-h]"
_REFERS = [
    # Tất cả / Các / Cả 3 (các) phương án …   —  "các câu trên" needs the "trên"
    re.compile(rf"^(?:tất cả|tat ca|các|cac|cả)\s+(?:các\s+|\d+\s+|hai\s+|ba\s+|bốn\s+)?{_STRONG}\b"),
    re.compile(r"^(?:tất cả|các|cả)\s+(?:các\s+|\d+\s+)?(?:câu|ý)\s+(?:ở\s+)?(?:nêu\s+|đã nêu\s+)?trên\b"),
    # Phương án A và C …, Đáp án A, B là đúng, Phương án A hoặc B đúng
    re.compile(rf"^{_ANY}\s+{_LETTER}\s*(?:,|và|hoặc|&|and|or)\s*{_LETTER}\b"),
    # Cả A và B …, Cả A, B và C …, Both A and B
    re.compile(rf"^(?:cả|both)\s+{_LETTER}\s*(?:,|và|&|and)\s*{_LETTER}\b"),
    # Không có phương án nào …, Không phương án nào …
    re.compile(rf"^không\s+(?:có\s+)?{_ANY}\s+nào\b"),
    # … phương án trên / các đáp án nêu trên (anywhere)
    re.compile(rf"\b{_ANY}\s+(?:ở\s+)?(?:nêu\s+)?trên(?:\s+đây)?\b"),
    # All / None / Both / Neither of the above / of these; A and B
    re.compile(r"\b(?:all|none|both|neither|any)\s+of\s+(?:the\s+)?(?:above|these|them|the options)\b"),
    re.compile(r"^(?:all|none) (?:the )?above\b"),
    re.compile(rf"^{_LETTER}\s*(?:,\s*{_LETTER}\s*)*(?:and|và|&)\s*{_LETTER}\b(?!\w)"),
]
_LABEL = re.compile(r"^\s*[a-hA-H]\s*[.)]\s+")


def refers_to_other_options(option_html: str) -> bool:
    """True when a choice's text points at other choices (DECISIONS.md 14)."""
    text = _LABEL.sub("", html_to_plain(option_html)).lower().strip(" .:;")
    return any(pattern.search(text) for pattern in _REFERS)


def answer_id(index: int) -> str:
    """Stable answer ids in file order: 'a' … 'z', then 'aa', 'ab' …"""
    letters = string.ascii_lowercase
    return letters[index] if index < 26 else answer_id(index // 26 - 1) + letters[index % 26]


def multichoice_payload(answers, *, single=None, shuffle=True, numbering="abc") -> dict:
    """``answers``: (text_html, fraction_str, feedback_html) in file order."""
    answers = list(answers)
    if single is None:
        single = sum(Fraction(a[1]) > 0 for a in answers) <= 1
    return {"single": bool(single), "shuffle_answers": bool(shuffle), "answer_numbering": numbering,
            "answers": [{"id": answer_id(i), "text": text, "fraction": fraction, "feedback": feedback}
                        for i, (text, fraction, feedback) in enumerate(answers)]}


def finish(question: ParsedQuestion, issues: Issues) -> ParsedQuestion | None:
    """Check ``question``; report problems; return it when it can be stored, else None.

    Also applies DECISIONS.md 14 to multiple-choice questions (and cloze parts).
    """
    problems = check(question)
    label = question.name or html_to_plain(question.text)
    for message in problems:
        issues.error(question.line, message, label)
    if problems:
        return None
    _normalise(question)
    _keep_order_when_referring(question, issues, label)
    _report_missing_files(question, issues, label)
    return question


def _normalise(question: ParsedQuestion) -> None:
    """Every stored text in Unicode NFC (Vietnamese tone marks precomposed)."""
    for name in ("name", "text", "general_feedback", "idnumber", "difficulty", "legal_reference"):
        value = getattr(question, name)
        if isinstance(value, str):
            setattr(question, name, nfc(value))
    question.tags = tuple(nfc(t) for t in question.tags)
    question.category = tuple(nfc(c) for c in question.category)
    question.payload = _nfc_tree(question.payload)


def _nfc_tree(value):
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {k: _nfc_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc_tree(v) for v in value]
    return value


_FILE_REF = re.compile(r"@@PLUGINFILE@@/([^\"'\s<>?#]+)")


def html_fields(question: ParsedQuestion) -> list[str]:
    """Every HTML string of a question (stem, feedback, choices, pairs, items, gaps)."""
    found = [question.text, question.general_feedback]
    _collect(question.payload, found)
    return found


def _collect(value, found: list) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and key in ("text", "feedback", "feedback_true",
                                                   "feedback_false", "grader_info"):
                found.append(item)
            else:
                _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)


def _report_missing_files(question, issues, label) -> None:
    from urllib.parse import unquote

    names = {unquote(n) for html in html_fields(question) for n in _FILE_REF.findall(html or "")}
    for name in sorted(names - set(question.files)):
        issues.warn(question.line, _l("The image or file “%(name)s” is referenced but not included "
                                      "in the file; upload it separately or it will not show.",
                                      name=name), label)


def _keep_order_when_referring(question, issues, label) -> None:
    payloads = [question.payload] if question.qtype == "multichoice" else [
        p["payload"] for p in question.payload.get("parts", []) if p.get("qtype") == "multichoice"]
    for payload in payloads:
        referring = [a["id"] for a in payload["answers"] if refers_to_other_options(a["text"])]
        if referring and payload.get("shuffle_answers"):
            payload["shuffle_answers"] = False
            issues.warn(question.line, _l(
                "Choice %(ids)s refers to other choices, so the choices keep their order "
                "(shuffling turned off).", ids=", ".join(i.upper() for i in referring)), label)


def check(question: ParsedQuestion) -> list:
    """The problems that stop ``question`` being stored (empty list when it is fine)."""
    problems = [] if html_to_plain(question.text) or "<img" in question.text else [
        _l("The question has no text.")]
    checker = _CHECKS.get(question.qtype)
    return problems + (checker(question.payload) if checker else [])


def _check_multichoice(payload: dict) -> list:
    answers = payload.get("answers", [])
    if len(answers) < 2:
        return [_l("A multiple-choice question needs at least 2 choices; it has %(n)s.", n=len(answers))]
    problems = [_l("Choice %(id)s is empty.", id=a["id"].upper()) for a in answers if _blank(a["text"])]
    fractions = [Fraction(a["fraction"]) for a in answers]
    if max(fractions) <= 0:
        problems.append(_l("No choice is marked correct."))
    return problems + _indistinct_choices(answers)


def _indistinct_choices(answers) -> list:
    """Choices with the same visible text but different grades cannot be told apart."""
    seen: dict[str, list] = {}
    for answer in answers:
        key = html_to_plain(answer["text"]).casefold() + "|" + _images(answer["text"])
        seen.setdefault(key, []).append(answer)
    problems = []
    for group in seen.values():
        if len(group) > 1 and len({Fraction(a["fraction"]) for a in group}) > 1:
            problems.append(_l("Choices %(ids)s have the same text (“%(text)s”) but different grades, "
                               "so no one can tell them apart.",
                               ids=", ".join(a["id"].upper() for a in group),
                               text=html_to_plain(group[0]["text"])[:40]))
    return problems


def _images(html: str) -> str:
    return " ".join(re.findall(r'<img[^>]*src="([^"]*)"', html or ""))


def _blank(html: str) -> bool:
    return not html_to_plain(html) and "<img" not in (html or "")


def _check_truefalse(payload: dict) -> list:
    return [] if isinstance(payload.get("correct"), bool) else [_l("The true/false key is missing.")]


def _check_shortanswer(payload: dict) -> list:
    answers = payload.get("answers", [])
    if not answers:
        return [_l("A short-answer question needs at least one answer.")]
    if max(Fraction(a["fraction"]) for a in answers) <= 0:
        return [_l("No answer gives any credit.")]
    return [_l("An answer is empty.")] if any(not a["text"].strip() for a in answers) else []


def _check_numerical(payload: dict) -> list:
    answers = payload.get("answers", [])
    if not any(a["value"] != "*" for a in answers):
        return [_l("A numerical question needs at least one numeric answer.")]
    return [] if max(Fraction(a["fraction"]) for a in answers) > 0 else [_l("No answer gives any credit.")]


def _check_matching(payload: dict) -> list:
    pairs = [s for s in payload.get("subquestions", []) if not _blank(s["text"])]
    if len(pairs) < 2:
        return [_l("A matching question needs at least 2 pairs; it has %(n)s.", n=len(pairs))]
    return [_l("Item %(id)s has no answer to match.", id=s["id"]) for s in pairs if not s["answer"].strip()]


def _check_ordering(payload: dict) -> list:
    items = payload.get("items", [])
    return [] if len(items) >= 2 else [_l("An ordering question needs at least 2 items.")]


def _check_cloze(payload: dict) -> list:
    parts = payload.get("parts", [])
    if not parts:
        return [_l("An embedded-answers (cloze) question needs at least one gap.")]
    problems = []
    for part in parts:
        for message in _CHECKS[part["qtype"]](part["payload"]):
            problems.append(_l("Gap %(id)s: %(problem)s", id=part["id"], problem=message))
    return problems


_CHECKS = {"multichoice": _check_multichoice, "truefalse": _check_truefalse,
           "shortanswer": _check_shortanswer, "numerical": _check_numerical,
           "matching": _check_matching, "ordering": _check_ordering, "cloze": _check_cloze}
