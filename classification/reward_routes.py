"""The reward list of a rating unit and year (page and XLSX) and recorded achievements."""
from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.forms import EmptyForm
from accounts.models import Agency
from accounts.permissions import can_reach, require_reach, role_required
from classification import RATE, VIEW, bp, rewards, workflow
from classification.export import rewards_xlsx
from classification.forms import AchievementForm
from classification.models import Achievement
from extensions import db


def _form(items) -> AchievementForm:
    form = AchievementForm()
    form.person.choices = [(i.user.id, f"{i.user.full_name} — {i.user.agency.name}") for i in items]
    return form


@bp.route("/rewards/<int:agency_id>/<int:year>", methods=["GET", "POST"], endpoint="rewards")
@role_required(*VIEW)
def rewards_page(agency_id, year):
    agency = db.get_or_404(Agency, agency_id)
    require_reach(current_user, agency, *VIEW)
    items = rewards.reward_list(agency, year)
    form, can_record = _form(items), can_reach(current_user, agency, *RATE)
    if form.validate_on_submit():
        if not can_record:
            abort(403)
        person = next(i.user for i in items if i.user.id == form.person.data)
        rewards.record_achievement(person, year, form.kind.data, form.reference.data, current_user)
        db.session.commit()
        flash(_("Achievement recorded for %(name)s.", name=person.full_name), "success")
        return redirect(url_for("classification.rewards", agency_id=agency.id, year=year))
    return render_template("classification/rewards.html", agency=agency, year=year, items=items, form=form,
                           can_record=can_record, delete_form=EmptyForm(),
                           state=workflow.state_of(agency, year))


@bp.route("/rewards/<int:agency_id>/<int:year>.xlsx")
@role_required(*VIEW)
def rewards_export(agency_id, year):
    agency = db.get_or_404(Agency, agency_id)
    require_reach(current_user, agency, *VIEW)
    data = rewards_xlsx(rewards.reward_list(agency, year), year)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="khen-thuong-{agency.code}-{year}.xlsx"',
                             "X-Content-Type-Options": "nosniff"})


@bp.route("/achievement/<int:item_id>/delete", methods=["POST"])
@role_required(*RATE)
def delete_achievement(item_id):
    item = db.get_or_404(Achievement, item_id)
    require_reach(current_user, item.user.agency, *RATE)
    unit = item.user.agency.rating_unit()
    if EmptyForm().validate_on_submit():
        rewards.delete_achievement(item, current_user)
        db.session.commit()
        flash(_("Achievement deleted."), "success")
    return redirect(url_for("classification.rewards", agency_id=unit.id, year=item.year))
