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
