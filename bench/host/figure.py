# SPDX-License-Identifier: GPL-2.0
"""The benchmark's picture: box plots of the round trip and the wake-up latency, Rust beside C
for each wait variant, one panel per scenario and placement, as a self-contained SVG."""

from html import escape

import stats

COLOURS = {"rust": "#d9622b", "c": "#3b6ea8"}
PANEL_W, PANEL_H = 470, 250
MARGIN_L, MARGIN_T, MARGIN_B = 60, 34, 46


def box_stats(values, whiskers):
    low, high = whiskers
    return {
        "lo": stats.quantile(values, low),
        "q1": stats.quantile(values, 0.25),
        "med": stats.median(values),
        "q3": stats.quantile(values, 0.75),
        "hi": stats.quantile(values, high),
    }


def nice_top(value):
    """A round axis maximum above `value`."""
    if value <= 0:
        return 1
    step = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if factor * step >= value:
            return factor * step
    return 10 * step


def panel(x0, y0, title, unit, groups, variants):
    """groups: {variant: {lang: box}}."""
    out = []
    top = nice_top(max((b["hi"] for g in groups.values() for b in g.values()), default=1) * 1.05)
    plot_w = PANEL_W - MARGIN_L - 10
    plot_h = PANEL_H - MARGIN_T - MARGIN_B

    def y(v):
        return y0 + MARGIN_T + plot_h * (1 - v / top)

    out.append(
        f'<text x="{x0 + PANEL_W / 2}" y="{y0 + 18}" text-anchor="middle" font-weight="bold">{escape(title)}</text>'
    )
    for i in range(6):
        v = top * i / 5
        out.append(
            f'<line x1="{x0 + MARGIN_L}" x2="{x0 + MARGIN_L + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
        )
        out.append(f'<text x="{x0 + MARGIN_L - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
    out.append(
        f'<text transform="translate({x0 + 14},{y0 + MARGIN_T + plot_h / 2}) rotate(-90)" text-anchor="middle">{escape(unit)}</text>'
    )
    slot = plot_w / len(variants)
    for i, variant in enumerate(variants):
        cx = x0 + MARGIN_L + slot * (i + 0.5)
        out.append(
            f'<text x="{cx:.1f}" y="{y0 + PANEL_H - MARGIN_B + 18}" text-anchor="middle">{escape(variant)}</text>'
        )
        for j, lang in enumerate(("rust", "c")):
            box = groups.get(variant, {}).get(lang)
            if not box:
                continue
            bx = cx + (j - 1) * slot * 0.32 + slot * 0.02
            bw = slot * 0.28
            mid = bx + bw / 2
            colour = COLOURS[lang]
            out.append(
                f'<line x1="{mid:.1f}" x2="{mid:.1f}" y1="{y(box["lo"]):.1f}" y2="{y(box["hi"]):.1f}" stroke="{colour}"/>'
            )
            for w in ("lo", "hi"):
                out.append(
                    f'<line x1="{mid - bw / 4:.1f}" x2="{mid + bw / 4:.1f}" y1="{y(box[w]):.1f}" y2="{y(box[w]):.1f}" stroke="{colour}"/>'
                )
            out.append(
                f'<rect x="{bx:.1f}" y="{y(box["q3"]):.1f}" width="{bw:.1f}" height="{max(y(box["q1"]) - y(box["q3"]), 0.5):.1f}" fill="{colour}" fill-opacity="0.35" stroke="{colour}"/>'
            )
            out.append(
                f'<line x1="{bx:.1f}" x2="{bx + bw:.1f}" y1="{y(box["med"]):.1f}" y2="{y(box["med"]):.1f}" stroke="{colour}" stroke-width="2.5"/>'
            )
    return out


def svg(title, caption, panels, variants):
    """panels: list of rows, each a list of (title, unit, groups)."""
    rows = len(panels)
    cols = max(len(r) for r in panels)
    width = cols * PANEL_W
    height = rows * PANEL_H + 70
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for r, row in enumerate(panels):
        for c, (ptitle, unit, groups) in enumerate(row):
            out += panel(c * PANEL_W, 28 + r * PANEL_H, ptitle, unit, groups, variants)
    legend_y = height - 30
    for i, (lang, name) in enumerate((("rust", "Rust (kwait)"), ("c", "C (wait.h macros)"))):
        x = 20 + i * 170
        out.append(
            f'<rect x="{x}" y="{legend_y - 10}" width="14" height="12" fill="{COLOURS[lang]}" fill-opacity="0.35" stroke="{COLOURS[lang]}"/>'
        )
        out.append(f'<text x="{x + 20}" y="{legend_y}">{name}</text>')
    out.append(f'<text x="20" y="{height - 10}" font-size="11">{escape(caption)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
