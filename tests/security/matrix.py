"""The cases of the access matrix, derived from ``app.url_map`` and the declared policies.

A case is (endpoint, method, URL, who, case kind, expected outcome):

* who: one of the roles (a person holding only that role, at agency A) or ``None`` (anonymous);
* kind: ``"page"`` for a route without an object in its URL; for object routes ``"own"``
  (the caller's own object), ``"same"`` (another person's object in the caller's agency
  subtree) or ``"other"`` (an object of agency B);
* expected: ``"allowed"`` (2xx/3xx, not to the login page), ``"refused"`` (403/404) or
  ``"login"`` (a redirect to the login page, or 401).

Object ids come from :mod:`tests.security.world` by the URL argument's name, so a route
another feature adds with a known argument name (``attempt_id``, ``task_id`` …) is covered
with no change here.  GET routes get every kind; state-changing routes get the ``other``
and anonymous kinds (a refused request changes nothing), and routes without objects get
an empty POST for the role gate.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from accounts.policy import object_args, route_policy
from exam.models import Attempt, AttemptSlot
from extensions import db
from tests.security.world import ROLES

SAFE = {"GET"}
LOGIN = "login"


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    url: str
    role: str | None
    kind: str
    expected: str

    def __str__(self):
        return f"{self.method} {self.url} [{self.endpoint}] as {self.role or 'anonymous'} ({self.kind})"


def _slot(attempt):
    return db.session.scalars(select(AttemptSlot).where(AttemptSlot.attempt_id == attempt.id)
                              .order_by(AttemptSlot.position)).first()


def _other_attempt(w):
    return db.session.scalars(select(Attempt).where(Attempt.exam_id == w.exam_b.id,
                                                    Attempt.user_id == w.stranger.id)).one()


def object_ids(w, user) -> dict[str, dict[str, int]]:
    """URL argument → {kind: id} for ``user`` (a person holding one role at agency A)."""
    peer, stranger = w.peer, w.stranger
    other_attempt = _other_attempt(w)
    return {
        "agency_id": {"same": w.A.id, "other": w.B.id},
        "user_id": {"own": user.id, "same": peer.id, "other": stranger.id},
        "attempt_id": {"own": w.attempts[user.id].id, "same": w.attempts[peer.id].id, "other": other_attempt.id},
        "slot_id": {"own": _slot(w.attempts[user.id]).id, "same": _slot(w.attempts[peer.id]).id,
                    "other": _slot(other_attempt).id},
        "exam_id": {"same": w.exam_a.id, "other": w.exam_b.id},
        "bank_id": {"same": w.bank_a.id, "other": w.bank_b.id},
        "question_id": {"same": w.question["a"].id, "other": w.question["b"].id},
        "version_id": {"same": w.image_version["a"].id, "other": w.image_version["b"].id},
        "task_id": {"own": w.tasks[user.id].id, "same": w.tasks[peer.id].id, "other": w.tasks[stranger.id].id},
        "report_id": {"own": w.reports[user.id].id, "same": w.reports[peer.id].id,
                      "other": w.reports[stranger.id].id},
        "evidence_id": {"own": w.evidence[user.id].id, "same": w.evidence[peer.id].id,
                        "other": w.evidence[stranger.id].id},
        **{f"{name}_id": {"own": w.records[user.id][name], "same": w.records[peer.id][name],
                          "other": w.records[stranger.id][name]} for name in ("row", "quiz", "change")},
        "achievement_id": {"own": w.records[user.id]["achievement"], "same": w.records[peer.id]["achievement"],
                           "other": w.records[stranger.id]["achievement"]},
        **{f"{name}_id": {"same": w.shared["a"][name], "other": w.shared["b"][name]}
           for name in ("catalogue", "late", "job")},
        # a background job (jobs/): "same" is of the kind the caller's role sees, if any
        "background_job_id": {"own": w.records[user.id]["bgjob"], "other": w.shared["b"]["bgjob_exam"],
                              "same": w.shared["a"]["bgjob_rating" if any(r.role.value == "hr_officer"
                                                                          for r in user.roles) else "bgjob_exam"]},
    }


#: An argument whose name means different objects on different routes.
ALIASES = {("classification.delete_achievement", "item_id"): "achievement_id",
           ("performance.retire_item", "item_id"): "catalogue_id"}


#: Plain (non-object) URL arguments.
PLAIN = {"year": 2026, "period": "2026-Q1", "code": "en", "name": "img.png", "filename": "css/app.css",
         "position": 1, "fmt": None, "table": "results", "action": "submit"}

#: Query strings some pages need to show anything (``?bank=`` for a new exam).
QUERY = {"exam.admin_new": lambda w: {"bank": w.bank_a.id}}

#: Routes whose success is a redirect to the login page (logging out; the second login step
#: without a pending password login).
LOGIN_IS_SUCCESS = {"accounts.logout", "accounts.second_factor"}

#: (endpoint, kind) cases whose outcome the policy alone cannot predict, with the reason.
NOT_DERIVABLE = {
    ("exam.start", "other"): "refused by a redirect with a message; test_start_of_a_foreign_exam_creates_nothing",
    ("exam.mark", "own"): "only essay slots awaiting marking open; the world's slots are multiple choice",
    ("exam.mark", "same"): "only essay slots awaiting marking open; the world's slots are multiple choice",
    ("reports.item", "same"): "the version must be one asked in the exam (the world's is an unused image question)",
    ("reports.sheet", "own"): "a PDF of a finished attempt; the world's attempts are in progress",
    ("reports.sheet", "same"): "a PDF of a finished attempt; the world's attempts are in progress",
    ("classification.save_settings", "page"): "province-wide: the role must be held at the root (the world's "
                                               "roles are held at A); tests/classification/test_settings_scope.py",
}


def _plain(rule, arg):
    converter = rule._converters.get(arg)
    if hasattr(converter, "items") and converter.items:  # AnyConverter
        return sorted(converter.items)[0]
    value = PLAIN.get(arg, "x")
    if value is None:
        return "x"
    return value


def holder_roles(role: str | None) -> set[str] | None:
    return None if role is None else {role, "examinee"}


def expected(policy, role, kind) -> str:
    roles = holder_roles(role)
    if policy.public:
        return "allowed"
    if roles is None:
        return LOGIN
    if not policy.passes_gate(roles):
        return "refused"
    if kind == "page":
        return "allowed"
    if kind == "other" or (kind == "own" and policy.not_own):
        return "refused"
    if policy.reaches(roles) or (kind == "own" and policy.owner):
        return "allowed"
    if not policy.owner and not policy.reach:
        return "allowed"  # the check is of another kind (``note``); the gate decides here
    return "refused"


def _methods(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def cases(app, w, users) -> tuple[list[Case], list[str]]:
    """Every case of the matrix, and the object routes it cannot build (unknown argument names)."""
    out, uncovered = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if rule.endpoint == "static":
            continue
        policy = route_policy(app, rule.endpoint)
        if policy is None:
            continue
        args = object_args(rule)
        for role in [None, *ROLES]:
            user = users[role] if role else users["examinee"]
            ids = object_ids(w, user)
            for (endpoint, arg), alias in ALIASES.items():
                if endpoint == rule.endpoint:
                    ids[arg] = ids[alias]
            if any(a not in ids for a in args):
                if role is None:
                    uncovered.append(f"{rule.endpoint} ({', '.join(a for a in args if a not in ids)})")
                break
            kinds = ["page"] if not args else ["own", "same", "other"]
            for kind in kinds:
                if args and any(kind not in ids[a] for a in args):
                    continue
                if (rule.endpoint, kind) in NOT_DERIVABLE:
                    continue
                values = {a: ids[a][kind] if a in ids else _plain(rule, a) for a in rule.arguments}
                url = rule.build(values, append_unknown=False)[1]
                query = QUERY.get(rule.endpoint)
                if query:
                    url += "?" + "&".join(f"{k}={v}" for k, v in query(w).items())
                for method in _methods(rule):
                    if method not in SAFE and role is not None and kind in ("own", "same"):
                        continue  # never change state on purpose; refusals are tested with "other"
                    out.append(Case(rule.endpoint, method, url, role, kind, expected(policy, role, kind)))
    return out, uncovered
