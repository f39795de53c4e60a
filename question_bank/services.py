"""Writes of the question bank: categories, imports (all-or-nothing by default, duplicates
detected), versions, the review workflow and deletion.  Functions flush; the caller commits.

DECISIONS.md 15: imports land as drafts; a reviewer other than the author approves them.
"""
import mimetypes
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import String, any_, bindparam, select
from sqlalchemy.dialects import postgresql

from accounts import audit
from db_types import utcnow
from extensions import db
from question_bank import bulk
from question_bank import content as qc
from question_bank.formats import ParseResult, parse
from question_bank.models import (Category, Question, QuestionBank, QuestionFile, QuestionStatus, QuestionTag,
                                  QuestionVersion)
from text_utils import plain

S = QuestionStatus
BATCH = 500


class BankError(Exception):
    """A refusal to show the user (own approval, question in use, wrong state …)."""


@dataclass
class ImportReport:
    """The outcome of importing one file; ``as_json()`` is the CLI's ``--json`` object.

    ``duplicates``: questions whose normalised stem and key are already in the bank or
    earlier in the file — imported anyway, or skipped when ``skipped_duplicates``."""

    file: str
    format: str
    imported: int = 0
    by_type: dict = field(default_factory=dict)
    categories: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    skipped_duplicates: bool = False
    written: bool = False

    def as_json(self) -> dict:
        return {"file": self.file, "format": self.format, "imported": self.imported,
                "by_type": self.by_type, "categories": self.categories,
                "errors": self.errors, "written": self.written,
                "duplicates": self.duplicates, "duplicates_skipped": self.skipped_duplicates}


def category_for(bank: QuestionBank, names: tuple[str, ...], cache: dict | None = None) -> Category:
    """The category at ``names`` below the bank root, creating missing nodes (flushes).
    ``cache`` (path → Category) saves the look-ups of a bulk import."""
    cache = {} if cache is None else cache
    parent, path = None, ""
    for name in names or ("Mặc định",):
        path = f"{path} / {name}" if path else name
        node = cache.get(path)
        if node is None:
            node = db.session.scalars(select(Category).where(Category.bank_id == bank.id,
                                                             Category.path == path)).first()
        if node is None:
            node = Category(bank=bank, parent=parent, name=name, path=path)
            db.session.add(node)
            db.session.flush()
        cache[path] = parent = node
    return parent


def _new_version(question: Question, parsed, user, number: int, **extra) -> QuestionVersion:
    """A version built from a ParsedQuestion; the imported difficulty and legal reference
    are split into level/value and document/article unless ``extra`` gives them."""
    level, value = qc.difficulty_of(parsed.difficulty)
    document, article = qc.split_legal(parsed.legal_reference)
    fields = dict(difficulty=level, difficulty_value=value, legal_reference=document, legal_article=article)
    fields.update(extra)
    version = QuestionVersion(
        question=question, version=number, qtype=parsed.qtype, name=(parsed.name or "")[:255], text=parsed.text,
        default_mark=parsed.default_mark, penalty=parsed.penalty, general_feedback=parsed.general_feedback,
        payload=parsed.payload, tags=qc.clean_tags(parsed.tags), idnumber=parsed.idnumber,
        source_line=parsed.line, created_by_id=getattr(user, "id", None), **fields)
    for name, data in (parsed.files or {}).items():
        version.files.append(QuestionFile(name=name, mime=mimetypes.guess_type(name)[0]
                                          or "application/octet-stream", data=data))
    return version


def _point_to(question: Question, version: QuestionVersion) -> None:
    """Make ``version`` current: search text, duplicate key and tag rows follow it."""
    question.current_version = version
    question.search_text, question.dedup_key = qc.fingerprint(version.name, version.qtype, version.text,
                                                               version.payload)
    question.qtype, question.difficulty = version.qtype, version.difficulty
    wanted = qc.tag_keys(version.tags)
    for row in list(question.tag_rows):
        if row.key not in wanted:
            question.tag_rows.remove(row)
    have = {row.key for row in question.tag_rows}
    question.tag_rows.extend(QuestionTag(key=k, tag=t) for k, t in wanted.items() if k not in have)


def refresh_copies(question: Question) -> None:
    """Recompute the question's copies of its current version (``flask questions reindex``)."""
    if question.current_version is not None:
        _point_to(question, question.current_version)


def add_question(bank, parsed, user=None, status=QuestionStatus.APPROVED, *, source_file=None) -> Question:
    """Store one parsed question as a question with its first version (flushes).

    ``status`` defaults to approved for seeding code (test factories, which have no
    reviewer); imports write drafts (DECISIONS.md 15) through :mod:`question_bank.bulk`.
    """
    question = Question(bank=bank, category=category_for(bank, parsed.category), status=status,
                        created_by_id=getattr(user, "id", None))
    version = _new_version(question, parsed, user, 1, source_file=(source_file or None) and source_file[:255])
    db.session.add(question)
    _point_to(question, version)
    db.session.flush()
    return question


def _issue_json(issue) -> dict:
    line = issue.line if issue.column is None else f"{issue.line}:{issue.column}"
    return {"line": line, "question": issue.question, "message": str(issue.message)}


def find_duplicates(bank: QuestionBank, questions, keys=None) -> dict[int, dict]:
    """Index in ``questions`` → report entry for each question whose duplicate key is
    already in the bank or belongs to an earlier question of the same list."""
    keys = keys or [qc.dedup_key(q.qtype, q.text, q.payload) for q in questions]
    existing: dict[str, int] = {}
    unique = sorted(set(keys))
    if unique and db.session.get_bind().dialect.name == "postgresql":     # one query, the keys as one array
        wanted = [Question.dedup_key == any_(bindparam("keys", unique, type_=postgresql.ARRAY(String)))]
    else:
        wanted = [Question.dedup_key.in_(unique[start:start + BATCH]) for start in range(0, len(unique), BATCH)]
    for condition in wanted:
        rows = db.session.execute(select(Question.dedup_key, Question.id).where(
            Question.bank_id == bank.id, condition).order_by(Question.id))
        for key, qid in rows:
            existing.setdefault(key, qid)
    found, first = {}, {}
    for i, (parsed, key) in enumerate(zip(questions, keys)):
        label = parsed.name or plain(parsed.text)[:60]
        if key in existing:
            found[i] = {"line": parsed.line, "question": label, "duplicate_of": existing[key],
                        "message": _("Same question and key as question #%(id)d of the bank.", id=existing[key])}
        elif key in first:
            found[i] = {"line": parsed.line, "question": label, "duplicate_of": None,
                        "message": _("Same question and key as line %(line)s of this file.", line=first[key])}
        else:
            first[key] = parsed.line
    return found


def import_result(bank: QuestionBank, result: ParseResult, *, skip_invalid=False, skip_duplicates=False,
                  user=None) -> ImportReport:
    """Write a parse result into ``bank`` as drafts: nothing at all when it has errors,
    unless ``skip_invalid``, in which case the valid questions are written and the errors
    are listed as skipped.  Duplicates are reported, and left out with ``skip_duplicates``.
    Never writes half a question (each is added whole)."""
    report = ImportReport(file=result.file, format=result.format, skipped_duplicates=skip_duplicates,
                          errors=[_issue_json(e) for e in result.errors])
    if (result.errors and not skip_invalid) or not result.questions:
        return report
    report.skipped = list(report.errors)
    # the name as the version stores it (≤ 255), so the search text is what reindex would give
    prints = [qc.fingerprint((q.name or "")[:255], q.qtype, q.text, q.payload) for q in result.questions]
    duplicates = find_duplicates(bank, result.questions, [key for _search, key in prints])
    report.duplicates = list(duplicates.values())
    keep = [i for i in range(len(prints)) if not (skip_duplicates and i in duplicates)]
    if not keep:
        return report
    todo = [result.questions[i] for i in keep]
    cache: dict = {}
    categories = [category_for(bank, q.category, cache) for q in todo]
    for start in range(0, len(todo), BATCH):
        end = start + BATCH
        bulk.insert_questions(bank, todo[start:end], categories[start:end], status=QuestionStatus.DRAFT, user=user,
                              source_file=result.file, prints=[prints[i] for i in keep[start:end]])
    report.imported = len(todo)
    report.by_type = dict(Counter(q.qtype for q in todo))
    report.categories = dict(Counter(" / ".join(q.category) or "Mặc định" for q in todo))
    report.written = True
    audit.record("questions.import", bank, actor=user,
                 after={"file": result.file, "imported": report.imported, "skipped": len(report.skipped),
                        "duplicates": len(report.duplicates), "duplicates_skipped": skip_duplicates})
    return report


def import_file(bank: QuestionBank, data: bytes, filename: str, *, fmt=None, skip_invalid=False,
                skip_duplicates=False, user=None):
    """Parse ``data`` (format detected from content and name) and import it; see
    :func:`import_result`.  Raises ``question_bank.formats.FormatError`` for an unknown format."""
    return import_result(bank, parse(data, filename, fmt), skip_invalid=skip_invalid,
                         skip_duplicates=skip_duplicates, user=user)


# --- editing -------------------------------------------------------------------------------

def create_question(bank: QuestionBank, category: Category, parsed, user, **meta) -> Question:
    """A new draft question written in the editor (``meta``: difficulty, difficulty_value,
    legal_reference, legal_article override what ``parsed`` carries)."""
    question = Question(bank=bank, category=category, status=S.DRAFT, created_by_id=user.id)
    db.session.add(question)
    _point_to(question, _new_version(question, parsed, user, 1, **meta))
    db.session.flush()
    audit.record("question.create", question, actor=user, after={"version": 1, "status": S.DRAFT.value})
    return question


@dataclass
class Edit:
    """What an editor's save did: the new version (None when the content and metadata
    did not change) and whether the question moved to another category."""

    version: QuestionVersion | None
    moved: bool


def save_version(question: Question, parsed, user, category: Category | None = None, **meta) -> Edit:
    """Store the editor's content as version n+1 and make it current, unless nothing
    changed.  A change of content (what the examinee sees or what grades it) sends an
    approved or in-review question back to draft; a change of metadata only keeps the
    status and the approval.  Images of the previous version are carried over.  The
    category belongs to the question, not the version: moving makes no version."""
    if question.status == S.RETIRED:
        raise BankError(_("A retired question cannot be edited; reinstate it first."))
    old = question.current_version
    before = {"version": old.version, "status": question.status.value, "category": question.category.path}
    moved = category is not None and category.id != question.category_id
    if moved:
        question.category = category
    number = (db.session.scalar(select(db.func.max(QuestionVersion.version))
                                .where(QuestionVersion.question_id == question.id)) or 0) + 1
    new = _new_version(question, parsed, user, number, **meta)
    content_changed = qc.content_of(new) != qc.content_of(old)
    if not content_changed and qc.meta_of(new) == qc.meta_of(old):
        new = None
    else:
        for f in old.files:
            if f.name not in {nf.name for nf in new.files}:
                new.files.append(QuestionFile(name=f.name, mime=f.mime, data=f.data))
        if content_changed and question.status in (S.APPROVED, S.IN_REVIEW):
            question.status = S.DRAFT
        elif not content_changed:
            new.approved_by_id, new.approved_at = old.approved_by_id, old.approved_at
        db.session.add(new)
        _point_to(question, new)
    if new is None and not moved:
        return Edit(None, False)
    db.session.flush()
    audit.record("question.edit", question, actor=user, before=before,
                 after={"version": new.version if new else old.version, "status": question.status.value,
                        "category": question.category.path, "content_changed": content_changed})
    return Edit(new, moved)


# --- review workflow -----------------------------------------------------------------------

# action → (states it starts from, state it leads to)
TRANSITIONS = {
    "submit": ({S.DRAFT}, S.IN_REVIEW),
    "approve": ({S.IN_REVIEW}, S.APPROVED),
    "return": ({S.IN_REVIEW}, S.DRAFT),
    "retire": ({S.DRAFT, S.IN_REVIEW, S.APPROVED}, S.RETIRED),
    "reinstate": ({S.RETIRED}, S.DRAFT),
}


def check_approver(question: Question, user) -> None:
    """The four-eyes rule: the approver is not the author of the version approved."""
    author = question.current_version.created_by_id
    if author is not None and author == user.id:
        raise BankError(_("You wrote this version, so someone else must approve it."))


def transition(question: Question, action: str, user, reason: str = "") -> None:
    """Move ``question`` through the review workflow, audited.  Raises BankError when the
    action does not apply to its state, or when an author approves their own version."""
    sources, target = TRANSITIONS[action]
    if question.status not in sources:
        raise BankError(_("This question is %(status)s; it cannot be changed that way.",
                          status=str(_status_label(question.status))))
    if action == "approve":
        check_approver(question, user)
        question.current_version.approved_by_id, question.current_version.approved_at = user.id, utcnow()
    before = question.status.value
    question.status = target
    audit.record(f"question.{action}", question, actor=user, before={"status": before},
                 after={"status": target.value, "version": question.current_version.version}, reason=reason)


def _status_label(status: QuestionStatus):
    import labels

    return labels.QUESTION_STATUSES[status.value]


def _bulk(bank, user, action, sources, target, category=None, author_check=False) -> tuple[int, int]:
    """Move every question of ``bank`` (or of ``category``'s subtree) in ``sources`` to
    ``target``; one audit record lists them.  Returns (moved, left because own work)."""
    from question_bank.queries import subtree_ids

    stmt = (select(Question, QuestionVersion).join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
            .where(Question.bank_id == bank.id, Question.status.in_(sources)).order_by(Question.id))
    if category is not None:
        stmt = stmt.where(Question.category_id.in_(subtree_ids(category)))
    moved, own, now = [], 0, utcnow()
    for question, version in db.session.execute(stmt):
        if author_check and version.created_by_id == user.id:
            own += 1
            continue
        if target == S.APPROVED:
            version.approved_by_id, version.approved_at = user.id, now
        moved.append((question.id, question.status.value))
        question.status = target
    if moved:
        db.session.flush()
        audit.record(f"questions.{action}", bank, actor=user,
                     before={"statuses": dict(Counter(s for _id, s in moved))},
                     after={"status": target.value, "questions": [qid for qid, _s in moved],
                            "category": category.path if category else None})
    return len(moved), own


def approve_all(bank: QuestionBank, reviewer, category: Category | None = None) -> tuple[int, int]:
    """Approve every draft and in-review question of the bank not written by ``reviewer``
    (DECISIONS.md 15); returns (approved, left because the reviewer wrote them)."""
    return _bulk(bank, reviewer, "approve_all", (S.DRAFT, S.IN_REVIEW), S.APPROVED, category, author_check=True)


def submit_all(bank: QuestionBank, editor, category: Category | None = None) -> int:
    """Send every draft of the bank (or category subtree) for review."""
    return _bulk(bank, editor, "submit_all", (S.DRAFT,), S.IN_REVIEW, category)[0]


def delete_question(question: Question, user) -> None:
    """Delete a question never used: refused (BankError) when a test asked one of its
    versions or an official exam's blueprint may draw it — retire it instead."""
    from question_bank.queries import in_use_reason

    reason = in_use_reason(question)
    if reason:
        raise BankError(reason)
    version = question.current_version
    audit.record("question.delete", question, actor=user,
                 before={"status": question.status.value, "version": version.version if version else None,
                         "name": version.name if version else "", "category": question.category.path})
    question.current_version = None
    db.session.flush()
    for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.question_id == question.id)):
        db.session.delete(v)
    db.session.delete(question)
    db.session.flush()
