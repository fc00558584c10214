"""Run an optimizer on an objective and record where it goes.

>>> from descent import SGD
>>> from descent.lab.objectives import bowl
>>> path = run(SGD(lr=0.5), bowl(), start=(-7.0, 2.0), n_steps=3)
>>> path.points.shape, path.losses.shape
((4, 2), (4,))
>>> path.points[1]   # x shrinks by 1 - 0.5/10, y by 1 - 0.5*2 = 0
array([-6.65,  0.  ])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from descent.base import Optimizer

__all__ = ["Trajectory", "run", "run_online"]


@dataclass(frozen=True)
class Trajectory:
    """Where an optimizer went: ``points[k]`` after ``k`` steps, ``losses[k]`` there.

    ``points[0]`` is the start. If the loss overflowed (the run diverged), the
    arrays end at the last finite point and ``diverged`` is True.
    """

    points: np.ndarray
    losses: np.ndarray
    diverged: bool = False

    @property
    def final(self) -> np.ndarray:
        """The last point reached."""
        return self.points[-1]

    def distances(self, target) -> np.ndarray:
        """Euclidean distance from each point to ``target`` (e.g. the minimiser)."""
        return np.linalg.norm(self.points - np.asarray(target, dtype=float), axis=-1)


def run(
    optimizer: Optimizer,
    objective,
    start,
    n_steps: int,
    *,
    divergence_threshold: float = 1e12,
) -> Trajectory:
    """Take ``n_steps`` steps of ``optimizer`` on ``objective`` from ``start``.

    Parameters
    ----------
    optimizer : Optimizer
        A fresh optimizer (its state is used and changed).
    objective
        Anything with ``value(point)`` and ``gradient(point)``, such as
        :func:`descent.lab.objectives.bowl`.
    start : array_like
        The starting point.
    n_steps : int
        Number of updates.
    divergence_threshold : float, default 1e12
        Stop early, and mark the run as diverged, once the loss exceeds this in
        absolute value or stops being finite.

    Returns
    -------
    Trajectory
        ``n_steps + 1`` points and losses (fewer if the run diverged).
    """
    if n_steps < 0:
        raise ValueError(f"run: n_steps must be >= 0, got {n_steps}")
    params = {"theta": np.array(start, dtype=float)}
    points = [params["theta"].copy()]
    losses = [float(objective.value(params["theta"]))]
    diverged = False
    for _ in range(n_steps):
        with np.errstate(over="ignore", invalid="ignore"):
            gradient = objective.gradient(params["theta"])
        if not np.isfinite(gradient).all():  # steep walls can overflow before the loss does
            diverged = True
            break
        optimizer.update(params, {"theta": gradient})
        with np.errstate(over="ignore", invalid="ignore"):
            loss = float(objective.value(params["theta"]))
        if not math.isfinite(loss) or abs(loss) > divergence_threshold:
            diverged = True
            break
        points.append(params["theta"].copy())
        losses.append(loss)
    return Trajectory(np.array(points), np.array(losses), diverged)


def run_online(
    optimizer: Optimizer,
    problem,
    start: float,
    n_steps: int,
    *,
    lr_schedule: Callable[[int], float] | None = None,
) -> np.ndarray:
    """Online optimization with projection, as in Reddi, Kale & Kumar (2018).

    At step ``t = 1 .. n_steps`` the optimizer gets ``problem.gradient(x, t)``,
    steps, and ``x`` is projected back into the feasible set with
    ``problem.project``. If ``lr_schedule`` is given, the learning rate at step
    ``t`` is ``lr_schedule(t)``.

    Returns
    -------
    numpy.ndarray
        ``x`` after each step: ``n_steps + 1`` values starting with ``start``.
    """
    params = {"x": np.array([start], dtype=float)}
    xs = [params["x"][0]]
    for t in range(1, n_steps + 1):
        if lr_schedule is not None:
            optimizer.lr = lr_schedule(t)
        optimizer.update(params, {"x": problem.gradient(params["x"], t)})
        problem.project(params["x"])
        xs.append(params["x"][0])
    return np.array(xs)
