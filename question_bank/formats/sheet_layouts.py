"""The row layouts of :mod:`.sheet`: header matching and row → question for each layout."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from openpyxl.utils import get_column_letter

from .grades import key_fractions, mark_str, parse_number, fraction_str
from .model import Issues, ParsedQuestion
from .questions import finish, multichoice_payload
from .text import default_name, plain_to_html

# Vietnamese agency layout: field → accepted headers (accents and case folded).
VN_COLUMNS = {
    "stt": ("stt", "so thu tu"),
    "category": ("hang muc", "chuyen de", "linh vuc", "danh muc", "nhom", "chu de"),
    "name": ("ten cau hoi",),
    "stem": ("noi dung", "noi dung cau hoi", "cau hoi"),
    "options": ("phuong an tra loi", "phuong an", "cac phuong an", "lua chon"),
    "key": ("dap an", "dap an dung"),
    "mark": ("diem",),
    "difficulty": ("muc do", "do kho"),
    "legal_reference": ("can cu phap ly", "can cu"),
    "feedback": ("giai thich", "phan hoi chung"),
    "tags": ("the",),
    "idnumber": ("ma cau hoi",),
    "keep_order": ("giu thu tu phuong an",),
}
VN_REQUIRED = ("stem", "options", "key")
_OPTION_LINE = re.compile(r"^\s*([A-H])\s*[.)]\s*(.*)$", re.S)
_KEY = re.compile(r"^[A-H](?:\s*[,;/&\s]\s*[A-H])*$|^[A-H]+$")
CATEGORY_SEPARATOR = " > "


def fold(text: str) -> str:
    """Header text folded for matching: no accents, lower case, single spaces, no '(*)' or ':'."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return " ".join(re.sub(r"\(\*\)|\*|:", " ", text).split())


@dataclass
class Layout:
    """A matched header: the field → column index map and the row reader to use."""

    name: str
    columns: dict
    reader: object

    def read(self, rows, issues: Issues) -> list:
        return self.reader(rows, self.columns, issues)


def match_header(cells) -> Layout | None:
    folded = [fold(c) for c in cells]
    for matcher in (_match_vn, _match_moodle_csv, _match_kahoot):
        layout = matcher(folded)
        if layout is not None:
            return layout
    return None


def _match_vn(folded) -> Layout | None:
    columns = {}
    for field, names in VN_COLUMNS.items():
        for index, header in enumerate(folded):
            if header in names and field not in columns:
                columns[field] = index
    if all(f in columns for f in VN_REQUIRED):
        return Layout("vn", columns, _read_vn)
    return None


def _get(cells, columns, field) -> str:
    index = columns.get(field)
    return cells[index] if index is not None and index < len(cells) else ""


def _letter(columns, field) -> str:
    return get_column_letter(columns[field] + 1)


# --- Vietnamese agency layout -----------------------------------------------------------------

def _read_vn(rows, columns, issues: Issues) -> list:
    questions, category = [], ""
    for number, cells in rows:
        if not any(cells):
            continue
        category = _get(cells, columns, "category") or category
        question = _vn_question(number, cells, columns, issues, category)
        if question is not None:
            questions.append(question)
    return questions


def _vn_question(number, cells, columns, issues, category) -> ParsedQuestion | None:
    stem = _get(cells, columns, "stem")
    label = stem or f"STT {_get(cells, columns, 'stt')}"
    if not stem:
        issues.error(number, _l("The question text (Nội dung) is empty."), label, _letter(columns, "stem"))
        return None
    options = split_options(_get(cells, columns, "options"), number, label, issues,
                            _letter(columns, "options"))
    keys = parse_key(_get(cells, columns, "key"), len(options or ()), number, label, issues,
                     _letter(columns, "key"))
    if options is None or keys is None:
        return None
    return finish(_vn_build(number, cells, columns, stem, options, keys, category), issues)


def _vn_build(number, cells, columns, stem, options, keys, category) -> ParsedQuestion:
    fractions = key_fractions(len(options), keys)
    keep_order = bool(_get(cells, columns, "keep_order").strip())
    payload = multichoice_payload(
        [(plain_to_html(text), fraction, "") for text, fraction in zip(options, fractions)],
        single=len(keys) == 1, shuffle=not keep_order, numbering="ABCD")
    text = plain_to_html(stem)
    tags = tuple(t.strip() for t in re.split(r"[,;]", _get(cells, columns, "tags")) if t.strip())
    return ParsedQuestion(
        qtype="multichoice", name=_get(cells, columns, "name") or default_name(text), text=text,
        category=split_category(category), default_mark=mark_str(_get(cells, columns, "mark")),
        general_feedback=plain_to_html(_get(cells, columns, "feedback")), payload=payload,
        tags=tags, idnumber=_get(cells, columns, "idnumber") or None, line=number,
        difficulty=_get(cells, columns, "difficulty") or None,
        legal_reference=_get(cells, columns, "legal_reference") or None)


def split_category(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(CATEGORY_SEPARATOR.strip()) if p.strip())


def split_options(cell: str, row, label, issues: Issues, column) -> list[str] | None:
    """'A. …\\nB. …' → option texts; a line without a letter continues the option above."""
    options, letters = [], []
    for position, line in enumerate(cell.split("\n"), start=1):
        match = _OPTION_LINE.match(line)
        if match:
            letters.append(match.group(1).upper())
            options.append(match.group(2).strip())
        elif line.strip() and options:
            issues.warn(row, _l("Line %(n)s of the choices (“%(text)s”) has no letter (A., B. …); it "
                                "was joined to choice %(letter)s. Check that it is not a choice of its own.",
                                n=position, text=line.strip()[:40], letter=letters[-1]), label, column)
            options[-1] = f"{options[-1]}\n{line.strip()}"
        elif line.strip():
            issues.error(row, _l("The choices must start with “A. ”; the first line is “%(text)s”.",
                                 text=line.strip()[:40]), label, column)
            return None
    return _check_letters(options, letters, row, label, issues, column)


def _check_letters(options, letters, row, label, issues, column):
    if len(options) < 2:
        issues.error(row, _l("At least 2 choices are needed, one per line as “A. …”; found %(n)s.",
                             n=len(options)), label, column)
        return None
    expected = [chr(ord("A") + i) for i in range(len(letters))]
    if letters != expected:
        issues.error(row, _l("The choices are lettered %(found)s; expected %(expected)s.",
                             found=", ".join(letters), expected=", ".join(expected)), label, column)
        return None
    return options


def parse_key(cell: str, count: int, row, label, issues: Issues, column) -> set[int] | None:
    """'B' → {1}; 'A, C' or 'AC' → {0, 2}; errors for anything else or a letter with no choice."""
    text = cell.strip().upper().rstrip(".")
    if not _KEY.match(text):
        issues.error(row, _l("The key (Đáp án) must be the letter of a choice, e.g. “B” or “A, C”; "
                             "found “%(key)s”.", key=cell), label, column)
        return None
    keys = {ord(c) - ord("A") for c in text if c.isalpha()}
    if count and max(keys) >= count:
        issues.error(row, _l("The key “%(key)s” names a choice that does not exist (the question has "
                             "%(n)s choices).", key=cell, n=count), label, column)
        return None
    return keys


# --- Moodle qformat_csv ----------------------------------------------------------------------

_MOODLE_CSV = {
    "multichoice": ["multichoicename", "questiontext", "choices", "answer", "generalfeedback",
                    "defaultmark", "qtype"],
    "essay": ["essayname", "questiontext", "responsetemplate", "graderinfo", "generalfeedback",
              "defaultmark"],
    "shortanswer": ["shortanswername", "questiontext", "answer", "fraction", "generalfeedback",
                    "defaultmark"],
    "truefalse": ["truefalsename", "questiontext", "answer", "generalfeedback", "defaultmark"],
}


def _match_moodle_csv(folded) -> Layout | None:
    cells = [c.replace(" ", "") for c in folded if c]
    for qtype, header in _MOODLE_CSV.items():
        if cells == header:
            return Layout(qtype, {h: i for i, h in enumerate(header)}, _moodle_reader(qtype))
    return None


def _moodle_reader(qtype):
    def read(rows, columns, issues):
        builder = _MOODLE_BUILDERS[qtype]
        found = [builder(n, c, columns, issues) for n, c in rows if any(c)]
        return [q for q in found if q is not None]
    return read


def _moodle_base(number, cells, columns, qtype, payload) -> ParsedQuestion:
    text = plain_to_html(_get(cells, columns, "questiontext"))
    name = [k for k in columns if k.endswith("name")][0]
    return ParsedQuestion(qtype=qtype, name=_get(cells, columns, name) or default_name(text),
                          text=text, default_mark=mark_str(_get(cells, columns, "defaultmark")),
                          general_feedback=plain_to_html(_get(cells, columns, "generalfeedback")),
                          payload=payload, line=number)


def _moodle_multichoice(number, cells, columns, issues):
    choices = [c.strip() for c in _get(cells, columns, "choices").split(";")]
    label, column = _get(cells, columns, "questiontext"), get_column_letter(columns["answer"] + 1)
    keys = parse_key(_get(cells, columns, "answer"), len(choices), number, label, issues, column)
    if keys is None:
        return None
    kind = _get(cells, columns, "qtype").strip().lower()
    if kind == "single" and len(keys) != 1:
        issues.error(number, _l("A “single” question must have exactly one key letter."), label, column)
        return None
    payload = multichoice_payload([(plain_to_html(c), f, "") for c, f in
                                   zip(choices, key_fractions(len(choices), keys))],
                                  single=kind == "single", numbering="ABCD")
    return finish(_moodle_base(number, cells, columns, "multichoice", payload), issues)


def _moodle_essay(number, cells, columns, issues):
    payload = {"response_format": "editor",
               "grader_info": plain_to_html(_get(cells, columns, "graderinfo")),
               "response_template": _get(cells, columns, "responsetemplate")}
    question = _moodle_base(number, cells, columns, "essay", payload)
    question.penalty = "0"
    return finish(question, issues)


def _moodle_shortanswer(number, cells, columns, issues):
    texts = [a.strip() for a in _get(cells, columns, "answer").split(";")]
    grades = [parse_number(g) for g in _get(cells, columns, "fraction").split(";")]
    answers = [{"text": t, "fraction": fraction_str(min(grades[i], 1)) if i < len(grades)
                and grades[i] is not None and len(texts) > 1 else "1", "feedback": ""}
               for i, t in enumerate(texts)]
    payload = {"case_sensitive": False, "answers": answers}
    return finish(_moodle_base(number, cells, columns, "shortanswer", payload), issues)


def _moodle_truefalse(number, cells, columns, issues):
    value = parse_number(_get(cells, columns, "answer"))
    payload = {"correct": bool(value and value > 0), "feedback_true": "", "feedback_false": ""}
    question = _moodle_base(number, cells, columns, "truefalse", payload)
    question.penalty = "1"
    return finish(question, issues)


_MOODLE_BUILDERS = {"multichoice": _moodle_multichoice, "essay": _moodle_essay,
                    "shortanswer": _moodle_shortanswer, "truefalse": _moodle_truefalse}


# --- Kahoot ----------------------------------------------------------------------------------

def _kahoot_key(header: str) -> str:
    head = re.split(r"\s[-–]\s", header)[0].replace(" ", "")
    aliases = {"question": "question", "timelimit(sec)": "time", "timelimit": "time", "time": "time",
               "correct": "correct", "correctanswer(s)": "correct", "correctanswers": "correct",
               "correctanswer": "correct"}
    if re.fullmatch(r"answer\d", head):
        return head
    return aliases.get(head, "")


def _match_kahoot(folded) -> Layout | None:
    columns = {}
    for index, header in enumerate(folded):
        key = _kahoot_key(header)
        if key and key not in columns:
            columns[key] = index
    if {"question", "correct", "answer1", "answer2"} <= set(columns):
        return Layout("kahoot", columns, _read_kahoot)
    return None


def _read_kahoot(rows, columns, issues) -> list:
    found = [_kahoot_question(n, c, columns, issues) for n, c in rows if any(c)]
    return [q for q in found if q is not None]


def _kahoot_question(number, cells, columns, issues):
    stem = _get(cells, columns, "question")
    slots = sorted(k for k in columns if k.startswith("answer"))
    answers = [(i, _get(cells, columns, k)) for i, k in enumerate(slots)]
    answers = [(i, a) for i, a in answers if a]
    column = get_column_letter(columns["correct"] + 1)
    raw = _get(cells, columns, "correct")
    numbers = [int(n) for n in re.findall(r"\d+", raw)]
    positions = [i for i, _ in answers]
    if not numbers or any(n - 1 not in positions for n in numbers):
        issues.error(number, _l("The correct answer must be the number of a filled answer column "
                                "(1–%(n)s); found “%(key)s”.", n=len(slots), key=raw), stem, column)
        return None
    keys = {positions.index(n - 1) for n in numbers}
    payload = multichoice_payload([(plain_to_html(a), f, "") for (_, a), f in
                                   zip(answers, key_fractions(len(answers), keys))])
    text = plain_to_html(stem)
    return finish(ParsedQuestion("multichoice", default_name(text), text, payload=payload,
                                 line=number), issues)
