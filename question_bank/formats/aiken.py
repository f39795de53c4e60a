"""Aiken import (multiple choice only), after https://docs.moodle.org/en/Aiken_format and
question/format/aiken/format.php.

    Question text
    A) Choice        (or "A. Choice")
    B) Choice
    ANSWER: B

Strict reading (``strict=True``): the question on one line, each choice "letter, ')' or '.',
a space, text" in order A, B, C …, and the answer line exactly ``ANSWER: X``.  Tolerant
reading (the default) also accepts, each with a warning: no space after the letter
(``A)Choice``, as Moodle does), a lower-case keyword or letter (``Answer: b``), no space after
the colon, trailing text after the letter (``ANSWER: B) Paris``), ``Đáp án: B``, and a question
text over several lines.  Questions may be separated by blank lines.  Choice and question
texts are plain text (HTML is shown, not interpreted).  Every bad question is reported with
the line it starts on; the good ones are still imported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from .grades import key_fractions
from .model import Issues, ParsedQuestion
from .questions import finish, multichoice_payload
from .text import decode, default_name, plain_to_html

_OPTION_STRICT = re.compile(r"^([A-Z])[.)][ \t]+(\S.*)$")
_OPTION_TOLERANT = re.compile(r"^([A-Za-z])\s*[.)]\s*(.*)$")
_ANSWER_STRICT = re.compile(r"^ANSWER: ?([A-Z])$")
_ANSWER_TOLERANT = re.compile(r"^(?:answer|đáp án|dap an)\s*[:：]?\s*(.*)$", re.I)
_LETTER = re.compile(r"^([A-Za-z])(?:[\s.)]|$)")


@dataclass
class _Draft:
    line: int
    stem: list = field(default_factory=list)
    options: list = field(default_factory=list)
    letters: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    broken: bool = False


def parse_aiken(data: bytes, issues: Issues) -> list:
    questions, draft = [], None
    for number, raw in enumerate(decode(data, issues).split("\n"), start=1):
        line = raw.strip()
        if line:
            draft = _step(draft, number, line, issues, questions)
    if draft is not None and not draft.broken:
        issues.error(draft.line, _l("The question has no “ANSWER: X” line."), " ".join(draft.stem))
    return questions


def _step(draft, number, line, issues: Issues, questions: list):
    """Feed one non-blank line; returns the draft still open (None when none is)."""
    option, answer = _option(line), _answer(line, issues.strict)
    if answer is not None:
        _close(draft, number, answer, line, issues, questions)
        return None
    if draft is not None and draft.broken:
        return draft
    if option is not None:
        return _add_option(draft, number, option, line, issues)
    if draft is not None and draft.options and not draft.broken:
        issues.error(draft.line, _l("The question has no “ANSWER: X” line before the next question "
                                    "starts on line %(line)s.", line=number), " ".join(draft.stem))
        return _Draft(number, [line])
    if draft is not None and not draft.options and not draft.broken:
        if issues.strict:
            draft.broken = True
            issues.error(number, _l("The question text must be on one line (strict Aiken)."), line)
        draft.stem.append(line)
        return draft
    return _Draft(number, [line])


def _option(line: str):
    """(letter, text, note): note is None for a strict choice line, else what was tolerated."""
    match = _OPTION_STRICT.match(line)
    if match:
        return match.group(1), match.group(2).strip(), None
    match = _OPTION_TOLERANT.match(line)
    if match and not _ANSWER_TOLERANT.match(line) and (match.group(2) or line[1:2] in ".)"):
        note = _l("“%(start)s”: the letter should be a capital followed by “)” or “.” and a space.",
                  start=line[:4])
        return match.group(1).upper(), match.group(2).strip(), note
    return None


def _answer(line: str, strict: bool):
    """The text after 'ANSWER:' (None when the line is not an answer line)."""
    match = _ANSWER_STRICT.match(line)
    if match:
        return match.group(1)
    if strict:
        return line[7:].strip() if line.startswith("ANSWER:") else None
    match = _ANSWER_TOLERANT.match(line)
    return match.group(1).strip() if match and (":" in line or "：" in line) else None


def _add_option(draft, number, option, line, issues: Issues):
    letter, text, note = option
    if draft is None:
        issues.error(number, _l("Choices start here with no question text before them."), line)
        return _Draft(number, broken=True)
    if note is not None and issues.strict:
        issues.error(draft.line, note, " ".join(draft.stem))
        draft.broken = True
        return draft
    expected = chr(ord("A") + len(draft.options))
    if letter != expected:
        issues.error(draft.line, _l("Choice “%(letter)s” on line %(line)s is out of order; expected "
                                    "“%(expected)s”.", letter=letter, line=number, expected=expected),
                     " ".join(draft.stem))
        draft.broken = True
        return draft
    draft.options.append(text)
    if note is not None:
        draft.notes.append((number, note))
    return draft


def _close(draft, number, answer, line, issues: Issues, questions) -> None:
    label = " ".join(draft.stem) if draft else None
    if draft is None:
        issues.error(number, _l("“%(line)s” has no question before it.", line=line[:40]))
        return
    if draft.broken:
        return
    keys = _key(answer, draft, number, label, issues)
    if keys is None:
        return
    for line_number, note in draft.notes:
        issues.warn(line_number, note, label)
    question = finish(_build(draft, keys), issues)
    if question is not None:
        questions.append(question)


def _key(answer: str, draft, number, label, issues: Issues):
    match = _LETTER.match(answer)
    if not match:
        issues.error(draft.line, _l("The answer line (line %(line)s) must give the letter of a choice "
                                    "(A–%(last)s); it says “%(answer)s”.", line=number,
                                    last=chr(ord("A") + max(len(draft.options), 1) - 1),
                                    answer=answer[:40]), label)
        return None
    letter = match.group(1).upper()
    if answer != letter:
        issues.warn(number, _l("Answer line read as “ANSWER: %(letter)s”.", letter=letter), label)
    if len(draft.options) < 2:
        issues.error(draft.line, _l("A question needs at least 2 choices; it has %(n)s.",
                                    n=len(draft.options)), label)
        return None
    index = ord(letter) - ord("A")
    if index >= len(draft.options):
        issues.error(draft.line, _l("The answer “%(letter)s” (line %(line)s) names no choice; the "
                                    "question has %(n)s.", letter=letter, line=number,
                                    n=len(draft.options)), label)
        return None
    return {index}


def _build(draft: _Draft, keys: set) -> ParsedQuestion:
    text = plain_to_html("\n".join(draft.stem))
    options = [(plain_to_html(o), f, "") for o, f in
               zip(draft.options, key_fractions(len(draft.options), keys))]
    return ParsedQuestion("multichoice", default_name(text), text, line=draft.line,
                          payload=multichoice_payload(options, single=True, numbering="ABCD"))
