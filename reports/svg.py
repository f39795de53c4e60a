"""Charts drawn on the server as inline SVG (no JavaScript library; the CSP allows no
third-party script). Each chart carries a <title> and <desc> for screen readers, and every
page shows the same numbers in a table beside it.
"""
from markupsafe import Markup, escape

NAVY, RED, GREEN, GREY, GRID = "#1F3A68", "#C62828", "#2E7D32", "#8a94a6", "#d5dbe5"


def _fmt(value: float, decimal: str) -> str:
    return f"{value:.1f}".replace(".", decimal)


def histogram(counts, pass_percent: float | None, *, chart_id: str, title: str, desc: str,
              decimal: str = ",", pass_label: str = "") -> Markup:
    """Vertical bars for ``counts`` over equal bins of 0–100 %, with the pass mark as a
    dashed red line; bars at or above the pass mark are navy, below it grey."""
    width, height, left, bottom, top = 640, 260, 40, 34, 16
    plot_w, plot_h = width - left - 10, height - bottom - top
    bins = len(counts)
    peak = max(max(counts, default=0), 1)
    step = _nice_step(peak)
    ceiling = step * -(-peak // step)
    parts = [_open(chart_id, width, height, title, desc)]
    for tick in range(0, ceiling + 1, step):
        y = top + plot_h - tick / ceiling * plot_h
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#5a6374">{tick}</text>')
    bar_w = plot_w / bins
    for i, count in enumerate(counts):
        lo = 100 * i / bins
        h = count / ceiling * plot_h
        x, y = left + i * bar_w, top + plot_h - h
        colour = NAVY if pass_percent is None or lo >= pass_percent else GREY
        parts.append(f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" fill="{colour}">'
                     f'<title>{lo:.0f}–{lo + 100 / bins:.0f} %: {count}</title></rect>')
        if count:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="11">{count}</text>')
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 14}" text-anchor="middle" font-size="11" '
                     f'fill="#5a6374">{lo:.0f}</text>')
    parts.append(f'<text x="{width - 10}" y="{height - bottom + 14}" text-anchor="end" font-size="11" fill="#5a6374">100 %</text>')
    if pass_percent is not None:
        x = left + pass_percent / 100 * plot_w
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{top + plot_h}" stroke="{RED}" '
                     f'stroke-width="2" stroke-dasharray="5 3"/>'
                     f'<text x="{x + 4:.1f}" y="{top + 6}" font-size="11" fill="{RED}">{escape(pass_label)}</text>')
    parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#5a6374"/></svg>')
    return Markup("".join(parts))


def bars(rows, *, chart_id: str, title: str, desc: str, marker: float | None = None, decimal: str = ",",
         marker_label: str = "") -> Markup:
    """Horizontal bars, one per ``(label, percent or None)`` row, on a 0–100 % scale; an
    optional ``marker`` (the pass mark) as a dashed red line."""
    rows = list(rows)
    label_w, row_h, top = 260, 26, 8
    width, plot_w = 640, 640 - 260 - 60
    height = top + row_h * len(rows) + 22
    parts = [_open(chart_id, width, height, title, desc)]
    for tick in (0, 25, 50, 75, 100):
        x = label_w + tick / 100 * plot_w
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - 20}" stroke="{GRID}"/>'
                     f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" font-size="11" fill="#5a6374">{tick}</text>')
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        short = label if len(label) <= 40 else "…" + label[-39:]
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="12">'
                     f'<title>{escape(label)}</title>{escape(short)}</text>')
        if value is None:
            parts.append(f'<text x="{label_w + 4}" y="{y + 17}" font-size="12" fill="#5a6374">—</text>')
            continue
        w = max(value, 0) / 100 * plot_w
        colour = NAVY if marker is None or value >= marker else RED
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{w:.1f}" height="{row_h - 10}" fill="{colour}">'
                     f'<title>{escape(label)}: {_fmt(value, decimal)} %</title></rect>'
                     f'<text x="{label_w + w + 4:.1f}" y="{y + 17}" font-size="11">{_fmt(value, decimal)}</text>')
    if marker is not None:
        x = label_w + marker / 100 * plot_w
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - 20}" stroke="{RED}" stroke-width="2" '
                     f'stroke-dasharray="5 3"><title>{escape(marker_label)}</title></line>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> str:
    cid = escape(chart_id)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="100%" '
            f'style="max-width:{width}px;height:auto" role="img" aria-labelledby="{cid}-t {cid}-d" '
            f'font-family="inherit"><title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>')


def _nice_step(peak: int) -> int:
    """A gridline step giving at most about five lines: 1, 2, 5, 10, 20, 50 …"""
    step = 1
    while peak / step > 5:
        for factor in (2, 2.5, 2):
            step = int(step * factor)
            if peak / step <= 5:
                break
    return step
