"""Names and plain explanations shown on the report pages (translatable)."""
from flask_babel import lazy_gettext as _l

FLAGS = {
    "too_easy": _l("Too easy"),
    "too_hard": _l("Too hard"),
    "negative_discrimination": _l("Negative discrimination"),
    "distractor_attracts_top": _l("A wrong option attracts the best"),
    "key_looks_wrong": _l("The key looks wrong"),
}

FLAG_HELP = {
    "too_easy": _l("At least 90 percent of the marks were earned: the question tells apart almost nobody. "
                   "Make it harder or replace it."),
    "too_hard": _l("At most 20 percent of the marks were earned, less than guessing often gives. "
                   "Check the key and the wording, and whether the job needs this knowledge."),
    "negative_discrimination": _l("People who did well on the rest of the test did worse on this question than "
                                  "those who did badly. Check the key and the wording; consider excluding it."),
    "distractor_attracts_top": _l("A wrong option is chosen more often by the top 27% than by the bottom 27%. "
                                  "It may be partly right, ambiguous, or right under a newer rule."),
    "key_looks_wrong": _l("The top 27% chose a wrong option more often than the key. The key may be wrong: "
                          "check it against the legal reference and regrade if it is."),
}

OUTCOMES = {
    "in_progress": _l("In progress"),
    "awaiting": _l("Awaiting marking"),
    "passed": _l("Passed"),
    "failed": _l("Not passed"),
}

TRUEFALSE = {"true": _l("True"), "false": _l("False")}


def outcome_code(row) -> str:
    if not row.finished:
        return "in_progress"
    if row.needs_grading:
        return "awaiting"
    return "passed" if row.passed else "failed"


def outcome(row):
    return OUTCOMES[outcome_code(row)]


def option_label(qtype: str, key: str) -> str:
    return str(TRUEFALSE[key]) if qtype == "truefalse" and key in TRUEFALSE else key
