"""Labels of the stages, quarters, publication and complaints, for this blueprint's pages."""
from flask_babel import lazy_gettext as _l

from classification import bp

COMPLAINT_STATES = {
    "open": _l("Awaiting the council"),
    "upheld": _l("Upheld: level changed"),
    "rejected": _l("Rejected: level stands"),
}

STAGE_ACTIONS = {
    "rating.publish": _l("Publication set"),
    "rating.self_assessment": _l("Own assessment submitted"),
    "rating.review": _l("Reviewed by the supervisor"),
    "rating.quarter_approve": _l("Quarter approved and locked"),
    "rating.quarter_reopen": _l("Quarter reopened"),
    "rating.complaint": _l("Complaint filed"),
    "rating.complaint_upheld": _l("Complaint upheld"),
    "rating.complaint_rejected": _l("Complaint rejected"),
}


@bp.context_processor
def inject():
    return {"complaint_states": COMPLAINT_STATES, "stage_actions": STAGE_ACTIONS}
