"""The PDF rating sheet of one person and year (or one period): for the person, and for
those who reach them (HR, head, council secretary, supervisor).  The person's own copy
leaves the results blank until their unit's results are published (DECISIONS.md 25)."""
from flask import Response, abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.models import User
from accounts.permissions import can_reach
from classification import SUPERVISE, VIEW, bp, sheets, workflow
from extensions import db


@bp.route("/sheet/<int:user_id>/<int:year>.pdf")
@login_required
def sheet(user_id, year):
    person = db.get_or_404(User, user_id)
    if person.id != current_user.id and not can_reach(current_user, person.agency, *VIEW, *SUPERVISE):
        abort(404)
    period = request.args.get("period")
    if period is not None and not period.startswith(f"{year}-"):
        abort(404)
    # the person's own copy shows no result before the unit's results are published
    hide = (person.id == current_user.id and not can_reach(current_user, person.agency, *VIEW, *SUPERVISE)
            and not workflow.is_published(workflow.workflow(person.agency.rating_unit(), year)))
    try:
        data = sheets.render_pdf(person, year, period, hide_results=hide)
    except sheets.PdfUnavailable:
        abort(503, _("PDF output is not available on this server."))
    name = f"phieu-danh-gia-{person.username}-{period or year}.pdf"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Content-Type-Options": "nosniff"})
