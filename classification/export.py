"""The yearly classification list as XLSX (Vietnamese or English headers by locale)."""
from flask_babel import get_locale
from flask_babel import gettext as _

import labels
from spreadsheet import workbook_bytes
from templating import format_score


def classification_xlsx(rows, year: int) -> bytes:
    lang = "en" if str(get_locale()) == "en" else "vi"
    header = [_("No."), _("Full name"), _("Unit"), _("Job position"), _("Staff category"), _("Rating profile"),
              _("Yearly score"), _("Level before the quota"), _("Level"), _("Needs council decision"), _("Reasons")]
    body = []
    for i, row in enumerate(rows, start=1):
        user = row.user
        body.append([i, user.full_name, user.agency.name, user.position,
                     str(labels.STAFF_CATEGORIES[user.staff_category.value]), row.profile,
                     format_score(row.score) if row.score is not None else "",
                     str(labels.LEVELS[row.level_before_quota]), str(labels.LEVELS[row.level]),
                     _("Yes") if row.needs_council else "",
                     "\n".join(r[lang] for r in row.reasons)])
    return workbook_bytes(_("Rating %(year)d", year=year), header, body,
                          [6, 28, 30, 26, 16, 10, 10, 24, 24, 12, 100])


def rewards_xlsx(items, year: int) -> bytes:
    """The reward list (RULES.md §7): title, tiers with their basis, amounts in VND."""
    header = [_("No."), _("Full name"), _("Unit"), _("Level"), _("“Lao động tiên tiến” title"),
              _("Rewards (Resolution 06/2021/NQ-HĐND)"), _("Amount (VND)"), _("Notes")]
    body = []
    for i, item in enumerate(items, start=1):
        awards = "\n".join(_("Tier %(tier)d: %(basis)s", tier=a.tier, basis="; ".join(a.basis))
                           for a in item.rewards.awards)
        notes = []
        if item.rewards.blocked:
            notes.append(_("Disciplined in the year: no reward"))
        if not item.approved:
            notes.append(_("Provisional: the rating is not approved yet"))
        body.append([i, item.user.full_name, item.user.agency.name, str(labels.LEVELS[item.row.level]),
                     _("Yes") if item.rewards.title else "", awards, item.rewards.total, "\n".join(notes)])
    return workbook_bytes(_("Rewards %(year)d", year=year), header, body, [6, 28, 30, 26, 14, 60, 16, 40])
