"""Small inline-SVG charts for the HTML reports: no JavaScript, no network, prints as vectors.

Each function returns one `<svg>` element sized by its viewBox, so it scales to the page width and
stays sharp on paper. Colours come from CSS classes where the page defines them, with fills given
inline as a fallback so a chart copied out of the page still reads.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")

_esc = html.escape


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def hbar_chart(rows: Sequence[tuple[str, float]], *, title: str, unit: str = "", width: int = 560,
               colour: str = "#dc2626", max_value: float | None = None) -> str:
    """Horizontal bars, one per (label, value), largest first as given."""
    if not rows:
        return f"<p class='empty'>{_esc(title)}: nothing to show.</p>"
    bar_h, gap, label_w, top = 20, 6, 190, 26
    h = top + len(rows) * (bar_h + gap) + 4
    vmax = max_value or max((v for _, v in rows), default=1.0) or 1.0
    plot_w = width - label_w - 60
    parts = [f"<svg class='chart' role='img' aria-label='{_esc(title)}' viewBox='0 0 {width} {h}' "
             f"xmlns='http://www.w3.org/2000/svg' font-family='sans-serif' font-size='12'>",
             f"<text x='0' y='16' font-weight='bold' font-size='13'>{_esc(title)}</text>"]
    for i, (label, v) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = max(1.0, plot_w * (v / vmax)) if v else 0.0
        parts.append(f"<text x='{label_w - 6}' y='{y + 14}' text-anchor='end'>{_esc(label)}</text>"
                     f"<rect x='{label_w}' y='{y}' width='{w:.1f}' height='{bar_h}' rx='3' fill='{colour}'>"
                     f"<title>{_esc(label)}: {_num(v)}{_esc(unit)}</title></rect>"
                     f"<text x='{label_w + w + 5:.1f}' y='{y + 14}'>{_num(v)}{_esc(unit)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def stacked_rate_chart(rows: Sequence[tuple[str, dict[str, int]]], *, title: str, order: Sequence[str],
                       colours: dict[str, str], width: int = 560) -> str:
    """One 100 % bar per row split by status (e.g. done / missed), with the done-rate printed."""
    if not rows:
        return f"<p class='empty'>{_esc(title)}: nothing to show.</p>"
    bar_h, gap, label_w, top = 22, 8, 190, 44
    h = top + len(rows) * (bar_h + gap) + 4
    plot_w = width - label_w - 60
    parts = [f"<svg class='chart' role='img' aria-label='{_esc(title)}' viewBox='0 0 {width} {h}' "
             f"xmlns='http://www.w3.org/2000/svg' font-family='sans-serif' font-size='12'>",
             f"<text x='0' y='16' font-weight='bold' font-size='13'>{_esc(title)}</text>"]
    lx = 0
    for st in order:  # legend
        parts.append(f"<rect x='{lx}' y='24' width='10' height='10' fill='{colours.get(st, '#999')}'/>"
                     f"<text x='{lx + 14}' y='33'>{_esc(st)}</text>")
        lx += 24 + 7 * len(st)
    for i, (label, counts) in enumerate(rows):
        y = top + i * (bar_h + gap)
        total = sum(counts.values()) or 1
        x = float(label_w)
        parts.append(f"<text x='{label_w - 6}' y='{y + 15}' text-anchor='end'>{_esc(label)}</text>")
        for st in order:
            n = counts.get(st, 0)
            if not n:
                continue
            w = plot_w * n / total
            parts.append(f"<rect x='{x:.1f}' y='{y}' width='{w:.1f}' height='{bar_h}' fill='{colours.get(st, '#999')}'>"
                         f"<title>{_esc(label)} {_esc(st)}: {n} of {total}</title></rect>")
            x += w
        done = counts.get(order[0], 0)
        assessed = sum(counts.get(s, 0) for s in order[:2]) or total
        parts.append(f"<text x='{label_w + plot_w + 5}' y='{y + 15}'>{round(100 * done / assessed)}%</text>")
    parts.append("</svg>")
    return "".join(parts)


def line_chart(series: dict[str, list[tuple[float, float]]], *, title: str, x_labels: list[tuple[float, str]],
               y_range: tuple[float, float] = (0, 100), width: int = 560, height: int = 240) -> str:
    """Lines (x, y) per series name, shared axes; `x_labels` are (x, text) ticks."""
    if not any(series.values()):
        return f"<p class='empty'>{_esc(title)}: nothing to show.</p>"
    left, right, top, bottom = 36, 110, 28, 28
    pw, ph = width - left - right, height - top - bottom
    xs = [x for pts in series.values() for x, _ in pts] + [x for x, _ in x_labels]
    x0, x1 = min(xs), max(xs)
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    y0, y1 = y_range

    def px(x: float) -> float:
        return left + pw * (x - x0) / (x1 - x0)

    def py(y: float) -> float:
        return top + ph * (1 - (y - y0) / ((y1 - y0) or 1))

    parts = [f"<svg class='chart' role='img' aria-label='{_esc(title)}' viewBox='0 0 {width} {height}' "
             f"xmlns='http://www.w3.org/2000/svg' font-family='sans-serif' font-size='11'>",
             f"<text x='0' y='16' font-weight='bold' font-size='13'>{_esc(title)}</text>"]
    for yv in range(int(y0), int(y1) + 1, 20 if y1 - y0 >= 60 else 10):
        parts.append(f"<line x1='{left}' x2='{left + pw}' y1='{py(yv):.1f}' y2='{py(yv):.1f}' stroke='#e5e7eb'/>"
                     f"<text x='{left - 4}' y='{py(yv) + 4:.1f}' text-anchor='end' fill='#555'>{yv}</text>")
    step = max(1, len(x_labels) // 8)
    for x, lab in x_labels[::step]:
        parts.append(f"<text x='{px(x):.1f}' y='{height - 8}' text-anchor='middle' fill='#555'>{_esc(lab)}</text>")
    for i, (name, pts) in enumerate(sorted(series.items())):
        c = PALETTE[i % len(PALETTE)]
        pts = sorted(pts)
        if len(pts) > 1:
            d = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
            parts.append(f"<polyline points='{d}' fill='none' stroke='{c}' stroke-width='2'/>")
        for x, y in pts:
            parts.append(f"<circle cx='{px(x):.1f}' cy='{py(y):.1f}' r='3.5' fill='{c}'>"
                         f"<title>{_esc(name)}: {_num(y)}</title></circle>")
        ly = top + 4 + i * 16
        parts.append(f"<rect x='{left + pw + 10}' y='{ly}' width='10' height='10' fill='{c}'/>"
                     f"<text x='{left + pw + 24}' y='{ly + 9}'>{_esc(name)}</text>")
    parts.append("</svg>")
    return "".join(parts)
