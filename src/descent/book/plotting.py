"""Plots for the book: contours with trajectories, loss curves and seed bands.

Every function draws on an ``Axes`` it is given and returns it; nothing here
touches matplotlib's global state. Each optimizer has one colour and one marker
throughout the book (:data:`STYLES`), taken from the Okabe–Ito palette, which
stays distinguishable for the common forms of colour blindness.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> from descent.lab.objectives import bowl
>>> fig, ax = plt.subplots()
>>> ax = plot_contours(ax, bowl(), xlim=(-10, 10), ylim=(-3, 3))
>>> plt.close(fig)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from descent.base import Optimizer

__all__ = [
    "BOOK_STYLE",
    "STYLES",
    "label",
    "plot_band",
    "plot_contours",
    "plot_losses",
    "plot_trajectory",
    "style",
]

# Okabe & Ito (2008), "Color universal design". Yellow is left out: too faint on white.
STYLES: dict[str, dict[str, str]] = {
    "SGD": {"color": "#000000", "marker": "o"},
    "Momentum": {"color": "#E69F00", "marker": "s"},
    "Nesterov": {"color": "#D55E00", "marker": "D"},
    "AdaGrad": {"color": "#009E73", "marker": "^"},
    "RMSProp": {"color": "#56B4E9", "marker": "v"},
    "Adam": {"color": "#0072B2", "marker": "P"},
    "AMSGrad": {"color": "#0072B2", "marker": "X", "linestyle": "--"},
    "AdamW": {"color": "#CC79A7", "marker": "*"},
    # Part IV: Okabe–Ito has no colour left, so these come from Paul Tol's "muted"
    # scheme, which is also colour-blind safe.
    "Lion": {"color": "#999933", "marker": "p"},
    "Muon": {"color": "#882255", "marker": "h"},
    "ScheduleFreeAdamW": {"color": "#CC6677", "marker": "d"},
}
"""Colour, marker (and line style) of each optimizer, the same in every figure."""


BOOK_STYLE: dict[str, object] = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 120,
    "figure.constrained_layout.use": True,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "lines.linewidth": 1.5,
}
"""The book's matplotlib settings, applied with ``plt.style.use(BOOK_STYLE)`` in a chapter."""


def label(optimizer: Optimizer | str) -> str:
    """An optimizer's name in legends: its class, or "AMSGrad" for ``Adam(amsgrad=True)``."""
    if isinstance(optimizer, str):
        return optimizer
    # A variant such as FastAdam goes by the algorithm it implements.
    name = next(
        (cls.__name__ for cls in type(optimizer).__mro__ if cls.__name__ in STYLES),
        type(optimizer).__name__,
    )
    return "AMSGrad" if name == "Adam" and optimizer.amsgrad else name


def style(optimizer: Optimizer | str) -> dict[str, str]:
    """Keyword arguments for ``ax.plot`` that give an optimizer its book-wide look."""
    name = label(optimizer)
    if name not in STYLES:
        raise KeyError(f"style: no style for {name!r}; known: {', '.join(STYLES)}")
    return dict(STYLES[name])


def plot_contours(
    ax: Axes,
    objective,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    *,
    levels: int | Sequence[float] = 20,
    log_levels: bool = False,
    resolution: int = 200,
    mark_minimizers: bool = True,
) -> Axes:
    """Contour lines of ``objective`` over a rectangle, with its minimisers marked.

    ``log_levels=True`` spaces the levels geometrically between the smallest and
    the largest value on the grid: right for valleys such as Rosenbrock's.
    """
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    values = objective.value(grid)
    if log_levels:
        if not isinstance(levels, int):
            raise ValueError("plot_contours: with log_levels=True, levels must be a count")
        shift = values.min() - 1e-3 * np.ptp(values) if values.min() <= 0 else 0.0
        low, high = np.log10(values.min() - shift), np.log10(values.max() - shift)
        levels = shift + np.logspace(low, high, levels)
    ax.contour(xs, ys, values, levels=levels, colors="0.65", linewidths=0.7)
    if mark_minimizers:
        for point in objective.minimizers:
            ax.plot(
                *point,
                marker="*",
                markersize=13,
                color="#F0E442",
                markeredgecolor="black",
                linestyle="none",
                zorder=5,
            )
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    return ax


def plot_trajectory(
    ax: Axes,
    points: np.ndarray,
    optimizer: Optimizer | str,
    *,
    label_text: str | None = None,
    markevery: int = 1,
    **kwargs,
) -> Axes:
    """Draw a 2-D path ``points`` (shape (n, 2)) in the optimizer's colour, start marked."""
    look = {"markersize": 4, "linewidth": 1.3} | style(optimizer) | kwargs
    points = np.asarray(points)
    ax.plot(
        points[:, 0],
        points[:, 1],
        label=label_text or label(optimizer),
        markevery=markevery,
        **look,
    )
    ax.plot(
        *points[0],
        marker="o",
        markersize=7,
        color="white",
        markeredgecolor="black",
        linestyle="none",
        zorder=4,
    )
    return ax


def plot_losses(
    ax: Axes,
    losses: np.ndarray,
    optimizer: Optimizer | str,
    *,
    label_text: str | None = None,
    logy: bool = True,
    xlabel: str = "step",
    ylabel: str = "loss",
    **kwargs,
) -> Axes:
    """A loss curve in the optimizer's colour, on a log scale by default."""
    look = style(optimizer) | {"marker": None} | kwargs
    ax.plot(np.arange(len(losses)), losses, label=label_text or label(optimizer), **look)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def plot_band(
    ax: Axes,
    x: np.ndarray,
    runs: np.ndarray,
    optimizer: Optimizer | str,
    *,
    label_text: str | None = None,
) -> Axes:
    """Mean over seeds with a band of ± one standard deviation.

    ``runs`` has shape (n_seeds, len(x)); the deviation is the population one
    (``ddof=0``), describing the seeds that were run.
    """
    runs = np.asarray(runs)
    mean, std = runs.mean(axis=0), runs.std(axis=0)
    look = style(optimizer)
    ax.plot(
        x,
        mean,
        color=look["color"],
        linestyle=look.get("linestyle", "-"),
        label=label_text or label(optimizer),
    )
    ax.fill_between(x, mean - std, mean + std, color=look["color"], alpha=0.2, linewidth=0)
    return ax
