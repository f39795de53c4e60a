"""The report tables as XLSX, through ``spreadsheet.workbook_bytes`` (text cells are never
formulas, DECISIONS.md 22). Numbers are numeric cells rounded for reading: points to 2
decimals, percentages to 1, indices to 2."""
from flask_babel import gettext as _

from reports import labels as L
from spreadsheet import workbook_bytes
from text_utils import plain

TABLES = ("results", "agencies", "positions", "topics", "items", "options")


def _r(value, places=1):
    return None if value is None else round(float(value), places)


def _pct(value, places=1):
    return None if value is None else round(float(value) * 100, places)


def results_xlsx(rows, agency_names: dict) -> bytes:
    header = [_("No."), _("Full name"), _("Unit"), _("Job position"), _("Score"), _("Maximum"), _("Percent"), _("Result")]
    body = [[i, r.full_name, agency_names.get(r.agency_id, ""), r.position,
             _r(r.score, 2) if r.score is not None else None, _r(r.max_score, 2) if r.max_score else None,
             _r(r.percent) if r.counted else None, str(L.outcome(r))] for i, r in enumerate(rows, start=1)]
    return workbook_bytes(_("Results"), header, body, [6, 30, 34, 30, 10, 10, 10, 18])


def groups_xlsx(groups, title: str, first: str) -> bytes:
    header = [first, _("Attempts"), _("Mean %"), _("Passed"), _("Pass rate %")]
    body = [[g.label, g.count, _r(g.mean), g.passed, _pct(g.pass_rate)] for g in groups]
    return workbook_bytes(title, header, body, [40, 10, 10, 10, 12])


def topics_xlsx(profile) -> bytes:
    header = [_("Topic"), _("Questions per paper"), _("Mean %")]
    body = [[path, _r(asked, 2), _r(mean)] for path, asked, mean in profile]
    return workbook_bytes(_("Topics"), header, body, [60, 12, 10])


def items_xlsx(stats) -> bytes:
    header = [_("No."), _("Question"), _("Topic"), _("Type"), _("Attempts"), _("Facility %"), _("SD %"),
              _("Random guess %"), _("Intended weight %"), _("Effective weight %"), _("Discrimination index %"),
              _("Discriminative efficiency %"), _("Upper group %"), _("Lower group %"), _("Upper − lower"), _("Flags")]
    body = []
    for i, (info, item) in enumerate(zip(stats.items, stats.analysis.items), start=1):
        sd = item.sd / item.max_mark if item.sd is not None and item.max_mark else None
        body.append([i, info.name or plain(info.text)[:80], info.category_path, info.qtype, item.attempts,
                     _pct(item.facility), _pct(sd), _pct(item.random_guess), _r(item.intended_weight, 2),
                     _r(item.effective_weight, 2), _r(item.discrimination_index, 2),
                     _r(item.discriminative_efficiency, 2), _pct(item.upper_facility), _pct(item.lower_facility),
                     _r(item.upper_lower, 2), "; ".join(str(L.FLAGS[f.code]) for f in item.flags)])
    return workbook_bytes(_("Item analysis"), header, body, [6, 40, 40, 12] + [10] * 11 + [50])


def options_xlsx(stats) -> bytes:
    header = [_("No."), _("Question"), _("Option"), _("Option text"), _("Key"), _("Fraction %"), _("Chosen"),
              _("Share %"), _("Upper group %"), _("Lower group %")]
    body = []
    for i, (info, item) in enumerate(zip(stats.items, stats.analysis.items), start=1):
        texts = {key: text for key, text, _f in info.options}
        for o in item.options:
            body.append([i, info.name, L.option_label(info.qtype, o.key), plain(texts.get(o.key, ""))[:200],
                         _("Yes") if o.is_key else "", _pct(o.fraction), o.count, _pct(o.share),
                         _pct(o.upper_share), _pct(o.lower_share)])
    return workbook_bytes(_("Options"), header, body, [6, 40, 8, 60, 6, 10, 10, 10, 12, 12])
