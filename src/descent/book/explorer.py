"""Kernel-free explorers: drag a hyperparameter and watch the path change, in a static page.

An :class:`Explorer` runs the package's optimizers *now*, for every combination of the
values its sliders can take, and stores all the trajectories in the page together with a
small script (``explorer.js``) that draws them. Moving a slider in the browser only looks
up the precomputed run, so what the reader sees is exactly what ``descent`` computed,
with no kernel and no network.

Where a notebook shows the explorer, it offers the browser version (``text/html``) and a
static figure of the starting setting (``image/png``) for the PDF and other formats that
cannot run scripts.

>>> from descent import Momentum
>>> explorer = Explorer(
...     [Contender(Momentum, {"lr": 0.1, "momentum": 0.9})],
...     sliders=[Slider("lr", "learning rate η", (0.05, 0.1), initial=0.1)],
...     surfaces=["bowl"], n_steps=5, title="Momentum on the bowl")
>>> run = explorer.spec["surfaces"][0]["runs"]["1"]["Momentum"]
>>> len(run["x"]), run["x"][0]
(6, -7.0)
"""

from __future__ import annotations

import base64
import io
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

import numpy as np
from matplotlib.figure import Figure

from descent.base import Optimizer
from descent.book.plotting import plot_contours, plot_losses, plot_trajectory, style
from descent.lab.objectives import bowl, rotated_bowl, rotation
from descent.lab.runs import Trajectory, run

__all__ = ["SURFACES", "Contender", "Explorer", "Slider"]


@dataclass(frozen=True)
class SurfaceView:
    """A test function with the start point and window an explorer uses for it."""

    label: str
    objective: object
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]


def _turned_start() -> tuple[float, float]:
    """(−7, 2) turned by 45° with the bowl, so both bowls pose the same problem."""
    x, y = rotation(45) @ np.array([-7.0, 2.0])
    return (float(x), float(y))


SURFACES: dict[str, SurfaceView] = {
    "bowl": SurfaceView("bowl x²/20 + y²", bowl(), (-7.0, 2.0), (-10.0, 10.0), (-4.0, 4.0)),
    "rotated": SurfaceView(
        "the bowl turned by 45°", rotated_bowl(45), _turned_start(), (-10.0, 10.0), (-8.0, 8.0)
    ),
}
"""The surfaces an explorer can offer, by key; the start of the rotated bowl is turned too.

The drawing assumes a positive loss (the loss plot and the contours are logarithmic)."""


@dataclass(frozen=True)
class Contender:
    """One optimizer in an explorer: its class and its settings before any slider acts."""

    optimizer: type[Optimizer]
    settings: Mapping[str, float]

    @property
    def name(self) -> str:
        return self.optimizer.__name__


@dataclass(frozen=True)
class Slider:
    """A control over a grid of values of one hyperparameter.

    The slider sets ``settings[name]`` of every contender to its value, or, with
    ``scales=True``, multiplies each contender's own ``settings[name]`` by it (a shared
    learning-rate multiplier for optimizers whose learning rates differ).
    """

    name: str
    label: str
    values: Sequence[float]
    initial: float
    scales: bool = False

    def __post_init__(self):
        if self.initial not in self.values:
            raise ValueError(
                f"Slider {self.name!r}: initial {self.initial} is not one of its values"
            )


@dataclass(frozen=True)
class Explorer:
    """Precomputed trajectories of ``contenders`` on ``surfaces`` for every slider setting.

    Parameters
    ----------
    contenders : sequence of Contender
        The optimizers drawn together.
    sliders : sequence of Slider
        The hyperparameters a reader can change; every combination of their values is run.
    surfaces : sequence of str
        Keys of :data:`SURFACES`; with more than one, the reader can switch between them.
    n_steps : int
        Steps per run; a further slider shows the first 1 … ``n_steps`` of them.
    title : str
        What the explorer shows, also used in its text alternative.
    animate : bool
        Add play, pause and step buttons that animate the number of steps shown.
    """

    contenders: Sequence[Contender]
    sliders: Sequence[Slider]
    surfaces: Sequence[str]
    n_steps: int
    title: str
    animate: bool = False

    def __post_init__(self):
        if self.n_steps < 1:
            raise ValueError(f"Explorer: n_steps must be >= 1, got {self.n_steps}")
        names = [c.name for c in self.contenders]
        if len(set(names)) != len(names):
            raise ValueError(f"Explorer: contenders need distinct names, got {names}")
        for slider in (s for s in self.sliders if s.scales):
            for contender in self.contenders:
                if slider.name not in contender.settings:
                    raise ValueError(
                        f"Explorer: slider {slider.name!r} scales a setting that "
                        f"{contender.name} does not have"
                    )

    @cached_property
    def spec(self) -> dict:
        """Everything the page draws, from the settings to every run on every surface."""
        looks = {c.name: style(c.name) for c in self.contenders}
        return {
            "title": self.title,
            "steps": self.n_steps,
            "animate": self.animate,
            "contenders": [
                {
                    "name": c.name,
                    "optimizer": c.optimizer.__name__,
                    "settings": dict(c.settings),
                    "color": looks[c.name]["color"],
                    "dashed": looks[c.name].get("linestyle") == "--",
                }
                for c in self.contenders
            ],
            "sliders": [
                {
                    "name": s.name,
                    "label": s.label,
                    "values": list(s.values),
                    "initial": list(s.values).index(s.initial),
                    "scales": s.scales,
                }
                for s in self.sliders
            ],
            "surfaces": [self._surface_spec(key) for key in self.surfaces],
        }

    def settings(self, contender: Contender, values: Sequence[float]) -> dict[str, float]:
        """The keyword arguments of ``contender`` when the sliders stand at ``values``."""
        settings = dict(contender.settings)
        for slider, value in zip(self.sliders, values, strict=True):
            settings[slider.name] = settings[slider.name] * value if slider.scales else value
        return settings

    def _surface_spec(self, key: str) -> dict:
        view = SURFACES[key]
        runs = {}
        for indices in itertools.product(*(range(len(s.values)) for s in self.sliders)):
            values = [s.values[i] for s, i in zip(self.sliders, indices, strict=True)]
            runs[",".join(map(str, indices))] = {
                c.name: _run_record(self._run(view, c, values)) for c in self.contenders
            }
        # One loss scale for all runs, so that runs can be compared: from the smallest loss
        # reached (but no more than eight decades below the start, where the page marks
        # the losses it cannot show) to the largest one (but no more than a decade above
        # the start, where diverging runs leave it).
        losses = [v for r in runs.values() for rec in r.values() for v in rec["loss"]]
        start_loss = float(view.objective.value(np.array(view.start)))
        return {
            "key": key,
            "label": view.label,
            "start": list(view.start),
            "xlim": list(view.xlim),
            "ylim": list(view.ylim),
            "minimizers": [list(map(float, p)) for p in view.objective.minimizers],
            "contours": _contour_lines(view),
            "loss_range": [
                max(min(losses), 1e-8 * start_loss),
                min(max(losses), 10 * start_loss),
            ],
            "runs": runs,
        }

    def _run(self, view: SurfaceView, contender: Contender, values) -> Trajectory:
        optimizer = contender.optimizer(**self.settings(contender, values))
        return run(optimizer, view.objective, view.start, self.n_steps)

    # -- how a notebook shows it ------------------------------------------------------

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/html": self.html(),
            "image/png": base64.b64encode(self.png()).decode("ascii"),
            "text/plain": f"<Explorer: {self.title}>",
        }

    def html(self) -> str:
        """The explorer for a web page: markup, data and the script that draws it."""
        script = resources.files("descent.book").joinpath("explorer.js").read_text(encoding="utf-8")
        # "</" would end the <script> element early; JSON allows "<\/" for it.
        data = json.dumps(self.spec, separators=(",", ":"), ensure_ascii=False)
        data = data.replace("</", "<\\/")
        return (
            '<div class="descent-explorer">'
            f'<script type="application/json">{data}</script>'
            f"<script>{script}</script></div>"
        )

    def png(self) -> bytes:
        """A static figure of the starting setting, for formats that cannot run scripts."""
        values = [s.initial for s in self.sliders]
        view = SURFACES[self.surfaces[0]]
        key = ",".join(str(list(s.values).index(s.initial)) for s in self.sliders)
        runs = self.spec["surfaces"][0]["runs"][key]
        fig = Figure(figsize=(7.5, 3.2), dpi=110, layout="constrained")
        paths, losses = fig.subplots(1, 2, width_ratios=(1.6, 1))
        plot_contours(paths, view.objective, view.xlim, view.ylim, levels=15, log_levels=True)
        for name, record in runs.items():
            plot_trajectory(paths, np.column_stack([record["x"], record["y"]]), name)
            plot_losses(losses, record["loss"], name)
        settings = ", ".join(f"{s.label} {v:g}" for s, v in zip(self.sliders, values, strict=True))
        paths.set_title(f"{view.label}; {settings}")
        losses.legend(fontsize=8)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return buffer.getvalue()


def _rounded(values, digits: int = 6) -> list[float]:
    return [float(f"{v:.{digits}g}") for v in values]


def _run_record(trajectory: Trajectory) -> dict:
    return {
        "x": _rounded(trajectory.points[:, 0]),
        "y": _rounded(trajectory.points[:, 1]),
        "loss": _rounded(trajectory.losses, 4),
        "diverged": trajectory.diverged,
    }


def _contour_lines(view: SurfaceView, n_levels: int = 14) -> list[list[list[float]]]:
    """Contour polylines of the surface in its window, at geometrically spaced levels."""
    xs = np.linspace(*view.xlim, 160)
    ys = np.linspace(*view.ylim, 120)
    values = view.objective.value(np.stack(np.meshgrid(xs, ys), axis=-1))
    low = max(float(values.min()), 1e-3 * float(values.max()))
    levels = np.geomspace(low, float(values.max()), n_levels + 2)[1:-1]
    contours = Figure().subplots().contour(xs, ys, values, levels=levels)
    lines = []
    for segment in (s for segments in contours.allsegs for s in segments if len(s) > 2):
        kept = [*segment[:: len(segment) // 60 + 1], segment[-1]]  # keep the closing point
        lines.append([[round(float(x), 3), round(float(y), 3)] for x, y in kept])
    return lines
