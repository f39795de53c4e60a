"""Translatable names of codes shown to people (levels, roles, question types, states)."""
from flask_babel import lazy_gettext as _l

LEVELS = {
    "EXCELLENT": _l("Excellently completing tasks"),
    "GOOD": _l("Completing tasks well"),
    "COMPLETED": _l("Completing tasks"),
    "NOT_COMPLETED": _l("Not completing tasks"),
    "NOT_RATED": _l("Not rated"),
}

ROLES = {
    "examinee": _l("Examinee"),
    "bank_editor": _l("Bank editor"),
    "reviewer": _l("Reviewer"),
    "exam_admin": _l("Exam administrator"),
    "marker": _l("Marker"),
    "supervisor": _l("Supervisor"),
    "head": _l("Head of rating unit"),
    "hr_officer": _l("HR officer"),
    "council_secretary": _l("Council secretary"),
    "admin": _l("Administrator"),
}

STAFF_CATEGORIES = {
    "cadre": _l("Cadre"),
    "civil_servant": _l("Civil servant"),
    "public_employee": _l("Public employee"),
}

AGENCY_KINDS = {
    "province": _l("Province"),
    "department": _l("Department"),
    "commune": _l("Commune People's Committee"),
    "division": _l("Division"),
}

QTYPES = {
    "multichoice": _l("Multiple choice"),
    "truefalse": _l("True/false"),
    "shortanswer": _l("Short answer"),
    "numerical": _l("Numerical"),
    "essay": _l("Essay"),
    "matching": _l("Matching"),
    "ordering": _l("Ordering"),
    "cloze": _l("Embedded answers (cloze)"),
    "description": _l("Description"),
}

QUESTION_STATUSES = {
    "draft": _l("Draft"),
    "in_review": _l("In review"),
    "approved": _l("Approved"),
    "retired": _l("Retired"),
}

DIFFICULTIES = {"easy": _l("Easy"), "medium": _l("Medium"), "hard": _l("Hard")}

QUESTION_ACTIONS = {
    "submit": _l("Send for review"),
    "approve": _l("Approve"),
    "return": _l("Return to the author"),
    "retire": _l("Retire"),
    "reinstate": _l("Reinstate as a draft"),
}

EXAM_STATES = {"draft": _l("Draft"), "open": _l("Open"), "closed": _l("Closed")}

ATTEMPT_STATES = {
    "in_progress": _l("In progress"),
    "submitted": _l("Submitted"),
    "timed_out": _l("Closed at the deadline"),
}

TASK_KINDS = {"regular": _l("Regular"), "breakthrough": _l("Breakthrough")}

PROFILES = {
    "nd335": _l("Decree 335/2025/NĐ-CP (civil servants, from 2026)"),
    "nd233": _l("Decree 233/2026/NĐ-CP (public employees)"),
    "nd90": _l("Decree 90/2020/NĐ-CP"),
}

TEST_RULES = {
    "general_criteria": _l("Test scores the professional-competence criterion (local rule, not law)"),
    "cap": _l("A failed test caps the level at Completing tasks (local rule, not law)"),
    "none": _l("The test does not enter the rating"),
}

QUOTA_DENOMINATORS = {
    "good_only": _l("20 percent of the number rated Good (literal text of Art. 20 cl. 5(a))"),
    "good_or_better": _l("20 percent of the number rated Good or better"),
}

DISCIPLINE_FORMS = {
    "reprimand": _l("Reprimand"),
    "warning": _l("Warning"),
    "salary_step_reduction": _l("Salary-step reduction"),
    "demotion": _l("Demotion"),
    "removal": _l("Removal from office"),
    "dismissal": _l("Forced dismissal"),
}

# Rating workflow states and reward achievements (classification, issue 5).
RATING_STATES = {
    "draft": _l("Draft (engine results)"),
    "proposed": _l("Proposed to the council"),
    "decided": _l("Decided by the council"),
    "approved": _l("Approved and locked"),
}

ACHIEVEMENTS = {
    "tier1": _l("Tier 1: work, solution or initiative rated excellent at provincial level and applied"),
    "tier2": _l("Tier 2: an Order or National Emulation Fighter"),
    "tier3": _l("Tier 3: Prime Minister's Certificate of Merit"),
    "provincial_fighter": _l("Tier 4: Provincial Emulation Fighter"),
    "tier5": _l("Tier 5: initiative rated excellent at department or commune level and applied"),
}

RATING_ACTIONS = {
    "rating.run": _l("Engine run"),
    "rating.propose": _l("Proposed to the council"),
    "rating.decide": _l("Council decision"),
    "rating.council_closed": _l("Council decisions complete"),
    "rating.approve": _l("Approved and locked"),
    "rating.reopen": _l("Reopened"),
    "rating.return_to_draft": _l("Returned to draft"),
    "rating.quota_exception": _l("Quota exception recorded"),
    "rating.quota_exception_removed": _l("Quota exception removed"),
}
