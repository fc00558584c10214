r"""Explorers a reader can grab: runs computed live in the page, the same runs as ``descent``.

An explorer is a figure in a static web page that the reader moves: sliders for the
hyperparameters, a start point to drag on the contour plot (or to move with the arrow
keys), play and step buttons. The page computes every run itself with ``descent.js``, a
line-for-line JavaScript port of the optimizers and test functions of this package,
drawn by ``explorer.js``; there is no kernel, no network and no precomputed table. A
browser test runs the port against :func:`descent.lab.runs.run` on hundreds of random
settings and requires the same trajectories to 1e-9.

Three kinds, each a class with the same notebook behaviour:

* :class:`Explorer`: optimizers on a surface (``"bowl"``, ``"rotated"``,
  ``"rosenbrock"``, ``"beale"``, ``"saddle"`` or a 1-D :func:`line`); sliders set a
  hyperparameter of every optimizer or scale each one's own value (the race's shared
  learning-rate multiplier); the start point can be dragged.
* :func:`sgd_threshold`: an :class:`Explorer` of SGD on :math:`f = (L/2)x^2` and on the
  bowl that shows the factor :math:`1 - \eta\lambda` of every curvature live.
* :class:`MomentumMap`: the convergence map of the heavy ball over :math:`(\eta, \mu)`
  on a quadratic, computed in the page; a point clicked or dragged on the map runs that
  setting beside it.

In a notebook an explorer shows its page version (``text/html``) and a static figure of
its starting setting (``image/png``) for the PDF and other formats that cannot run scripts.

>>> from descent import Momentum
>>> explorer = Explorer(
...     [Contender(Momentum, {"lr": 0.1, "momentum": 0.9})],
...     sliders=[Slider("lr", "learning rate η", (0.01, 2.0), initial=0.1)],
...     surfaces=["bowl"], n_steps=5, title="Momentum on the bowl")
>>> explorer.spec["contenders"][0]["settings"]
{'lr': 0.1, 'momentum': 0.9}
>>> grid = explorer.sliders[0].grid()
>>> len(grid) > 100, grid[0], grid[-1], 0.1 in grid
(True, 0.01, 2.0, True)
"""

from __future__ import annotations

import base64
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

import descent
from descent.base import Optimizer
from descent.book.plotting import label, plot_contours, plot_losses, plot_trajectory, style
from descent.lab.objectives import (
    Beale,
    Quadratic,
    Rosenbrock,
    Saddle,
    bowl,
    rotated_bowl,
    rotation,
)
from descent.lab.runs import Trajectory, run

__all__ = [
    "PORTED",
    "SCALES",
    "SURFACES",
    "Contender",
    "Explorer",
    "MomentumMap",
    "Slider",
    "SurfaceView",
    "describe_objective",
    "describe_optimizer",
    "line",
    "page_script",
    "sgd_threshold",
]

PORTED = (
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSProp",
    "Adam",
    "AdamW",
    "Lion",
    "ScheduleFreeAdamW",
)
"""The optimizers ``descent.js`` ports, by class name: the ones an explorer can show."""

SCRIPTS = ("descent.js", "explorer.js")
"""The scripts every explorer carries, in order: the math, then the drawing."""


# -- what the page computes with, described as data ------------------------------------


def describe_objective(objective) -> dict:
    """The JSON description from which ``descent.js`` rebuilds ``objective``.

    >>> describe_objective(bowl())
    {'kind': 'Quadratic', 'hessian': [[0.1, 0.0], [0.0, 2.0]]}
    """
    if isinstance(objective, Quadratic):
        return {"kind": "Quadratic", "hessian": objective.hessian.tolist()}
    if isinstance(objective, Rosenbrock):
        return {"kind": "Rosenbrock", "a": objective.a, "b": objective.b}
    if isinstance(objective, Beale):
        return {"kind": "Beale"}
    if isinstance(objective, Saddle):
        return {"kind": "Saddle"}
    raise ValueError(
        f"describe_objective: descent.js has no port of {type(objective).__name__}; "
        "it knows Quadratic, Rosenbrock, Beale and Saddle"
    )


def describe_optimizer(optimizer: Optimizer) -> dict:
    """The JSON description from which ``descent.js`` rebuilds a fresh ``optimizer``.

    >>> describe_optimizer(descent.Adam(lr=0.3))
    {'optimizer': 'Adam', 'settings': {'lr': 0.3, 'beta1': 0.9, 'beta2': 0.999, 'eps': 1e-08, 'amsgrad': False}}
    """  # noqa: E501
    name = type(optimizer).__name__
    if name not in PORTED:
        raise ValueError(
            f"describe_optimizer: descent.js has no port of {name}; it has {', '.join(PORTED)}"
        )
    return {"optimizer": name, "settings": optimizer.hyperparams}


# -- surfaces ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SurfaceView:
    """A test function with the start point and the window an explorer shows it in.

    A surface with a one-coordinate ``start`` is a curve: the page draws :math:`f(x)`
    over ``xlim`` and the iterates on it; ``ylim`` is then the range of :math:`f` shown.
    """

    label: str
    objective: object
    start: tuple[float, ...]
    xlim: tuple[float, float]
    ylim: tuple[float, float]

    @property
    def dim(self) -> int:
        return len(self.start)

    @property
    def offset(self) -> float:
        """The smallest value of the function, which loss plots subtract."""
        return float(getattr(self.objective, "min_value", 0.0))

    def grid_values(self, resolution: int = 120) -> np.ndarray:
        """The function on a grid over the window (a row of values for a curve)."""
        xs = np.linspace(*self.xlim, resolution)
        if self.dim == 1:
            return np.asarray(self.objective.value(xs[:, None]))
        ys = np.linspace(*self.ylim, resolution)
        return np.asarray(self.objective.value(np.stack(np.meshgrid(xs, ys), axis=-1)))


def _turned_start() -> tuple[float, float]:
    """(−7, 2) turned by 45° with the bowl, so both bowls pose the same problem."""
    x, y = rotation(45) @ np.array([-7.0, 2.0])
    return (float(x), float(y))


def line(L: float = 2.0, start: float = 2.0, half_width: float = 3.0) -> SurfaceView:
    r"""The 1-D quadratic :math:`f(x) = (L/2)\,x^2`, on which SGD multiplies x by 1 − ηL.

    >>> view = line(2.0)
    >>> view.objective.value(np.array([3.0])), view.start
    (9.0, (2.0,))
    """
    top = L / 2 * half_width**2
    return SurfaceView(
        f"f(x) = (L/2)x², L = {L:g}",
        Quadratic([[L]], name="line"),
        (float(start),),
        (-half_width, half_width),
        (-0.05 * top, 1.05 * top),
    )


SURFACES: dict[str, SurfaceView] = {
    "bowl": SurfaceView("bowl x²/20 + y²", bowl(), (-7.0, 2.0), (-10.0, 10.0), (-4.0, 4.0)),
    "rotated": SurfaceView(
        "the bowl turned by 45°", rotated_bowl(45), _turned_start(), (-10.0, 10.0), (-8.0, 8.0)
    ),
    "rosenbrock": SurfaceView(
        "Rosenbrock (1 − x)² + 100(y − x²)²", Rosenbrock(), (-1.5, 2.0), (-2.0, 2.0), (-1.0, 3.0)
    ),
    "beale": SurfaceView("Beale's function", Beale(), (1.0, 1.5), (-4.5, 4.5), (-3.0, 3.0)),
    "saddle": SurfaceView(
        "the saddle x²/2 + y⁴/4 − y²/2", Saddle(), (1.0, 1e-3), (-1.5, 1.5), (-1.5, 1.5)
    ),
    "line": line(2.0),
}
"""The surfaces an explorer can offer, by key; the start of the rotated bowl is turned too."""


def _view(surface: str | SurfaceView) -> SurfaceView:
    if isinstance(surface, SurfaceView):
        return surface
    if surface not in SURFACES:
        raise ValueError(f"Explorer: no surface {surface!r}; known: {', '.join(SURFACES)}")
    return SURFACES[surface]


def _surface_spec(view: SurfaceView, key: str) -> dict:
    values = view.grid_values() - view.offset
    top = float(values.max())
    # the loss axis: whole decades, from the top of the window down twelve decades
    high = math.ceil(math.log10(top))
    spec = {
        "key": key,
        "label": view.label,
        "objective": describe_objective(view.objective),
        "dim": view.dim,
        "start": list(map(float, view.start)),
        "xlim": list(map(float, view.xlim)),
        "ylim": list(map(float, view.ylim)),
        "minimizers": [list(map(float, p)) for p in view.objective.minimizers],
        "offset": view.offset,
        "loss_range": [high - 12, high],
        "curvatures": (
            [float(c) for c in view.objective.eigenvalues]
            if isinstance(view.objective, Quadratic)
            else None
        ),
    }
    if view.dim == 2:
        # contour levels, geometric between a thousandth of the top and the top
        low = max(float(values.min()), 1e-3 * top)
        levels = np.geomspace(low, top, 16)[1:-1] + view.offset
        spec["levels"] = [float(f"{v:.4g}") for v in levels]
    return spec


# -- contenders and sliders ------------------------------------------------------------


@dataclass(frozen=True)
class Contender:
    """One optimizer in an explorer: its class and its settings before any slider acts.

    Its name (legend, colour, marker) is the class's, or ``"AMSGrad"`` for
    ``Adam`` with ``amsgrad=True``; ``label`` overrides it.
    """

    optimizer: type[Optimizer]
    settings: Mapping[str, float] = field(default_factory=dict)
    label: str | None = None

    @property
    def name(self) -> str:
        return self.label or label(self.optimizer(**self.settings))


def _round(value: float, digits: int = 3) -> float:
    return float(f"{value:.{digits}g}")


def _nice_step(span: float, at_least: int = 100) -> float:
    """The largest of 1, 2, 5 × 10^k that cuts ``span`` into ``at_least`` pieces or more."""
    exponent = math.floor(math.log10(span / at_least))
    return max(f * 10.0**exponent for f in (1, 2, 5) if f * 10.0**exponent <= span / at_least)


SCALES = ("linear", "log", "log(1-x)")
"""The spacings a slider's grid can have (even in x, in log x, or in log(1 − x))."""


@dataclass(frozen=True)
class Slider:
    """A control over one hyperparameter, moving through a fine grid of values.

    The range runs from ``min`` to ``max`` (by default the smallest and largest of
    ``values``). With ``step``, the grid is ``min``, ``min + step``, ... Otherwise it is
    fine, and ``scale`` (one of :data:`SCALES`) says how it is spaced: ``"log"`` gives
    sixty values per decade (the default for a positive range over a factor of ten or
    more, such as learning rates); ``"log(1-x)"`` gives sixty per decade of
    :math:`1 - x` (the default for a range in [0, 1) whose distance to 1 shrinks
    tenfold or more, such as β₂ from 0.9 to 0.999, so that 0.99 and 0.999 are as far
    apart as 0.9 and 0.99); ``"linear"`` steps by a round number, a hundredth of the range
    or a little less. Fine values have three significant digits (of :math:`1 - x` for
    ``"log(1-x)"``), so that every setting the page shows can be typed back into Python.
    ``values`` and ``initial`` are always on the grid.

    The slider sets ``settings[name]`` of every contender to its value, or, with
    ``scales=True``, multiplies each contender's own ``settings[name]`` by it (a shared
    learning-rate multiplier for optimizers whose learning rates differ).
    """

    name: str
    label: str
    values: Sequence[float] = ()
    initial: float | None = None
    scales: bool = False
    min: float | None = None
    max: float | None = None
    step: float | None = None
    scale: str | None = None

    def __post_init__(self):
        if self.min is None and not self.values:
            raise ValueError(f"Slider {self.name!r}: give values or min and max")
        low, high = self.bounds
        if not low < high:
            raise ValueError(f"Slider {self.name!r}: min {low} must be below max {high}")
        if self.initial is None:
            raise ValueError(f"Slider {self.name!r}: initial is missing")
        if not low <= self.initial <= high:
            raise ValueError(
                f"Slider {self.name!r}: initial {self.initial} is outside [{low}, {high}]"
            )
        if self.scale is not None and self.scale not in SCALES:
            raise ValueError(
                f"Slider {self.name!r}: scale must be one of {SCALES}, got {self.scale!r}"
            )
        if self.spacing == "log" and low <= 0:
            raise ValueError(f"Slider {self.name!r}: a log scale needs min > 0, got {low}")
        if self.spacing == "log(1-x)" and not (0 <= low and high < 1):
            raise ValueError(f"Slider {self.name!r}: a log(1-x) scale needs [min, max] in [0, 1)")

    @property
    def bounds(self) -> tuple[float, float]:
        low = self.min if self.min is not None else min(self.values)
        high = self.max if self.max is not None else max(self.values)
        return float(low), float(high)

    @property
    def spacing(self) -> str:
        """The scale in use, ``scale`` if given, else the one that suits the range."""
        if self.scale is not None:
            return self.scale
        low, high = self.bounds
        if self.step is None and low > 0 and high / low >= 10:
            return "log"
        if self.step is None and 0 <= low and high < 1 and (1 - low) / (1 - high) >= 10:
            return "log(1-x)"
        return "linear"

    def grid(self) -> tuple[float, ...]:
        """Every value the slider can take, in increasing order."""
        low, high = self.bounds
        if self.step is not None:
            count = math.floor((high - low) / self.step + 1e-9)
            fine = [round(low + k * self.step, 12) for k in range(count + 1)]
        elif self.spacing == "log":
            count = math.ceil(60 * math.log10(high / low))
            fine = [_round(v) for v in np.geomspace(low, high, count + 1)]
        elif self.spacing == "log(1-x)":
            count = math.ceil(60 * math.log10((1 - low) / (1 - high)))
            fine = [round(1 - _round(v), 12) for v in np.geomspace(1 - low, 1 - high, count + 1)]
        else:
            step = _nice_step(high - low)
            first = math.ceil(low / step)
            fine = [round(k * step, 12) for k in range(first, math.floor(high / step) + 1)]
        wanted = [low, high, self.initial, *self.values]
        return tuple(sorted({float(v) for v in fine if low <= v <= high} | set(wanted)))

    def spec(self) -> dict:
        grid = self.grid()
        return {
            "name": self.name,
            "label": self.label,
            "values": list(grid),
            "initial": grid.index(float(self.initial)),
            "scales": self.scales,
            "scale": self.spacing,
        }


def _contender_spec(contender: Contender) -> dict:
    try:
        look = style(contender.name)
    except KeyError:  # an optimizer the book has not given a look yet
        look = {"color": "#555555", "marker": "o"}
    described = describe_optimizer(contender.optimizer(**contender.settings))
    return {
        "name": contender.name,
        **described,
        "color": look["color"],
        "marker": look.get("marker", "o"),
        "dashed": look.get("linestyle") == "--",
    }


# -- the page --------------------------------------------------------------------------


def _compact(source: str) -> str:
    """A script without its indentation, blank lines and whole-line comments (a third smaller)."""
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


def page_script() -> str:
    """The script every explorer carries: the math as written, the drawing compacted.

    ``descent.js`` goes into the page unchanged, so that a reader who opens the page's
    source finds the port as it is in the repository, comments included.
    """
    package = resources.files("descent.book")
    math_port, drawing = (package.joinpath(name).read_text(encoding="utf-8") for name in SCRIPTS)
    return f"{math_port}\n{_compact(drawing)}"


class _Figure:
    """What every explorer shares: the page version, the picture version, the bundle."""

    title: str

    @property
    def spec(self) -> dict:
        raise NotImplementedError

    def png(self) -> bytes:
        raise NotImplementedError

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/html": self.html(),
            "image/png": base64.b64encode(self.png()).decode("ascii"),
            "text/plain": f"<{type(self).__name__}: {self.title}>",
        }

    def html(self) -> str:
        """The explorer for a web page: markup, its settings and the scripts that run it."""
        # "</" would end the <script> element early; JSON allows "<\/" for it.
        data = json.dumps(self.spec, separators=(",", ":"), ensure_ascii=False)
        data = data.replace("</", "<\\/")
        return (
            f'<div class="descent-explorer" data-kind="{self.spec["kind"]}">'
            f'<script type="application/json">{data}</script>'
            f"<script>{page_script()}</script></div>"
        )


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


@dataclass(frozen=True)
class Explorer(_Figure):
    r"""Optimizers on a surface, run live in the page from a start the reader can drag.

    Parameters
    ----------
    contenders : sequence of Contender
        The optimizers drawn together.
    sliders : sequence of Slider
        The hyperparameters a reader can change.
    surfaces : sequence of str or SurfaceView
        Keys of :data:`SURFACES` (or views); with more than one, the reader can switch.
    n_steps : int
        Steps per run; a further slider shows the first 1 … ``n_steps`` of them.
    title : str
        What the explorer shows, also used in its text alternative.
    animate : bool
        Add play and step buttons that animate the number of steps shown.
    factors : bool
        Show, live, the factor :math:`1 - \eta\lambda` by which SGD multiplies the
        coordinate of every curvature :math:`\lambda` (SGD on quadratics only).

    Raises
    ------
    ValueError
        If a contender has no JavaScript port, two share a name, a slider's range gives
        a contender invalid settings, or a surface is unknown.
    """

    contenders: Sequence[Contender]
    sliders: Sequence[Slider] = ()
    surfaces: Sequence[str | SurfaceView] = ("bowl",)
    n_steps: int = 30
    title: str = "Explorer"
    animate: bool = False
    factors: bool = False

    def __post_init__(self):
        if self.n_steps < 1:
            raise ValueError(f"Explorer: n_steps must be >= 1, got {self.n_steps}")
        if not self.contenders or not self.surfaces:
            raise ValueError("Explorer: needs at least one contender and one surface")
        names = [c.name for c in self.contenders]
        if len(set(names)) != len(names):
            raise ValueError(f"Explorer: contenders need distinct names, got {names}")
        for contender in self.contenders:
            if contender.optimizer.__name__ not in PORTED:
                raise ValueError(
                    f"Explorer: descent.js has no port of {contender.optimizer.__name__}; "
                    f"it has {', '.join(PORTED)}"
                )
        for slider in self.sliders:
            for contender in self.contenders:
                if slider.name not in contender.optimizer.hyperparameters():
                    raise ValueError(
                        f"Explorer: slider {slider.name!r} sets a hyperparameter that "
                        f"{contender.name} does not have"
                    )
                if slider.scales and slider.name not in contender.settings:
                    raise ValueError(
                        f"Explorer: slider {slider.name!r} scales a setting that "
                        f"{contender.name} does not have"
                    )
        # Every corner of the sliders' ranges must give every contender valid settings.
        for ends in np.ndindex(*(2,) * len(self.sliders)):
            values = [s.bounds[i] for s, i in zip(self.sliders, ends, strict=True)]
            for contender in self.contenders:
                contender.optimizer(**self.settings(contender, values))
        views = [_view(s) for s in self.surfaces]
        if self.factors:
            if any(c.optimizer is not descent.SGD for c in self.contenders):
                raise ValueError("Explorer: factors 1 - ηλ are SGD's; all contenders must be SGD")
            if any(not isinstance(v.objective, Quadratic) for v in views):
                raise ValueError("Explorer: factors 1 - ηλ need quadratic surfaces")

    def settings(self, contender: Contender, values: Sequence[float]) -> dict[str, float]:
        """The keyword arguments of ``contender`` when the sliders stand at ``values``."""
        settings = dict(contender.settings)
        for slider, value in zip(self.sliders, values, strict=True):
            settings[slider.name] = settings[slider.name] * value if slider.scales else value
        return settings

    @cached_property
    def spec(self) -> dict:
        """Everything the page needs (optimizers, sliders and surfaces), and no runs."""
        return {
            "kind": "explore",
            "title": self.title,
            "steps": self.n_steps,
            "animate": self.animate,
            "factors": self.factors,
            "contenders": [_contender_spec(c) for c in self.contenders],
            "sliders": [s.spec() for s in self.sliders],
            "surfaces": [
                _surface_spec(_view(s), s if isinstance(s, str) else f"surface-{i}")
                for i, s in enumerate(self.surfaces)
            ],
        }

    def runs(self, surface: int = 0, values: Sequence[float] | None = None) -> dict:
        """What the page draws at slider ``values`` (default: initial) from the start."""
        values = [s.initial for s in self.sliders] if values is None else values
        view = _view(self.surfaces[surface])
        return {
            c.name: run(
                c.optimizer(**self.settings(c, values)), view.objective, view.start, self.n_steps
            )
            for c in self.contenders
        }

    def png(self) -> bytes:
        """A static figure of the starting setting, for formats that cannot run scripts."""
        view = _view(self.surfaces[0])
        fig = Figure(figsize=(7.5, 3.2), dpi=110, layout="constrained")
        paths, losses = fig.subplots(1, 2, width_ratios=(1.6, 1))
        _draw_surface(paths, view)
        for name, trajectory in self.runs().items():
            _draw_path(paths, view, trajectory, name)
            plot_losses(
                losses,
                trajectory.losses - view.offset,
                name,
                ylabel="loss − min" if view.offset else "loss",
            )
        settings = ", ".join(f"{s.label} {s.initial:g}" for s in self.sliders)
        paths.set_title(f"{view.label}; {settings}" if settings else view.label)
        losses.legend(fontsize=8)
        return _png(fig)


def _draw_surface(ax, view: SurfaceView) -> None:
    if view.dim == 2:
        plot_contours(ax, view.objective, view.xlim, view.ylim, levels=14, log_levels=True)
        return
    xs = np.linspace(*view.xlim, 200)
    ax.plot(xs, view.objective.value(xs[:, None]), color="0.6", linewidth=1)
    ax.set_xlim(view.xlim)
    ax.set_ylim(view.ylim)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")


def _draw_path(ax, view: SurfaceView, trajectory: Trajectory, name: str) -> None:
    if view.dim == 2:
        plot_trajectory(ax, trajectory.points, name)
    else:
        points = np.column_stack([trajectory.points[:, 0], trajectory.losses])
        plot_trajectory(ax, points, name)


def sgd_threshold(
    L: float = 2.0, n_steps: int = 30, title: str = "SGD's threshold η = 2/L"
) -> Explorer:
    r"""SGD on :math:`f = (L/2)x^2` and on the bowl, with the factor :math:`1 - \eta L` live.

    The learning-rate slider runs from 0 to 1.5 times the threshold :math:`2/L` and
    stops exactly at it; the page shows, for every curvature :math:`\lambda` of the
    surface, the factor :math:`1 - \eta\lambda` that multiplies that coordinate at each
    step, and the run grows as soon as one of them leaves [−1, 1].

    >>> explorer = sgd_threshold(2.0)
    >>> explorer.sliders[0].initial, 1.0 in explorer.sliders[0].grid()
    (0.9, True)
    """
    threshold = 2 / L
    return Explorer(
        [Contender(descent.SGD, {"lr": 0.9 * threshold})],
        sliders=[
            Slider(
                "lr",
                "learning rate η",
                (0.0, threshold, 1.5 * threshold),
                initial=_round(0.9 * threshold),
                scale="linear",
            )
        ],
        surfaces=[line(L), "bowl"],
        n_steps=n_steps,
        title=title,
        factors=True,
    )


# -- the momentum map ------------------------------------------------------------------


@dataclass(frozen=True)
class MomentumMap(_Figure):
    r"""The heavy ball's convergence map over :math:`(\eta, \mu)`, drawn live in the page.

    Each cell is coloured by :math:`\log_{10}` of the distance to the minimum after
    ``n_steps`` steps of ``Momentum(lr=η, momentum=μ)`` from the start, over the starting
    distance, as in the momentum chapter; cells that ended farther away than they started
    are grey. The dashed line is the stability boundary :math:`\eta = 2(1 + \mu)/L`, the
    star Polyak's setting. Clicking or dragging on the map (or the two sliders, or the
    arrow keys) picks a setting, whose run is drawn on the surface beside it; dragging the
    start there redraws the map.

    Parameters
    ----------
    surface : str or SurfaceView
        A quadratic surface (``"bowl"`` or ``"rotated"``).
    n_steps : int
        Steps per run, for the map and for the path.
    lr, momentum : (float, float)
        The map's range of :math:`\eta` and :math:`\mu` (cell centres at both ends).
    initial : (float, float)
        The setting shown first.
    cells : (int, int)
        Number of cells along :math:`\eta` and :math:`\mu`.
    marks : mapping of str to (float, float)
        Further settings to mark on the map, by label, e.g. ``{"DLfS": (0.1, 0.9)}``.
    optimizer : {"Momentum", "Nesterov"}
        The method the map and the path use, by its name in ``descent``.
    """

    surface: str | SurfaceView = "bowl"
    n_steps: int = 100
    lr: tuple[float, float] = (0.02, 2.2)
    momentum: tuple[float, float] = (0.0, 0.98)
    initial: tuple[float, float] = (0.1, 0.9)
    cells: tuple[int, int] = (110, 99)
    marks: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    title: str = "Momentum: the (η, μ) map"
    optimizer: str = "Momentum"

    def __post_init__(self):
        if not isinstance(_view(self.surface).objective, Quadratic):
            raise ValueError("MomentumMap: the map needs a quadratic surface")
        if self.optimizer not in ("Momentum", "Nesterov"):
            raise ValueError(
                f"MomentumMap: the map is for Momentum or Nesterov, got {self.optimizer!r}"
            )
        if not 0 <= self.momentum[0] < self.momentum[1] < 1:
            raise ValueError(f"MomentumMap: momentum range must lie in [0, 1), got {self.momentum}")
        if self.n_steps < 1:
            raise ValueError(f"MomentumMap: n_steps must be >= 1, got {self.n_steps}")

    @property
    def method(self) -> type[Optimizer]:
        """The optimizer class named by ``optimizer``."""
        return getattr(descent, self.optimizer)

    @property
    def objective(self) -> Quadratic:
        return _view(self.surface).objective

    @cached_property
    def sliders(self) -> tuple[Slider, Slider]:
        best = self.objective.polyak_setting()
        inside = [(b, r) for b, r in zip(best, (self.lr, self.momentum), strict=True)]
        extra = [[v] if r[0] <= v <= r[1] else [] for v, r in inside]
        return (
            Slider(
                "lr",
                "learning rate η",
                (*self.lr, *extra[0]),
                initial=self.initial[0],
                scale="linear",
            ),
            Slider(
                "momentum",
                "momentum μ",
                (*self.momentum, *extra[1]),
                initial=self.initial[1],
                scale="linear",
            ),
        )

    @cached_property
    def spec(self) -> dict:
        view = _view(self.surface)
        surface = self.surface if isinstance(self.surface, str) else "surface-0"
        viridis = colormaps["viridis"].resampled(64)
        name = self.optimizer
        return {
            "kind": "map",
            "title": self.title,
            "steps": self.n_steps,
            "animate": False,
            "factors": False,
            "contenders": [
                _contender_spec(
                    Contender(self.method, dict(zip(("lr", "momentum"), self.initial, strict=True)))
                )
            ],
            "sliders": [s.spec() for s in self.sliders],
            "surfaces": [_surface_spec(view, surface)],
            "map": {
                "nesterov": name == "Nesterov",
                "cells": list(self.cells),
                "lr": list(self.lr),
                "momentum": list(self.momentum),
                "L": self.objective.L,
                "directions": np.linalg.eigh(self.objective.hessian)[1].T.tolist(),
                "polyak": list(self.objective.polyak_setting()),
                "marks": [
                    {"label": k, "lr": v[0], "momentum": v[1]} for k, v in self.marks.items()
                ],
                "floor": -16,
                "colormap": [_hex(viridis(i)) for i in range(viridis.N)],
            },
        }

    def ratio(self, lr: float, momentum: float, start=None) -> float:
        """The map's value at one setting: final over starting distance to the minimum."""
        view = _view(self.surface)
        start = np.asarray(view.start if start is None else start, dtype=float)
        trajectory = run(
            self.method(lr=lr, momentum=momentum),
            view.objective,
            start,
            self.n_steps,
            divergence_threshold=math.inf,
        )
        if trajectory.diverged:
            return math.inf
        return float(np.linalg.norm(trajectory.final) / np.linalg.norm(start))

    def ratios(self, start=None) -> np.ndarray:
        """The whole map, shape (cells along μ, cells along η), as the page computes it.

        Each eigenvector of the Hessian is run on its own (the heavy ball treats them
        separately), all cells at once.
        """
        view = _view(self.surface)
        start = np.asarray(view.start if start is None else start, dtype=float)
        curvatures, directions = np.linalg.eigh(self.objective.hessian)
        lrs = np.linspace(*self.lr, self.cells[0])[None, :, None]
        mus = np.linspace(*self.momentum, self.cells[1])[:, None, None]
        z = np.ones((self.cells[1], self.cells[0], len(curvatures)))
        v = np.zeros_like(z)
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(self.n_steps):
                g = lrs * curvatures * z
                v = mus * v - g
                z += mus * v - g if self.optimizer == "Nesterov" else v
            along = directions.T @ start
            return np.sqrt(((z * along) ** 2).sum(axis=-1)) / np.linalg.norm(start)

    def png(self) -> bytes:
        view = _view(self.surface)
        lrs = np.linspace(*self.lr, self.cells[0])
        mus = np.linspace(*self.momentum, self.cells[1])
        ratios = self.ratios()
        fig = Figure(figsize=(7.5, 3.2), dpi=110, layout="constrained")
        left, right = fig.subplots(1, 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            shown = np.ma.masked_where(~(ratios <= 1), np.log10(np.maximum(ratios, 1e-16)))
        colours = colormaps["viridis"].with_extremes(bad="0.85")
        left.pcolormesh(
            lrs, mus, shown, cmap=colours, vmin=-16, vmax=0, shading="nearest", rasterized=True
        )
        boundary = np.linspace(*self.momentum, 50)
        left.plot(2 * (1 + boundary) / self.objective.L, boundary, "k--", linewidth=1)
        best = self.objective.polyak_setting()
        left.plot(*best, marker="*", markersize=12, color="white", markeredgecolor="black")
        left.plot(*self.initial, marker="o", markersize=7, color="white", markeredgecolor="black")
        left.set_xlim(lrs[0], lrs[-1])
        left.set_ylim(mus[0], mus[-1])
        left.set_xlabel("learning rate η")
        left.set_ylabel("momentum μ")
        _draw_surface(right, view)
        opt = self.method(lr=self.initial[0], momentum=self.initial[1])
        _draw_path(right, view, run(opt, view.objective, view.start, self.n_steps), label(opt))
        right.set_title(f"η = {self.initial[0]:g}, μ = {self.initial[1]:g}")
        return _png(fig)


def _hex(rgba) -> str:
    return "#" + "".join(f"{round(255 * c):02x}" for c in rgba[:3])
