"""The scaling chart: seconds and peak memory against input size, one line per tool, as a
self-contained SVG (no plotting library needed). On log-log axes a tool whose time is
linear in its input runs parallel to the dashed slope-1 guide; flat memory is a flat line."""
import math
from html import escape

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"]
W, H = 440, 320          # one panel
LEFT, RIGHT, TOP, BOTTOM = 60, 15, 40, 45


def _log_ticks(low, high):
    ticks, value = [], 10 ** math.floor(math.log10(low))
    while value <= high * 1.0001:
        if value >= low / 1.0001:
            ticks.append(value)
        value *= 10
    return ticks


def _fmt(value):
    return f"{value:g}" if value < 1000 else f"{value / 1000:g}k"


def _panel(x0, title, series, ylabel, ylog, guides=()):
    xs = [p[0] for points in series.values() for p in points]
    ys = [p[1] for points in series.values() for p in points]
    xlow, xhigh = min(xs) / 1.5, max(xs) * 1.5
    if ylog:
        ylow, yhigh = min(ys) / 2, max(ys) * 2
    else:
        ylow, yhigh = 0, max([max(ys), *(value for value, _ in guides)]) * 1.15
    fx = lambda x: x0 + LEFT + (math.log10(x) - math.log10(xlow)) / (math.log10(xhigh) - math.log10(xlow)) * (W - LEFT - RIGHT)
    if ylog:
        fy = lambda y: TOP + (1 - (math.log10(y) - math.log10(ylow)) / (math.log10(yhigh) - math.log10(ylow))) * (H - TOP - BOTTOM)
    else:
        fy = lambda y: TOP + (1 - (y - ylow) / (yhigh - ylow)) * (H - TOP - BOTTOM)
    out = [f'<text x="{x0 + W / 2}" y="20" text-anchor="middle" font-weight="bold">{escape(title)}</text>',
           f'<rect x="{x0 + LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}" fill="none" stroke="#999"/>']
    for x in _log_ticks(xlow, xhigh):
        out.append(f'<line x1="{fx(x):.1f}" y1="{TOP}" x2="{fx(x):.1f}" y2="{H - BOTTOM}" stroke="#eee"/>')
        out.append(f'<text x="{fx(x):.1f}" y="{H - BOTTOM + 15}" text-anchor="middle" font-size="11">{_fmt(x)}</text>')
    if ylog:
        yticks = _log_ticks(ylow, yhigh)
    else:
        step = next(step for step in (5, 10, 20, 25, 50, 100, 200, 500) if yhigh / step <= 6)
        yticks = [step * i for i in range(int(yhigh // step) + 1)]
    for y in yticks:
        out.append(f'<line x1="{x0 + LEFT}" y1="{fy(y):.1f}" x2="{x0 + W - RIGHT}" y2="{fy(y):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{x0 + LEFT - 5}" y="{fy(y) + 4:.1f}" text-anchor="end" font-size="11">{_fmt(round(y, 1))}</text>')
    out.append(f'<text x="{x0 + W / 2}" y="{H - 8}" text-anchor="middle" font-size="12">input MB (log)</text>')
    out.append(f'<text x="{x0 + 14}" y="{H / 2}" text-anchor="middle" font-size="12" '
               f'transform="rotate(-90 {x0 + 14} {H / 2})">{escape(ylabel)}</text>')
    if ylog:  # slope 1 through the first tool's first point: where linear time lies
        first = next(iter(series.values()))[0]
        a, b = xlow, xhigh
        out.append(f'<line x1="{fx(a):.1f}" y1="{fy(max(ylow, first[1] * a / first[0])):.1f}" x2="{fx(b):.1f}" '
                   f'y2="{fy(min(yhigh, first[1] * b / first[0])):.1f}" stroke="#999" stroke-dasharray="4 3"/>')
    for value, label in guides:
        out.append(f'<line x1="{x0 + LEFT}" y1="{fy(value):.1f}" x2="{x0 + W - RIGHT}" y2="{fy(value):.1f}" '
                   f'stroke="#d62728" stroke-dasharray="6 3"/>')
        out.append(f'<text x="{x0 + W - RIGHT - 4}" y="{fy(value) - 4:.1f}" text-anchor="end" font-size="11" '
                   f'fill="#d62728">{escape(label)}</text>')
    for color, (name, points) in zip(COLORS, series.items()):
        path = " ".join(f"{fx(x):.1f},{fy(y):.1f}" for x, y in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        out += [f'<circle cx="{fx(x):.1f}" cy="{fy(y):.1f}" r="3" fill="{color}"/>' for x, y in points]
    return out


def svg(tools, title):
    """tools: {name: [{'bytes':..., 'seconds':..., 'peak_mb':...}, ...]} ordered by size."""
    seconds = {name: [(p["bytes"] / 1e6, p["seconds"]) for p in points] for name, points in tools.items()}
    memory = {name: [(p["bytes"] / 1e6, p["peak_mb"]) for p in points] for name, points in tools.items()}
    legend_height = 18 * ((len(tools) + 2) // 3) + 10
    height = H + legend_height + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{height}" '
             f'font-family="sans-serif" font-size="13">',
             f'<rect width="100%" height="100%" fill="white"/>',
             f'<text x="{W}" y="{height - 8}" text-anchor="middle" font-size="11" fill="#555">{escape(title)}</text>']
    parts += _panel(0, "Time (dashed: linear in size)", seconds, "seconds (log)", ylog=True)
    parts += _panel(W, "Peak memory", memory, "peak MB", ylog=False,
                    guides=[(50, "50 MB: readers, writers, transforms"), (100, "100 MB: eid-load")])
    for i, name in enumerate(tools):
        x, y = 20 + (i % 3) * 290, H + 15 + (i // 3) * 18
        parts.append(f'<rect x="{x}" y="{y - 9}" width="14" height="4" fill="{COLORS[i % len(COLORS)]}"/>')
        parts.append(f'<text x="{x + 20}" y="{y - 3}" font-size="12">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
