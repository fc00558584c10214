"""The landing page's picture and the link-preview card, drawn by ``descent`` at build time.

Four optimizers take 30 steps on the stretched bowl x²/20 + y² from (−7, 2), with the
learning rates *Deep Learning from Scratch* picked for them (the race chapter's first
experiment). The paths are computed by the package, so the picture cannot drift from the
book. Two files land in ``_static``:

- ``descent-cover.svg``: a small vector drawing for the landing page (a few kilobytes);
- ``descent-card.png``: 1200 × 630, the image a shared link shows (Open Graph).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SETTINGS = {"SGD": 0.95, "Momentum": 0.1, "AdaGrad": 1.5, "Adam": 0.3}
START, STEPS = (-7.0, 2.0), 30
XLIM, YLIM = (-8.0, 8.0), (-3.0, 3.0)
WIDTH, HEIGHT = 640, 260
LEVELS = (0.1, 0.5, 1.5, 3.0, 5.0, 8.0)


def paths() -> dict[str, np.ndarray]:
    import descent
    from descent.lab.objectives import bowl
    from descent.lab.runs import run

    return {
        name: run(getattr(descent, name)(lr=lr), bowl(), np.array(START), STEPS).points
        for name, lr in SETTINGS.items()
    }


def svg(runs: dict[str, np.ndarray]) -> str:
    from descent.book.plotting import STYLES

    def px(x, y):
        return (
            (x - XLIM[0]) / (XLIM[1] - XLIM[0]) * WIDTH,
            (YLIM[1] - y) / (YLIM[1] - YLIM[0]) * HEIGHT,
        )

    sx, sy = WIDTH / (XLIM[1] - XLIM[0]), HEIGHT / (YLIM[1] - YLIM[0])
    cx, cy = px(0, 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="t">',
        '<title id="t">SGD, Momentum, AdaGrad and Adam descending the stretched bowl '
        "x²/20 + y² from (−7, 2), 30 steps each</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
    ]
    for level in LEVELS:  # x²/20 + y² = level is an ellipse with half-axes √(20 c), √c
        parts.append(
            f'<ellipse cx="{cx:.1f}" cy="{cy:.1f}" rx="{np.sqrt(20 * level) * sx:.1f}" '
            f'ry="{np.sqrt(level) * sy:.1f}" fill="none" stroke="#c9ced6" stroke-width="1"/>'
        )
    parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="#444"/>')
    for row, (name, points) in enumerate(runs.items()):
        colour = STYLES[name]["color"]
        inside = points[(np.abs(points[:, 0]) <= XLIM[1]) & (np.abs(points[:, 1]) <= YLIM[1])]
        coords = " ".join("{:.1f},{:.1f}".format(*px(x, y)) for x, y in inside)
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2" '
            'stroke-linejoin="round"/>'
        )
        parts += [
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="{colour}"/>'
            for x, y in (px(*p) for p in inside)
        ]
        lx, ly = WIDTH - 175, 30 + 30 * row
        parts.append(
            f'<line x1="{lx}" y1="{ly - 5}" x2="{lx + 22}" y2="{ly - 5}" stroke="{colour}" '
            f'stroke-width="3"/><text x="{lx + 30}" y="{ly}" font-family="sans-serif" '
            f'font-size="24" fill="#222">{name}</text>'
        )
    sx0, sy0 = px(*START)
    parts.append(
        f'<text x="{sx0 - 4:.1f}" y="{sy0 - 10:.1f}" font-family="sans-serif" font-size="22" '
        'fill="#444">start</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def card(runs: dict[str, np.ndarray], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from descent.book.plotting import STYLES

    fig = plt.figure(figsize=(12, 6.3), dpi=100)
    fig.text(0.05, 0.86, "Descent", fontsize=44, weight="bold", color="#1559c4")
    fig.text(0.05, 0.77, "Neural-network optimizers from SGD to Adam:", fontsize=22)
    fig.text(0.05, 0.71, "derived, coded, tested and run", fontsize=22)
    ax = fig.add_axes((0.05, 0.05, 0.9, 0.6))
    x, y = np.meshgrid(np.linspace(*XLIM, 300), np.linspace(*YLIM, 200))
    ax.contour(x, y, x**2 / 20 + y**2, levels=LEVELS, colors="#c9ced6", linewidths=1)
    for name, points in runs.items():
        ax.plot(*points.T, "-o", ms=4, lw=2, color=STYLES[name]["color"], label=name)
    ax.plot(0, 0, "o", color="#444")
    ax.set(xlim=XLIM, ylim=YLIM, xticks=[], yticks=[])
    ax.set_frame_on(False)
    ax.legend(loc="upper right", fontsize=16, frameon=False)
    fig.savefig(target, dpi=100)
    plt.close(fig)


def write_pictures(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(exist_ok=True)
    runs = paths()
    (static / "descent-cover.svg").write_text(svg(runs), encoding="utf-8")
    card(runs, static / "descent-card.png")


def setup(app):
    app.connect("build-finished", write_pictures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
