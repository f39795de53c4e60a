"""The data every importer returns and every exporter takes.

Shapes follow docs/question-payload.md (the contract with the bank, delivery and grading):
``qtype`` is Moodle's type name, ``text`` is sanitised HTML in Unicode NFC, fractions are
strings that ``fractions.Fraction()`` accepts.  Importers never raise for bad content: each
problem becomes an :class:`ImportIssue` naming the line (or sheet row and column).
"""
from __future__ import annotations

from dataclasses import dataclass, field


class FormatError(ValueError):
    """The file's format cannot be told, or a format name is unknown (the message says which)."""


@dataclass
class ParsedQuestion:
    """One imported question, ready to be stored as a question version.

    ``category`` is the path below the bank root; ``line`` the 1-based source line (or sheet
    row) where the question starts, in ``source`` (the file inside a package, QTI) when set;
    ``files`` the embedded images, referenced from the HTML as ``@@PLUGINFILE@@/<name>``.
    """

    qtype: str
    name: str
    text: str
    category: tuple[str, ...] = ()
    default_mark: str = "1"
    general_feedback: str = ""
    penalty: str = "1/3"
    payload: dict = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    idnumber: str | None = None
    line: int | None = None
    difficulty: str | None = None
    legal_reference: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    source: str | None = None


@dataclass
class ImportIssue:
    """A problem found while reading: where (line, or row + column), which question, what.

    ``message`` is a lazy translatable string (Flask-Babel ``lazy_gettext``); ``str()`` renders
    it in the reader's language, so a report built in a background job reads right later.
    """

    line: int | None
    column: str | None
    question: str | None
    message: str
    source: str | None = None

    def where(self, unit: str = "line") -> str:
        """'line 12', 'row 7, column D', 'item3.xml line 5' or '' — where the problem is.

        ``unit`` is 'row' for spreadsheets and CSV, where ``line`` holds the row number;
        ``source`` names the file inside a package (QTI)."""
        if self.column and self.line is not None:
            place = f"row {self.line}, column {self.column}"
        elif self.column:
            place = f"column {self.column}"
        else:
            place = f"{unit} {self.line}" if self.line is not None else ""
        return " ".join(p for p in (self.source, place) if p)

    def describe(self, unit: str = "line") -> str:
        """'line 12 «name»: message' — one line of a report."""
        parts = [p for p in (self.where(unit), f"«{self.question}»" if self.question else "") if p]
        return (" ".join(parts) + ": " if parts else "") + str(self.message)

    def __str__(self) -> str:
        return self.describe()


@dataclass
class CategoryInfo:
    """A category record read from the file (Moodle XML carries a description and idnumber)."""

    path: tuple[str, ...]
    info: str = ""
    idnumber: str | None = None


@dataclass
class ParseResult:
    """Everything one file gave: the questions that passed, and every error and warning."""

    file: str
    format: str
    questions: list[ParsedQuestion] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)
    categories: list[CategoryInfo] = field(default_factory=list)

    def report(self) -> list[str]:
        """One line per error, then per warning, each naming the file: 'a.gift, line 3: …'."""
        unit = "row" if self.format in ("xlsx", "csv") else "line"
        return [f"{self.file}, {issue.describe(unit)}" if issue.where() else f"{self.file}: {issue}"
                for issue in [*self.errors, *self.warnings]]


class Issues:
    """What a parser collects for one file besides questions: errors, warnings, category
    records; ``strict`` asks for the strict reading where a format has two (Aiken)."""

    def __init__(self, strict: bool = False) -> None:
        self.errors: list[ImportIssue] = []
        self.warnings: list[ImportIssue] = []
        self.categories: list[CategoryInfo] = []
        self.strict = strict
        self.source: str | None = None

    def error(self, line, message, question=None, column=None) -> None:
        self.errors.append(ImportIssue(line, column, _short(question), message, self.source))

    def warn(self, line, message, question=None, column=None) -> None:
        self.warnings.append(ImportIssue(line, column, _short(question), message, self.source))

    def result(self, file: str, fmt: str, questions) -> ParseResult:
        return ParseResult(file, fmt, list(questions), self.errors, self.warnings, self.categories)


def _short(question: str | None) -> str | None:
    """A question's label in a report: its name, or the first 60 characters of its stem."""
    if not question:
        return None
    text = " ".join(str(question).split())
    return text if len(text) <= 60 else text[:59] + "…"
