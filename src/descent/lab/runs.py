"""Run an optimizer and record what it does: the harness every chapter's experiments share.

* :func:`run` takes ``n_steps`` steps on an objective from a start point, optionally with
  a schedule for the hyperparameters, and records the points, the losses and any state
  buffers asked for.
* :func:`replay` feeds an optimizer a fixed stream of gradients (gradients that do not
  depend on where it is) and records each step it takes.
* :func:`sweep` runs one optimizer class over a grid of settings.
* :func:`run_online` is the projected online setting of Reddi, Kale & Kumar (2018).
* :func:`run_many` runs many independent copies at once, one per row of the parameters
  (many seeds of a noisy problem in one loop), and :func:`ema_average` averages the
  points a run visited.

>>> from descent import SGD
>>> from descent.lab.objectives import bowl
>>> path = run(SGD(lr=0.5), bowl(), start=(-7.0, 2.0), n_steps=3)
>>> path.points.shape, path.losses.shape
((4, 2), (4,))
>>> path.points[1]   # x shrinks by 1 - 0.5/10, y by 1 - 0.5*2 = 0
array([-6.65,  0.  ])
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from descent.base import Optimizer

__all__ = [
    "Replay",
    "Trajectory",
    "ema_average",
    "replay",
    "run",
    "run_many",
    "run_online",
    "scheduled",
    "sweep",
]

# A schedule maps the step t = 1, 2, ... to the learning rate of that step, or to a dict of
# hyperparameters ({"lr": ..., "eps": ...}) set before the step is taken.
Schedule = Callable[[int], float | Mapping[str, float]]


@dataclass(frozen=True)
class Trajectory:
    """Where an optimizer went: ``points[k]`` after ``k`` steps, ``losses[k]`` there.

    ``points[0]`` is the start. If the loss overflowed (the run diverged), the arrays
    end at the last finite point and ``diverged`` is True. ``states[name][k]`` is the
    buffer ``name`` after step ``k + 1``, for each name :func:`run` was asked to record.
    """

    points: np.ndarray
    losses: np.ndarray
    diverged: bool = False
    states: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def final(self) -> np.ndarray:
        """The last point reached."""
        return self.points[-1]

    @property
    def final_loss(self) -> float:
        """The loss at the last point, or infinity if the run diverged."""
        return math.inf if self.diverged else float(self.losses[-1])

    def distances(self, target) -> np.ndarray:
        """Euclidean distance from each point to ``target`` (e.g. the minimiser)."""
        return np.linalg.norm(self.points - np.asarray(target, dtype=float), axis=-1)

    def first_step_within(self, fraction: float, target) -> int | None:
        """The first step after which the distance to ``target`` is below ``fraction`` of
        the starting distance, or None if the run never gets there.

        >>> from descent import SGD
        >>> from descent.lab.objectives import Quadratic
        >>> path = run(SGD(lr=0.5), Quadratic([[1.0]]), [1.0], 20)   # x_t = 0.5 ** t
        >>> path.first_step_within(1e-3, 0.0)                     # 2 ** -10 < 1e-3 < 2 ** -9
        10
        """
        distances = self.distances(target)
        within = np.flatnonzero(distances < fraction * distances[0])
        return int(within[0]) if within.size else None


def run(
    optimizer: Optimizer,
    objective,
    start,
    n_steps: int,
    *,
    schedule: Schedule | None = None,
    record: Sequence[str] = (),
    divergence_threshold: float = 1e12,
) -> Trajectory:
    """Take ``n_steps`` steps of ``optimizer`` on ``objective`` from ``start``.

    Parameters
    ----------
    optimizer : Optimizer
        A fresh optimizer (its state is used and changed).
    objective
        Anything with ``value(point)`` and ``gradient(point)``, such as
        :func:`descent.lab.objectives.bowl`; a stochastic objective (a new minibatch
        at every call of ``gradient``) works the same way.
    start : array_like
        The starting point.
    n_steps : int
        Number of updates.
    schedule : callable, optional
        ``schedule(t)`` gives the learning rate of step ``t = 1, 2, ...``, or a dict
        of hyperparameters (``{"lr": ..., "eps": ...}``) to set before that step. The
        optimizer's hyperparameters are put back as they were when the run ends.
    record : sequence of str
        Names of state buffers (``"v"``, ``"h"``, ``"m"``, ...) to record after every step.
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
    states = {name: [] for name in record}
    diverged = False
    with scheduled(optimizer, schedule) as before_step:
        for t in range(1, n_steps + 1):
            with np.errstate(over="ignore", invalid="ignore"):
                gradient = objective.gradient(params["theta"])
            if not np.isfinite(gradient).all():  # steep walls overflow before the loss does
                diverged = True
                break
            before_step(t)
            optimizer.update(params, {"theta": gradient})
            with np.errstate(over="ignore", invalid="ignore"):
                loss = float(objective.value(params["theta"]))
            if not math.isfinite(loss) or abs(loss) > divergence_threshold:
                diverged = True
                break
            points.append(params["theta"].copy())
            losses.append(loss)
            for name in record:
                states[name].append(optimizer.state["theta"][name].copy())
    return Trajectory(
        np.array(points),
        np.array(losses),
        diverged,
        {name: np.array(history) for name, history in states.items()},
    )


@dataclass(frozen=True)
class Replay:
    r"""What an optimizer did with a stream of gradients.

    ``steps[t - 1]`` is :math:`\theta_t - \theta_{t-1}`, the step of update ``t``;
    ``states[name][t - 1]`` is the buffer ``name`` after it.
    """

    steps: np.ndarray
    states: dict[str, np.ndarray]


def replay(
    optimizer: Optimizer,
    gradients,
    *,
    record: Sequence[str] = (),
    schedule: Schedule | None = None,
) -> Replay:
    """Feed ``optimizer`` the gradients ``gradients[0], gradients[1], ...``, one per step.

    The gradients do not depend on the parameters, so the parameters are set to zero
    before every update and each step is read off exactly, without rounding from a
    large running position.

    Parameters
    ----------
    optimizer : Optimizer
        A fresh optimizer.
    gradients : array_like, shape (n_steps, ...)
        One gradient per step; the trailing shape is the parameter's.
    record : sequence of str
        State buffers to record after every step.
    schedule : callable, optional
        As for :func:`run`.

    Examples
    --------
    >>> from descent import Momentum
    >>> result = replay(Momentum(lr=0.1, momentum=0.5), [[1.0], [1.0]], record=["v"])
    >>> result.steps[:, 0], result.states["v"][:, 0]   # v = -0.1, then 0.5 * -0.1 - 0.1
    (array([-0.1 , -0.15]), array([-0.1 , -0.15]))
    """
    gradients = np.asarray(gradients, dtype=float)
    params = {"theta": np.zeros(gradients.shape[1:])}
    steps = np.empty_like(gradients)
    states = {name: np.empty_like(gradients) for name in record}
    with scheduled(optimizer, schedule) as before_step:
        for t, g in enumerate(gradients, start=1):
            params["theta"][...] = 0.0
            before_step(t)
            optimizer.update(params, {"theta": g})
            steps[t - 1] = params["theta"]
            for name in record:
                states[name][t - 1] = optimizer.state["theta"][name]
    return Replay(steps, states)


def sweep(
    optimizer_class: type[Optimizer],
    grid: Mapping[str, Sequence[float]],
    objective,
    start,
    n_steps: int,
    *,
    fixed: Mapping[str, object] | None = None,
    **run_options,
) -> dict[tuple, Trajectory]:
    """Run ``optimizer_class`` once for every combination of the values in ``grid``.

    Returns a dict from the tuple of values (in the order of ``grid``'s keys) to the
    :class:`Trajectory`. ``fixed`` holds keyword arguments shared by every run;
    ``run_options`` go to :func:`run`. A stochastic objective keeps drawing from one
    stream, so that every run would see other minibatches: pass a function that makes
    the objective instead (``lambda: problem.minibatches(10, seed=1)``), and each run gets
    a fresh one, with the same minibatches as the others.

    >>> from descent import Momentum
    >>> from descent.lab.objectives import bowl
    >>> runs = sweep(Momentum, {"lr": [0.1, 0.2], "momentum": [0.0, 0.9]}, bowl(),
    ...              (-7.0, 2.0), n_steps=20)
    >>> sorted(runs)
    [(0.1, 0.0), (0.1, 0.9), (0.2, 0.0), (0.2, 0.9)]
    >>> best = min(runs, key=lambda setting: runs[setting].final_loss)
    >>> best
    (0.2, 0.9)
    """
    names = list(grid)
    fresh = objective if callable(objective) and not hasattr(objective, "gradient") else None
    return {
        values: run(
            optimizer_class(**dict(fixed or {}), **dict(zip(names, values, strict=True))),
            fresh() if fresh else objective,
            start,
            n_steps,
            **run_options,
        )
        for values in itertools.product(*grid.values())
    }


def run_online(
    optimizer: Optimizer,
    problem,
    start: float,
    n_steps: int,
    *,
    schedule: Schedule | None = None,
) -> np.ndarray:
    """Online optimization with projection, as in Reddi, Kale & Kumar (2018).

    At step ``t = 1 .. n_steps`` the optimizer gets ``problem.gradient(x, t)``, steps,
    and ``x`` is projected back into the feasible set with ``problem.project``.
    ``schedule`` is as for :func:`run`.

    Returns
    -------
    numpy.ndarray
        ``x`` after each step: ``n_steps + 1`` values starting with ``start``.
    """
    params = {"x": np.array([start], dtype=float)}
    xs = [params["x"][0]]
    with scheduled(optimizer, schedule) as before_step:
        for t in range(1, n_steps + 1):
            before_step(t)
            optimizer.update(params, {"x": problem.gradient(params["x"], t)})
            problem.project(params["x"])
            xs.append(params["x"][0])
    return np.array(xs)


def run_many(
    optimizer: Optimizer,
    objective,
    starts,
    n_steps: int,
    *,
    schedule: Schedule | None = None,
    measure: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """Run one independent copy of a run per row of ``starts``, all in one loop.

    The parameter is the whole array ``starts`` (one row per run), updated by one call of
    ``optimizer.update`` per step. Every optimizer that acts on each entry on its own
    (SGD to AdamW, Lion, ScheduleFreeAdamW; not Muon, which treats the array as one
    matrix) then runs every row exactly as :func:`run` would run it alone, provided
    ``objective.gradient`` maps an array of points to the gradient at each row, with
    independent noise in every row (as :class:`~descent.lab.objectives.NoisyQuadratic`
    does). That is how many seeds of a noisy problem run at the cost of one.

    Parameters
    ----------
    optimizer : Optimizer
        A fresh optimizer (its state is used and changed).
    objective
        Anything with a row-wise ``gradient(points)`` (and ``value(points)`` if
        ``measure`` is not given).
    starts : array_like, shape (n_runs, ...)
        The starting point of each run. Not changed.
    n_steps : int
        Number of updates.
    schedule : callable, optional
        As for :func:`run`; the hyperparameters are put back when the runs end.
    measure : callable, optional
        ``measure(points)`` gives what to record of the array of current points, by
        default ``objective.value``; it must return a new array (``points.copy()`` to
        record the points themselves).

    Returns
    -------
    numpy.ndarray
        ``measure`` before the first step and after each step, stacked: shape
        ``(n_steps + 1, n_runs, ...)``.

    Examples
    --------
    >>> from descent import SGD
    >>> from descent.lab.objectives import Quadratic
    >>> f = Quadratic([[1.0]])                          # f(x) = x²/2: SGD(0.5) halves x
    >>> run_many(SGD(lr=0.5), f, [[1.0], [4.0]], n_steps=2)   # f at each run's point
    array([[0.5    , 8.     ],
           [0.125  , 2.     ],
           [0.03125, 0.5    ]])
    """
    if n_steps < 0:
        raise ValueError(f"run_many: n_steps must be >= 0, got {n_steps}")
    if measure is None:
        measure = objective.value
    params = {"theta": np.array(starts, dtype=float)}
    records = [measure(params["theta"])]
    with scheduled(optimizer, schedule) as before_step:
        for t in range(1, n_steps + 1):
            gradient = objective.gradient(params["theta"])
            before_step(t)
            optimizer.update(params, {"theta": gradient})
            records.append(measure(params["theta"]))
    return np.array(records)


def ema_average(points, decay: float) -> np.ndarray:
    r"""Exponential moving average of the points a run visited, along the first axis.

    .. math::
        a_0 = \theta_0, \qquad a_k = \beta\, a_{k-1} + (1 - \beta)\, \theta_k

    ``points[k]`` is :math:`\theta_k` (any trailing shape, e.g. ``(n_runs, d)`` from
    :func:`run_many`), ``decay`` is :math:`\beta`; the result has the shape of
    ``points``. The average weighs a point :math:`j` steps old by
    :math:`(1 - \beta)\beta^j`, so it spans about :math:`1/(1 - \beta)` steps. It
    starts at the first point, as the running average of a network's weights kept
    during training starts at the initial weights.

    Raises
    ------
    ValueError
        If ``decay`` is not in [0, 1] or ``points`` has no first axis.

    Examples
    --------
    >>> ema_average([[0.0], [1.0], [1.0], [1.0]], decay=0.5)[:, 0]
    array([0.   , 0.5  , 0.75 , 0.875])
    """
    if not 0 <= decay <= 1:
        raise ValueError(f"ema_average: decay must be in [0, 1], got {decay!r}")
    points = np.asarray(points, dtype=float)
    if points.ndim == 0:
        raise ValueError("ema_average: points must have a first axis (one entry per step)")
    averages = np.empty_like(points)
    averages[0] = points[0]
    for k in range(1, len(points)):
        averages[k] = decay * averages[k - 1] + (1 - decay) * points[k]
    return averages


@contextmanager
def scheduled(optimizer: Optimizer, schedule: Schedule | None) -> Iterator[Callable[[int], None]]:
    """Yield ``before_step(t)``, which sets the hyperparameters ``schedule`` gives step ``t``.

    Used as ``with scheduled(optimizer, schedule) as before_step:`` around a training loop
    that calls ``before_step(t)`` before its update number ``t``.

    When the block ends, however it ends, the hyperparameters are put back as they were,
    so that a schedule never leaks out of the run that used it.
    """
    if schedule is None:  # nothing to set (and the optimizer may be any object with update)
        yield lambda t: None
        return
    before = optimizer.hyperparams

    def before_step(t: int) -> None:
        values = schedule(t)
        optimizer.set_hyperparams(values if isinstance(values, Mapping) else {"lr": values})

    try:
        yield before_step
    finally:
        optimizer.set_hyperparams(before)
