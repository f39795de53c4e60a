"""Writes of the question bank: categories, imports (all-or-nothing by default)."""
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from accounts import audit
from extensions import db
from question_bank.formats import ParseResult, parse
from question_bank.models import Category, Question, QuestionBank, QuestionFile, QuestionStatus, QuestionVersion
from text_utils import fold, plain


@dataclass
class ImportReport:
    """The outcome of importing one file; ``as_json()`` is the CLI's ``--json`` object."""

    file: str
    format: str
    imported: int = 0
    by_type: dict = field(default_factory=dict)
    categories: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    written: bool = False

    def as_json(self) -> dict:
        return {"file": self.file, "format": self.format, "imported": self.imported,
                "by_type": self.by_type, "categories": self.categories,
                "errors": self.errors, "written": self.written}


def category_for(bank: QuestionBank, names: tuple[str, ...]) -> Category:
    """The category at ``names`` below the bank root, creating missing nodes (flushes)."""
    parent, path = None, ""
    for name in names or ("Mặc định",):
        path = f"{path} / {name}" if path else name
        node = db.session.scalars(select(Category).where(Category.bank_id == bank.id, Category.path == path)).first()
        if node is None:
            node = Category(bank=bank, parent=parent, name=name, path=path)
            db.session.add(node)
            db.session.flush()
        parent = node
    return parent


def add_question(bank, parsed, user=None, status=QuestionStatus.APPROVED) -> Question:
    """Store one parsed question as a question with its first version (flushes).

    DECISIONS.md 15: until the review workflow exists, imported questions are
    approved at once.
    """
    category = category_for(bank, parsed.category)
    question = Question(bank=bank, category=category, status=status, created_by_id=getattr(user, "id", None),
                        search_text=fold(f"{parsed.name} {plain(parsed.text)}"))
    version = QuestionVersion(
        question=question, version=1, qtype=parsed.qtype, name=parsed.name[:255], text=parsed.text,
        default_mark=parsed.default_mark, penalty=parsed.penalty, general_feedback=parsed.general_feedback,
        payload=parsed.payload, tags=list(parsed.tags), idnumber=parsed.idnumber, difficulty=parsed.difficulty,
        legal_reference=parsed.legal_reference, source_line=parsed.line, created_by_id=getattr(user, "id", None))
    db.session.add_all([question, version])
    for name, data in (parsed.files or {}).items():
        db.session.add(QuestionFile(version=version, name=name, mime=_mime(name), data=data))
    db.session.flush()
    question.current_version = version
    return question


def _mime(name: str) -> str:
    import mimetypes

    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _issue_json(issue) -> dict:
    line = issue.line if issue.column is None else f"{issue.line}:{issue.column}"
    return {"line": line, "question": issue.question, "message": str(issue.message)}


def import_result(bank: QuestionBank, result: ParseResult, *, skip_invalid=False, user=None) -> ImportReport:
    """Write a parse result into ``bank``: nothing at all when it has errors, unless
    ``skip_invalid``, in which case the valid questions are written and the errors are
    listed as skipped.  Never writes half a question (each is added whole, in one flush).
    """
    report = ImportReport(file=result.file, format=result.format,
                          errors=[_issue_json(e) for e in result.errors])
    if result.errors and not skip_invalid:
        return report
    if not result.questions:
        return report
    report.skipped = list(report.errors)
    for parsed in result.questions:
        add_question(bank, parsed, user)
    report.imported = len(result.questions)
    report.by_type = dict(Counter(q.qtype for q in result.questions))
    report.categories = dict(Counter(" / ".join(q.category) or "Mặc định" for q in result.questions))
    report.written = True
    audit.record("questions.import", bank, actor=user,
                 after={"file": result.file, "imported": report.imported, "skipped": len(report.skipped)})
    return report


def import_file(bank: QuestionBank, data: bytes, filename: str, *, fmt=None, skip_invalid=False, user=None):
    """Parse ``data`` (format detected from content and name) and import it; see
    :func:`import_result`.  Raises ``question_bank.formats.FormatError`` for an unknown format."""
    return import_result(bank, parse(data, filename, fmt), skip_invalid=skip_invalid, user=user)
