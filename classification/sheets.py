"""PDF rating sheets per person (WeasyPrint; DECISIONS.md 27; FORMS.md).

* Decree 335/2025/NĐ-CP, annex, Mẫu số 01 "Phiếu theo dõi, đánh giá công chức", one page
  per monitoring period: table I with the person's own points, section II with the
  general points, the components a, b, c (d, đ, e for leaders) as percentages, the
  formula, the period total, and the two signature blocks.
* A yearly summary sheet.  No decree annexes a yearly form, so its footer says
  "unofficial layout".
* Decree 90/2020/NĐ-CP, annex, Mẫu số 02 "Phiếu đánh giá, xếp loại chất lượng công chức"
  for civil servants' rating years up to 2025 (FORMS.md Form 1): sections I–II from the
  person's own assessment (``YearlyAssessment``), section III (the commenting superior's
  view, printed for a deputy head only, as its heading reads), section IV the rating.
  The bracketed notes of items 5–7 are left out: their wording has to come from the
  gazette copy of the annex, which was not read.

Before the unit's results are published (DECISIONS.md 25) the person's own copy leaves
every result blank (``hide_results``): their points only, no score and no level.

The sheets are official Vietnamese documents: their text is Vietnamese whatever the
reader's language.  A4, Times New Roman metrics (Liberation Serif), decimal comma.
"""
from datetime import date
from fractions import Fraction

from flask import render_template
from sqlalchemy import select

from classification.models import ClassificationState, GeneralAssessment, YearlyClassification
from extensions import db
from scoring.numbers import format_decimal
from scoring.rating import Level, level_name

# Mẫu số 01, table I (FORMS.md): the key phrases of the criteria, in print order.
GROUPS = [
    ("I", "Phẩm chất chính trị, đạo đức, văn hóa thực thi công vụ; kỷ luật, kỷ cương", Fraction(10), [
        ("I.1", "Phẩm chất chính trị, đạo đức, văn hóa thực thi công vụ", Fraction(5)),
        ("I.2", "Ý thức kỷ luật, kỷ cương trong thực thi công vụ", Fraction(5))]),
    ("II", "Năng lực chuyên môn theo vị trí việc làm; đáp ứng nhiệm vụ; trách nhiệm; phục vụ người dân, "
           "doanh nghiệp; phối hợp", Fraction(10), [
        ("II.1", "Năng lực chuyên môn, nghiệp vụ theo yêu cầu của vị trí việc làm", Fraction(5, 2)),
        ("II.2", "Khả năng đáp ứng nhiệm vụ thường xuyên, đột xuất", Fraction(5, 2)),
        ("II.3", "Tinh thần trách nhiệm trong thực thi công vụ", Fraction(5, 2)),
        ("II.4", "Thái độ phục vụ người dân, doanh nghiệp; phối hợp với đồng nghiệp", Fraction(5, 2))]),
    ("III", "Đổi mới, sáng tạo, dám nghĩ, dám làm, dám chịu trách nhiệm vì lợi ích chung", Fraction(10), [
        ("III.1", "Sản phẩm, giải pháp đột phá, sáng tạo có hiệu quả", Fraction(5, 2)),
        ("III.2", "Sẵn sàng nhận nhiệm vụ đặc biệt, đột xuất, khó khăn", Fraction(5, 2)),
        ("III.3", "Chịu trách nhiệm về kết quả; nhận và khắc phục sai sót", Fraction(5, 2)),
        ("III.4", "Chủ động quyết định trong thẩm quyền; tiên phong việc mới", Fraction(5, 2))]),
]
COMPONENTS = [
    ("a", "Số lượng kết quả thực hiện nhiệm vụ"),
    ("b", "Chất lượng kết quả thực hiện nhiệm vụ"),
    ("c", "Tiến độ kết quả thực hiện nhiệm vụ"),
    ("d", "Kết quả hoạt động của lĩnh vực được giao lãnh đạo, quản lý, phụ trách"),
    ("đ", "Khả năng tổ chức triển khai thực hiện nhiệm vụ"),
    ("e", "Năng lực tập hợp, đoàn kết công chức thuộc phạm vi quản lý"),
]
ROMAN = {"Q1": "I", "Q2": "II", "Q3": "III", "Q4": "IV"}
POINT_PROFILES = ("nd335", "nd233")


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or the Pango libraries it needs) cannot be imported."""


def weasyprint_error() -> str | None:
    """None when WeasyPrint imports, else why not."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def num(value, places: int = 2) -> str:
    """A number with a decimal comma, trailing zeros dropped (2,5 · 10 · 88,13)."""
    if value is None:
        return ""
    text = format_decimal(Fraction(value), "vi", places)
    return text.rstrip("0").rstrip(",") if "," in text else text


def score(value) -> str:
    """A score with two decimals, rounded half-up, decimal comma (70,00 · 88,13)."""
    return "" if value is None else format_decimal(Fraction(value), "vi", 2)


def pct(value) -> str:
    return "" if value is None else num(Fraction(value) * 100) + "%"


def period_label(period: str) -> str:
    """"2026-Q1" → "Quý I năm 2026"; "2026-03" → "Tháng 03 năm 2026"."""
    year, part = period.split("-")
    return f"Quý {ROMAN[part]} năm {year}" if part in ROMAN else f"Tháng {part} năm {year}"


def decode(value):
    """The tagged JSON of ``scoring.rating.rating_to_json`` back to Fractions and levels."""
    if isinstance(value, dict):
        if len(value) == 1:
            (tag, raw), = value.items()
            if tag == "$fraction":
                return Fraction(raw)
            if tag == "$level":
                return Level(raw)
            if tag == "$date":
                return date.fromisoformat(raw)
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def _assessments(user, year: int) -> dict:
    return {g.period: g for g in db.session.scalars(select(GeneralAssessment).where(
        GeneralAssessment.user_id == user.id, GeneralAssessment.period.like(f"{year}-%")))}


def period_sheet(user, label: str, assessment, details: dict, leader: bool) -> dict:
    """The content of one Mẫu số 01: table I from the person's own points, section II
    from the rating (the final points and the components)."""
    own = {k: Fraction(v) for k, v in ((assessment.self_points or {}) if assessment else {}).items()}
    groups = []
    for code, text, maximum, items in GROUPS:
        rows = [(c.split(".")[1], t, num(m), num(own.get(c)) if c in own else "") for c, t, m in items]
        total = sum((own[c] for c, _, _ in items if c in own), Fraction(0)) if own else None
        groups.append({"code": code, "text": text, "max": num(maximum), "own": num(total), "rows": rows})
    shares = details.get("components", {}).get(label, {})
    letters = [(x, t, pct(shares.get(x))) for x, t in COMPONENTS if leader or x in "abc"]
    general, task = details.get("general_points", {}).get(label), details.get("task_points", {}).get(label)
    total = details.get("period_scores", {}).get(label)
    assessor = assessment.assessed_by_id if assessment else None
    return {"period": label, "label": period_label(label), "groups": groups,
            "own_total": num(sum(own.values(), Fraction(0))) if own else "", "components": letters,
            "general": score(general), "task": score(task), "score": score(total),
            "formula": "(a + b + c + d + đ + e) / 6 × 70" if leader else "(a + b + c) / 3 × 70",
            "assessor": db.session.get(type(user), assessor).full_name if assessor else ""}


def summary(row: YearlyClassification | None, details: dict) -> dict:
    """The yearly summary: per period general, task and total points and the period's
    band; the yearly score, the levels and the reasons (Vietnamese)."""
    periods = []
    for label, total in sorted(details.get("period_scores", {}).items()):
        level = details.get("period_levels", {}).get(label)
        periods.append({"label": period_label(label), "general": score(details.get("general_points", {}).get(label)),
                        "task": score(details.get("task_points", {}).get(label)), "score": score(total),
                        "level": level_name(level, "vi") if level else ""})
    if row is None:
        return {"periods": periods, "row": None}
    return {"periods": periods, "row": row, "score": score(row.score),
            "before": level_name(row.level_before_quota, "vi") if row.level_before_quota != "NOT_RATED" else "",
            "engine": _level(row.engine_level or row.level), "level": _level(row.level),
            "reasons": [r.get("vi", "") for r in row.reasons or ()],
            "approved": row.state == ClassificationState.APPROVED, "measures": details.get("measures", {})}


def _level(code: str) -> str:
    return "Chưa xếp loại" if code == "NOT_RATED" else level_name(code, "vi")


# Mẫu số 02, section I (FORMS.md Form 1): item numbers and labels in print order; 7–9 for leaders.
FORM02_ITEMS = [("1", "Chính trị tư tưởng"), ("2", "Đạo đức, lối sống"), ("3", "Tác phong, lề lối làm việc"),
                ("4", "Ý thức tổ chức kỷ luật"), ("5", "Kết quả thực hiện chức trách, nhiệm vụ được giao"),
                ("6", "Thái độ phục vụ nhân dân, doanh nghiệp")]
FORM02_LEADER_ITEMS = [("7", "Kết quả hoạt động của cơ quan, tổ chức, đơn vị được giao quản lý, phụ trách"),
                       ("8", "Năng lực lãnh đạo, quản lý"), ("9", "Năng lực tập hợp, đoàn kết")]
FOUR = ("EXCELLENT", "GOOD", "COMPLETED", "NOT_COMPLETED")


def uses_form02(user, year: int, profile: str | None) -> bool:
    """Mẫu số 02 is the civil servants' yearly sheet of Decree 90/2020 (rating years ≤ 2025)."""
    return year <= 2025 and user.staff_category.value == "civil_servant" and profile in (None, "nd90")


def is_deputy(user) -> bool:
    """A leader with another leader before them in the same unit (the deputy of its head)."""
    if not user.is_leader:
        return False
    from accounts.models import User

    first = db.session.scalars(select(User.id).where(User.agency_id == user.agency_id, User.is_leader)
                               .order_by(User.id)).first()
    return first is not None and first != user.id


def form02(user, year: int, row: YearlyClassification | None, hide_results: bool) -> dict:
    """The content of Mẫu số 02 for one person and year."""
    from classification.models import YearlyAssessment

    own = db.session.scalars(select(YearlyAssessment).where(YearlyAssessment.user_id == user.id,
                                                            YearlyAssessment.year == year)).first()
    texts = (own.items or {}) if own else {}
    deputy = is_deputy(user)
    result = None
    if row is not None and not hide_results:
        result = {"level": _level(row.level), "approved": row.state == ClassificationState.APPROVED,
                  "comment": row.decision_reason if row.changed_by_council else
                  (own.review_comment if own and not deputy else "")}
    reviewer = own.reviewed_by.full_name if own and own.reviewed_by else ""
    return {"items": [(n, t, texts.get(n, "")) for n, t in FORM02_ITEMS],
            "leader_items": [(n, t, texts.get(n, "")) for n, t in FORM02_LEADER_ITEMS] if user.is_leader else [],
            "self_comment": own.self_comment if own else "",
            "self_level": _level(own.self_level) if own and own.self_level else "",
            "levels": [level_name(code, "vi") for code in FOUR],
            "deputy": deputy, "review_comment": own.review_comment if own and deputy else "",
            "review_level": _level(own.review_level) if own and deputy and own.review_level else "",
            "reviewer": reviewer if deputy else "", "result": result}


def sheet_context(user, year: int, period: str | None = None, hide_results: bool = False) -> dict:
    row = db.session.scalars(select(YearlyClassification).where(YearlyClassification.user_id == user.id,
                                                                YearlyClassification.year == year)).first()
    profile = row.profile if row else None
    unit = user.agency.rating_unit()
    if uses_form02(user, year, profile) and period is None:
        return {"user": user, "year": year, "sheets": [], "summary": None, "profile": profile, "unit": unit,
                "superior": unit.parent, "today": date.today(), "form02": form02(user, year, row, hide_results)}
    if hide_results:
        row = None
    details = decode(row.details) if row and row.details else {}
    assessments = _assessments(user, year)
    labels = sorted(set(details.get("period_scores", {})) | {p for p, a in assessments.items() if a.self_points})
    if period is not None:
        labels = [p for p in labels if p == period]
    monthly = profile in POINT_PROFILES or (profile is None and year >= 2026)
    sheets = [period_sheet(user, p, assessments.get(p), details, user.is_leader) for p in labels] if monthly else []
    return {"user": user, "year": year, "sheets": sheets,
            "summary": None if period or hide_results else summary(row, details),
            "profile": profile, "unit": unit, "superior": unit.parent, "today": date.today(), "form02": None}


def render_html(user, year: int, period: str | None = None, hide_results: bool = False) -> str:
    return render_template("classification/sheet_pdf.html", **sheet_context(user, year, period, hide_results))


def render_pdf(user, year: int, period: str | None = None, hide_results: bool = False) -> bytes:
    """The person's sheets of ``year`` (or of one ``period``) as one A4 PDF."""
    if weasyprint_error() is not None:
        raise PdfUnavailable(weasyprint_error())
    from weasyprint import HTML

    return HTML(string=render_html(user, year, period, hide_results)).write_pdf()
