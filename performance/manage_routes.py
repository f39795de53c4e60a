"""Managing tasks at scale: the catalogue of standard products per job position, the head
of agency's overview of all units (bottlenecks), and the XLSX import/export of task lists."""
from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.forms import EmptyForm
from accounts.permissions import reachable_agencies, require_reach, role_required
from extensions import db
from performance import bp, queries, services, task_sheets
from performance.forms import CatalogueForm, ImportForm
from performance.models import CatalogueItem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str) -> Response:
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                  "X-Content-Type-Options": "nosniff"})


@bp.route("/catalogue", methods=["GET", "POST"])
@role_required(*queries.SUPERVISE, *queries.OVERVIEW)
def catalogue():
    form = CatalogueForm()
    owners = reachable_agencies(current_user, *queries.SUPERVISE, *queries.OVERVIEW)
    form.agency.choices = [(a.id, a.name) for a in owners]
    if form.validate_on_submit():
        if any(i.code == form.code.data.strip() and i.agency_id == form.agency.data
               for i in queries.catalogue_for(current_user, *queries.SUPERVISE, *queries.OVERVIEW)):
            form.code.errors.append(_("This code is already used in that agency's catalogue."))
        else:
            item = services.add_catalogue_item(form, current_user)
            db.session.commit()
            flash(_("“%(title)s” added to the catalogue.", title=item.title), "success")
            return redirect(url_for("performance.catalogue"))
    items = queries.catalogue_for(current_user, *queries.SUPERVISE, *queries.OVERVIEW)
    editable = {a.id for a in owners}
    return render_template("performance/catalogue.html", items=items, form=form, editable=editable,
                           retire_form=EmptyForm())


@bp.route("/catalogue/<int:item_id>/retire", methods=["POST"])
@role_required(*queries.SUPERVISE, *queries.OVERVIEW)
def retire_item(item_id):
    item = db.get_or_404(CatalogueItem, item_id)
    require_reach(current_user, item.agency, *queries.SUPERVISE, *queries.OVERVIEW)
    if EmptyForm().validate_on_submit():
        services.retire_catalogue_item(item, current_user)
        db.session.commit()
        flash(_("“%(title)s” is no longer offered.", title=item.title), "success")
    return redirect(url_for("performance.catalogue"))


@bp.route("/overview")
@role_required(*queries.OVERVIEW)
def overview():
    """The head of agency's view: every unit's progress and the bottlenecks."""
    year, today = request.args.get("year", date.today().year, type=int), date.today()
    return render_template("performance/overview.html", year=year, today=today,
                           rows=queries.overview(current_user, year, today),
                           stuck=queries.bottlenecks(current_user, year, today),
                           cascades=queries.cascades(current_user, year, today, *queries.OVERVIEW))


@bp.route("/import", methods=["GET", "POST"])
@role_required(*queries.SUPERVISE)
def import_tasks():
    form, reports, problems, added = ImportForm(), [], [], []
    if form.validate_on_submit():
        reports, problems, added = task_sheets.import_tasks(form.file.data.read(), current_user)
        if added:
            db.session.commit()
            flash(_("%(n)d tasks imported.", n=len(added)), "success")
        else:
            db.session.rollback()
            flash(_("Nothing was imported: correct the rows marked below and import the file again."), "danger")
    return render_template("performance/import.html", form=form, reports=reports, problems=problems,
                           added=len(added))


@bp.route("/import/template.xlsx")
@role_required(*queries.SUPERVISE)
def import_template():
    return _xlsx(task_sheets.template_bytes(), "mau-danh-sach-nhiem-vu.xlsx")


@bp.route("/export.xlsx")
@role_required(*queries.SUPERVISE)
def export_tasks():
    year = request.args.get("year", date.today().year, type=int)
    return _xlsx(task_sheets.export_bytes(queries.team_tasks(current_user, year)), f"nhiem-vu-{year}.xlsx")
