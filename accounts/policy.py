"""The declared access policy of every route (issue 7 "Access").

A route's policy says who passes the *gate* (anonymous, any logged-in person, or holders
of some roles anywhere) and how the view checks the *object* named in its URL (its own
person, and/or roles held at the object's agency or above: :func:`can_reach`).  The
policy is data; ``tests/security/test_route_policy.py`` fails for any endpoint that has
none, and drives every route × every role × own / same-agency / other-agency / anonymous
against it, so a declaration that the code does not honour fails too.

Declaring is cheap:

* :func:`accounts.permissions.role_required` marks the gate of the views it wraps;
* Flask-Login's ``login_required`` alone counts as the gate "any logged-in person";
* :func:`public` marks the few anonymous views (login, language);
* :func:`access` on a view, or a line in :data:`DECLARED` (for views in packages whose
  files another feature owns), adds the object check.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from flask_login import login_required

from accounts.models import Role

_ANY = ()


@dataclass(frozen=True)
class Policy:
    """``roles`` empty: any logged-in person passes the gate; admin always passes a role gate.

    ``owner``: the person the object belongs to passes the object check; ``reach``: holders
    of these roles at the object's agency or above pass it (admin too: ``can_reach``);
    ``note``: any further condition, in words (shown in the route list); ``not_own``: the
    object's own person is refused even when they reach it (nobody verifies their own product).
    """

    public: bool = False
    roles: tuple[str, ...] = _ANY
    owner: bool = False
    reach: tuple[str, ...] = _ANY
    note: str = ""
    not_own: bool = False
    sources: tuple[str, ...] = field(default=(), compare=False)

    @property
    def checks_object(self) -> bool:
        return self.owner or bool(self.reach) or bool(self.note)

    def passes_gate(self, roles: set[str] | None) -> bool:
        """``roles``: the role names a person holds; None for an anonymous visitor."""
        if self.public:
            return True
        if roles is None:
            return False
        return not self.roles or bool(roles & (set(self.roles) | {Role.ADMIN.value}))

    def reaches(self, roles: set[str]) -> bool:
        """True when a holder of ``roles`` at or above the object's agency passes the object check."""
        return bool(self.reach) and bool(roles & (set(self.reach) | {Role.ADMIN.value}))


def _names(roles) -> tuple[str, ...]:
    return tuple(sorted({r.value if isinstance(r, Role) else str(r) for r in roles}))


def gate(*roles) -> Policy:
    return Policy(roles=_names(roles), sources=("role_required",))


def public(view):
    """Mark a view open to anonymous visitors (the login page, the language switch)."""
    view.access_policy = Policy(public=True, sources=("public",))
    return view


def access(*, owner: bool = False, reach=(), note: str = "", not_own: bool = False):
    """Declare a view's object check (anywhere among its decorators: the marks are merged)."""
    def decorator(view):
        base = getattr(view, "access_policy", None) or Policy()
        view.access_policy = replace(base, owner=owner, reach=_names(reach), note=note, not_own=not_own,
                                     sources=base.sources + ("access",))
        return view
    return decorator


def _declare(roles=None, *, owner=False, reach=(), note="", not_own=False) -> Policy:
    return Policy(roles=_names(roles) if roles is not None else _ANY, owner=owner, reach=_names(reach),
                  note=note, not_own=not_own, sources=("DECLARED",))


R = Role
SUPERVISE = (R.SUPERVISOR, R.HEAD)
BANK_ROLES = (R.BANK_EDITOR, R.REVIEWER, R.EXAM_ADMIN)
RATING_VIEW = (R.HR_OFFICER, R.HEAD, R.COUNCIL_SECRETARY)
COUNCIL = (R.COUNCIL_SECRETARY, R.HR_OFFICER)
REPORT_ROLES = (R.EXAM_ADMIN, R.HR_OFFICER, R.HEAD)
EXAM_ADMIN = (R.EXAM_ADMIN,)

#: Object checks of views that live in packages whose route files other features own.
#: ``roles`` repeats a ``role_required`` gate only where the view has none of its own.
DECLARED: dict[str, Policy] = {
    "exam.start": _declare(note="the exam's audience must include the caller (else refused, nothing created)"),
    "exam.attempt_page": _declare(owner=True),
    "exam.save": _declare(owner=True),
    "exam.state": _declare(owner=True),
    "exam.submit": _declare(owner=True),
    "exam.result": _declare(owner=True),
    "exam.admin_new": _declare(note="the bank (?bank=) must be in the caller's exam_admin/bank_editor scope"),
    "exam.event": _declare(owner=True),
    "exam.next_question": _declare(owner=True),
    "exam.summary": _declare(owner=True),
    "exam.practice_question": _declare(owner=True),
    "exam.admin_detail": _declare(reach=EXAM_ADMIN),
    "exam.admin_open": _declare(reach=EXAM_ADMIN),
    "exam.admin_close": _declare(reach=EXAM_ADMIN),
    "exam.admin_accommodation": _declare(reach=EXAM_ADMIN, note="the person must be in the exam's audience"),
    "exam.admin_attempt": _declare(reach=EXAM_ADMIN, note="the attempt must belong to the exam"),
    "exam.admin_grade": _declare(reach=EXAM_ADMIN, note="the slot must belong to a closed attempt of the exam"),
    "exam.admin_late": _declare(reach=EXAM_ADMIN, note="the late save must belong to the exam"),
    "exam.admin_papers": _declare(reach=EXAM_ADMIN),
    "exam.admin_regrade": _declare(reach=EXAM_ADMIN, note="the question must be in the exam's bank"),
    "exam.admin_regrade_job": _declare(reach=EXAM_ADMIN, note="the job must belong to the exam"),
    "exam.admin_time": _declare(reach=EXAM_ADMIN),
    "exam.mark": _declare(reach=(R.MARKER, R.EXAM_ADMIN), not_own=True,
                          note="only essay slots awaiting marking; never the marker's own answer"),
    "performance.sign": _declare(note="signs the caller's own task list"),
    "performance.report": _declare(owner=True),
    "performance.verify": _declare(reach=SUPERVISE, not_own=True, note="never one's own product"),
    "performance.evidence": _declare(owner=True, reach=SUPERVISE,
                                     note="a unit task's agency is its unit; or the assignee of an ancestor task"),
    "performance.task": _declare(owner=True, reach=SUPERVISE,
                                 note="a unit task's agency is its unit; or the assignee of an ancestor task"),
    "performance.split": _declare(owner=True, note="children only for people or units the caller supervises"),
    "performance.assign": _declare(note="assignees limited to the supervisor's scope"),
    "performance.request_change": _declare(owner=True),
    "performance.decide_change": _declare(reach=SUPERVISE),
    "performance.retire_item": _declare(reach=(R.SUPERVISOR, R.HEAD, R.HR_OFFICER)),
    "question_bank.create_bank": _declare(note="owner agency limited to the bank_editor scope"),
    "question_bank.bank_detail": _declare(reach=BANK_ROLES),
    "question_bank.import_questions": _declare(reach=(R.BANK_EDITOR,)),
    "question_bank.question_detail": _declare(reach=BANK_ROLES),
    "question_bank.question_file": _declare(reach=BANK_ROLES, note="or an examinee who was asked that version"),
    "question_bank.new_question": _declare(reach=(R.BANK_EDITOR,)),
    "question_bank.preview_new": _declare(reach=(R.BANK_EDITOR,)),
    "question_bank.edit_question": _declare(reach=(R.BANK_EDITOR,)),
    "question_bank.preview_edit": _declare(reach=(R.BANK_EDITOR,)),
    "question_bank.delete_question": _declare(reach=(R.BANK_EDITOR,)),
    "question_bank.submit_all": _declare(reach=(R.BANK_EDITOR,)),
    "question_bank.approve_all": _declare(reach=(R.REVIEWER,)),
    "question_bank.change_status": _declare(reach=(R.BANK_EDITOR, R.REVIEWER),
                                            note="the role for the step: submit/reinstate editor, approve/return "
                                                 "reviewer, retire either"),
    "classification.save_settings": _declare(note="settings of a rating year (province-wide): hr_officer held at "
                                                  "the root of the agency tree"),
    "classification.run": _declare(reach=(R.HR_OFFICER,)),
    "classification.results": _declare(reach=RATING_VIEW),
    "classification.export": _declare(reach=RATING_VIEW),
    "classification.general": _declare(owner=True, reach=SUPERVISE),
    "classification.sheet": _declare(owner=True, reach=RATING_VIEW + SUPERVISE),
    "classification.propose": _declare(reach=(R.HR_OFFICER,), note="a rating unit"),
    "classification.return_to_draft": _declare(reach=(R.HR_OFFICER,), note="a rating unit"),
    "classification.reopen": _declare(reach=(R.HR_OFFICER,), note="a rating unit"),
    "classification.quota_exception": _declare(reach=(R.HR_OFFICER,), note="a rating unit"),
    "classification.remove_quota_exception": _declare(reach=(R.HR_OFFICER,), note="a rating unit"),
    "classification.close_council": _declare(reach=COUNCIL, note="a rating unit"),
    "classification.approve": _declare(reach=(R.HEAD, R.HR_OFFICER), note="a rating unit"),
    "classification.decide": _declare(reach=COUNCIL),
    "classification.rewards": _declare(reach=RATING_VIEW, note="recording an achievement needs hr_officer there"),
    "classification.rewards_export": _declare(reach=RATING_VIEW),
    "classification.delete_achievement": _declare(reach=(R.HR_OFFICER,)),
    "classification.self_assessment": _declare(note="the caller's own assessment of the year"),
    "classification.review": _declare(reach=SUPERVISE, not_own=True, note="never one's own assessment"),
    "classification.quarter": _declare(reach=RATING_VIEW, note="a rating unit"),
    "classification.approve_quarter": _declare(reach=(R.HEAD, R.HR_OFFICER), note="a rating unit"),
    "classification.reopen_quarter": _declare(reach=(R.HR_OFFICER,), note="a rating unit"),
    "classification.publish": _declare(reach=(R.HR_OFFICER,), note="a rating unit"),
    "classification.mine": _declare(note="the caller's own rating, nothing of the level before publication"),
    "classification.complain": _declare(note="a complaint about the caller's own published rating"),
    "classification.answer_complaint": _declare(reach=COUNCIL),
    "reports.exam": _declare(reach=REPORT_ROLES),
    "reports.export_table": _declare(reach=REPORT_ROLES),
    "reports.items": _declare(reach=EXAM_ADMIN),
    "reports.item": _declare(reach=EXAM_ADMIN, note="the version must be one asked in the exam"),
    "reports.person": _declare(owner=True, reach=REPORT_ROLES),
    "reports.sheet": _declare(owner=True, reach=REPORT_ROLES, note="a finished attempt; its owner only when "
                                                                   "the exam shows results"),
    "reports.unit": _declare(reach=REPORT_ROLES),
}

_LOGIN_REQUIRED_CODE = login_required(lambda: None).__code__


def _wrapped_chain(view):
    seen = set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        yield view
        view = getattr(view, "__wrapped__", None)


def _is_login_required(view) -> bool:
    return any(getattr(fn, "__code__", None) is _LOGIN_REQUIRED_CODE for fn in _wrapped_chain(view))


def route_policy(app, endpoint: str) -> Policy | None:
    """The policy of ``endpoint``: its view's marks merged with :data:`DECLARED`; None if undeclared."""
    if endpoint == "static":
        return Policy(public=True, sources=("static",))
    view = app.view_functions[endpoint]
    found = [fn.access_policy for fn in _wrapped_chain(view) if "access_policy" in vars(fn)]
    if not any(p.public or p.roles for p in found) and _is_login_required(view):
        found.append(Policy(sources=("login_required",)))
    if not found:
        return DECLARED.get(endpoint)
    return _merge(found + ([DECLARED[endpoint]] if endpoint in DECLARED else []))


def _merge(policies: list[Policy]) -> Policy:
    """One policy from the marks of a view's decorators and its DECLARED line."""
    first = policies[0]
    for p in policies[1:]:
        first = replace(first, public=first.public or p.public, roles=first.roles or p.roles,
                        owner=first.owner or p.owner, reach=first.reach or p.reach, note=first.note or p.note,
                        not_own=first.not_own or p.not_own, sources=first.sources + p.sources)
    return first


def object_args(rule) -> list[str]:
    """The URL arguments that name a stored object (``…_id``)."""
    return sorted(a for a in rule.arguments if a.endswith("_id"))
