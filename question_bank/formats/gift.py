"""GIFT import, following Moodle's reader (question/format/gift/format.php) and the format
page https://docs.moodle.org/en/GIFT_format.

Questions are separated by blank lines; ``//`` starts a comment line (``// [id:…] [tag:…]``
carry the idnumber and tags); ``$CATEGORY: a/b`` switches category; ``::title::`` names a
question; ``[html]``, ``[moodle]``, ``[plain]``, ``[markdown]`` set a text's format; ``\\~ \\= \\#
\\{ \\} \\: \\n \\\\`` are escapes.  The answer block decides the type: none → description,
``{}`` → essay, ``{#…}`` → numerical (``3.14:0.01``, ``1..5``, several ``=`` answers, ``~#`` catch-all
feedback), ``~`` → multiple choice (``=`` right, ``~%50%`` weighted; several correct when no ``=``),
``= a -> b`` → matching, ``T``/``TRUE``/``F``/``FALSE`` → true/false (``#wrong#right`` feedback),
otherwise short answer.  Text after the block makes a "missing word" stem (``_____``).
Weights must be Moodle grades (see :mod:`.grades`).
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from .grades import decimal_str, fraction_str, moodle_grade
from .model import CategoryInfo, Issues, ParsedQuestion
from .questions import finish, multichoice_payload
from .text import clean_name, decode, default_name, to_html

_ESCAPES = {":": "\ue03a", "#": "\ue023", "=": "\ue03d", "{": "\ue07b", "}": "\ue07d",
            "~": "\ue07e", "n": "\ue00a"}
_RESTORE = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_PRIVATE = re.compile("[\ue000-\ue0ff]")
_WEIGHT = re.compile(r"^%\s*(-?\d+(?:[.,]\d*)?)\s*%")
_FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.I)
_META = re.compile(r"\[(id|tag):([^\]]*)\]")


class GiftError(Exception):
    """A problem that stops one question; carries the lazy message."""


def parse_gift(data: bytes, issues: Issues) -> list:
    text = _PRIVATE.sub("", decode(data, issues))
    questions, category = [], ()
    for line, lines in _blocks(text):
        category, question = _read_block(line, lines, category, issues)
        if question is not None:
            questions.append(question)
    return questions


def _blocks(text: str):
    """(first line number, lines) of each blank-line separated block, lines trimmed."""
    block, start = [], None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if line:
            start = start or number
            block.append((number, line))
        elif block:
            yield start, block
            block, start = [], None
    if block:
        yield start, block


def _read_block(start, numbered, category, issues):
    """Read one block: a category switch, a question, or only comments."""
    meta = _metadata([l for _, l in numbered if l.startswith("//")])
    content = [(n, l) for n, l in numbered if not l.startswith("//")]
    if not content:
        return category, None
    line, first = content[0]
    if first.startswith("$CATEGORY:"):
        category = _category(escape(first[len("$CATEGORY:"):]), issues)
        content = content[1:]
        if not content:
            return category, None
        issues.warn(content[0][0], _l("A question follows $CATEGORY: without a blank line between."))
        line = content[0][0]
    body = "\n".join(l for _, l in content)
    return category, _question(line, escape(body), category, meta, issues)


def _metadata(comments) -> dict:
    found = _META.findall(" ".join(comments))
    ids = [v.strip() for k, v in found if k == "id" and v.strip()]
    return {"idnumber": ids[0] if ids else None,
            "tags": tuple(v.strip() for k, v in found if k == "tag" and v.strip())}


def _category(path: str, issues: Issues) -> tuple[str, ...]:
    parts = category_path(unescape(path))
    if parts and CategoryInfo(parts) not in issues.categories:
        issues.categories.append(CategoryInfo(parts))
    return parts


def category_path(text: str) -> tuple[str, ...]:
    """A Moodle category path below the bank root: '$course$/top/A//B/C' → ('A/B', 'C').

    '/' separates levels, '//' is a slash inside a name; the context prefix ($course$,
    $cat1$ …) and 'top' are dropped."""
    parts = tuple(p.replace("\0", "/").strip() for p in text.strip().replace("//", "\0").split("/"))
    parts = tuple(p for p in parts if p)
    while parts and (parts[0].lower() == "top" or re.fullmatch(r"\$[a-z]+\d*\$", parts[0])):
        parts = parts[1:]
    return parts


def escape(text: str) -> str:
    """Moodle's escapedchar_pre: ``\\\\`` is a backslash, ``\\x`` a literal control character."""
    text = text.replace("\\\\", "\ue05c")
    for char, placeholder in _ESCAPES.items():
        text = text.replace("\\" + char, placeholder)
    return text.replace("\ue05c", "\\")


def unescape(text: str) -> str:
    return "".join(_RESTORE.get(c, c) for c in text)


def _question(line, text, category, meta, issues) -> ParsedQuestion | None:
    name, text = _split_name(text)
    try:
        question = _build(line, name, text)
    except GiftError as exc:
        issues.error(line, exc.args[0], name or unescape(text.split("{")[0]).strip() or unescape(text))
        return None
    question.category, question.idnumber, question.tags = category, meta["idnumber"], meta["tags"]
    return finish(question, issues)


def _split_name(text: str) -> tuple[str, str]:
    if text.startswith("::"):
        end = text.find("::", 2)
        if end != -1:
            return clean_name(unescape(text[2:end])), text[end + 2:].strip()
    return "", text


def _build(line, name, text) -> ParsedQuestion:
    start, end = text.find("{"), text.find("}", max(text.find("{"), 0))
    if start == -1 and "}" not in text:
        return _make("description", name, text, "", line)
    if start == -1 or end == -1:
        raise GiftError(_l("A brace is missing: the answers must be inside { … } (write \\{ or \\} "
                           "for a brace in the text)."))
    after = text[end + 1:]
    if "{" in after or "}" in after:
        raise GiftError(_l("There is more than one { … } answer block; write \\{ and \\} for braces "
                           "in the text."))
    answers = text[start + 1:end].strip()
    stem = text[:start] + ("" if not after.strip() else "_____" + after)
    answers, feedback = _general_feedback(answers)
    return _typed(line, name, stem.strip(), answers, feedback)


def _general_feedback(answers: str) -> tuple[str, str]:
    position = answers.rfind("####")
    if position == -1:
        return answers, ""
    return answers[:position].strip(), answers[position + 4:]


def _make(qtype, name, stem, feedback, line, payload=None) -> ParsedQuestion:
    html, fmt = text_with_format(stem, "moodle")
    question = ParsedQuestion(qtype=qtype, name=name, text=html, payload=payload or {}, line=line,
                              general_feedback=text_with_format(feedback, fmt)[0])
    question.name = question.name or default_name(html)
    if qtype == "description":
        question.default_mark, question.penalty = "0", "0"
    elif qtype == "essay":
        question.penalty = "0"
        question.payload = {"response_format": "editor", "grader_info": "", "response_template": ""}
    return question


def text_with_format(text: str, default: str) -> tuple[str, str]:
    """(HTML, format) of a GIFT text that may start with a [format] marker."""
    text = text.strip()
    match = _FORMAT.match(text)
    fmt = match.group(1).lower() if match else default
    body = unescape(text[match.end():] if match else text).strip()
    return to_html(body, fmt), fmt


def _typed(line, name, stem, answers, feedback) -> ParsedQuestion:
    if answers == "":
        return _make("essay", name, stem, feedback, line)
    question = _make("shortanswer", name, stem, feedback, line)
    fmt = text_with_format(stem, "moodle")[1]
    if answers.startswith("#"):
        question.qtype, question.payload = "numerical", _numerical(answers[1:], fmt)
    elif "~" in answers:
        question.qtype, question.payload = "multichoice", _multichoice(answers, fmt)
    elif "=" in answers and "->" in answers:
        question.qtype, question.payload = "matching", _matching(answers, fmt)
    elif answers.split("#", 1)[0].strip() in ("T", "TRUE", "F", "FALSE"):
        question.qtype, question.payload, question.penalty = "truefalse", _truefalse(answers, fmt), "1"
    else:
        question.payload = _shortanswer(answers, fmt)
    return question


def _weight(answer: str, default: Fraction) -> tuple[str, str]:
    """Strip a %weight% prefix: (fraction string, rest); Moodle grades only."""
    match = _WEIGHT.match(answer)
    if not match:
        return fraction_str(default), answer
    percent = Decimal(match.group(1).replace(",", "."))
    grade = moodle_grade(Fraction(percent) / 100)
    if grade is None:
        raise GiftError(_l("The weight %(weight)s%% is not one of Moodle's grades (100, 90, 83.33333, "
                           "80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, "
                           "12.5, 11.11111, 10, 5, 0 or their negatives); the question was skipped.",
                           weight=match.group(1)))
    return fraction_str(grade), answer[match.end():]


def _comment(answer: str, fmt: str) -> tuple[str, str]:
    """Split 'answer#feedback' into (answer source, feedback HTML)."""
    text, _, feedback = answer.partition("#")
    return text, text_with_format(feedback, fmt)[0] if feedback.strip() else ""


def _parts(answers: str, separator: str) -> list[str]:
    parts = answers.split(separator)
    if parts and not parts[0].strip():
        parts = parts[1:]
    return [p.strip() for p in parts]


def _multichoice(answers: str, fmt: str) -> dict:
    items = []
    for raw in _parts(answers.replace("=", "~="), "~"):
        if raw.startswith("="):
            fraction, raw = "1", raw[1:]
        else:
            fraction, raw = _weight(raw, Fraction(0))
        text, feedback = _comment(raw, fmt)
        items.append((text_with_format(text, fmt)[0], fraction, feedback))
    return multichoice_payload(items, single="=" in answers)


def _matching(answers: str, fmt: str) -> dict:
    subquestions = []
    for index, raw in enumerate(_parts(answers, "="), start=1):
        if "->" not in raw:
            raise GiftError(_l("Matching pair “%(pair)s” has no “->”.", pair=unescape(raw)[:40]))
        left, _, right = raw.partition("->")
        subquestions.append({"id": str(index), "text": text_with_format(left, fmt)[0],
                             "answer": unescape(right).strip()})
    return {"shuffle_answers": True, "subquestions": subquestions}


def _truefalse(answers: str, fmt: str) -> dict:
    bits = answers.split("#", 2) + ["", ""]
    wrong, right = (text_with_format(b, fmt)[0] for b in bits[1:3])
    correct = bits[0].strip() in ("T", "TRUE")
    return {"correct": correct, "feedback_true": right if correct else wrong,
            "feedback_false": wrong if correct else right}


def _shortanswer(answers: str, fmt: str) -> dict:
    items = []
    for raw in _parts(answers, "="):
        fraction, raw = _weight(raw, Fraction(1))
        text, feedback = _comment(raw, fmt)
        items.append({"text": unescape(_FORMAT.sub("", text.strip())).strip(), "fraction": fraction,
                      "feedback": feedback})
    return {"case_sensitive": False, "answers": items}


def _numerical(answers: str, fmt: str) -> dict:
    answers, tilde, wrong = answers.partition("~")
    items = []
    for raw in _parts(answers, "="):
        fraction, raw = _weight(raw, Fraction(1))
        text, feedback = _comment(raw, fmt)
        value, tolerance = _number(unescape(text).strip())
        items.append({"value": value, "tolerance": tolerance, "fraction": fraction, "feedback": feedback})
    if tilde:
        items.append({"value": "*", "tolerance": "0", "fraction": "0", "feedback": _comment(wrong, fmt)[1]})
    return {"answers": items}


def _number(text: str) -> tuple[str, str]:
    """'3.14:0.01' → ('3.14', '0.01'); '1..5' → ('3', '2'); '1822' → ('1822', '0')."""
    if text == "*":
        return "*", "0"
    try:
        if text.find("..") > 0:
            low, high = (_finite(p) for p in text.split("..", 1))
            return decimal_str((low + high) / 2), decimal_str(abs(high - low) / 2)
        if text.find(":") > 0:
            value, tolerance = (_finite(p) for p in text.split(":", 1))
            return decimal_str(value), decimal_str(abs(tolerance))
        return decimal_str(_finite(text)), "0"
    except (InvalidOperation, ValueError):
        raise GiftError(_l("“%(answer)s” is not a number, a number:tolerance or a range min..max.",
                           answer=text[:40])) from None


def _finite(text: str) -> Decimal:
    number = Decimal(text.strip().replace(",", "."))
    if not number.is_finite():
        raise ValueError(text)
    return number
