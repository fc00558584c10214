r"""Learning-rate schedules: the learning rate as a function of the step.

Each function here *returns a schedule*: a callable ``schedule(t)`` that gives the
learning rate :math:`\eta_t` of step ``t = 1, 2, ...``, the step about to be taken.
The harness calls it before every update::

    from descent.lab.runs import run
    run(Adam(), f, start, n_steps=100, schedule=warmup(cosine(0.01, 100), 10))

(:func:`descent.lab.runs.run` and :func:`descent.lab.training.train` set
``opt.lr = schedule(t)`` before update ``t`` and put the old value back afterwards.)

Schedules compose: :func:`warmup` multiplies any schedule by a linear ramp, and
:func:`sequence` runs schedules one after another, each from its own step 1.

Every function names the ``torch.optim.lr_scheduler`` setting that gives the same
learning rates. The index conventions differ by one: torch's scheduler starts with
``last_epoch = 0`` for the first ``optimizer.step()`` and adds one at each
``scheduler.step()`` (called after ``optimizer.step()``), so

.. math::
    \eta_t \text{ here} = \text{torch's lr at } \texttt{last\_epoch} = t - 1.

Where a schedule ends after ``total_steps`` steps, it reaches its final value at
step ``total_steps + 1``, the first step *after* the schedule, as torch's do: no step
of the schedule is wasted at a learning rate of zero.

>>> s = warmup(cosine(1.0, total_steps=8), warmup_steps=2)
>>> [round(s(t), 3) for t in range(1, 10)]
[0.5, 0.962, 0.854, 0.691, 0.5, 0.309, 0.146, 0.038, 0.0]
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence

from descent.checks import non_negative, non_negative_int, positive_int

__all__ = [
    "constant",
    "cosine",
    "linear",
    "sequence",
    "step_decay",
    "warmup",
    "warmup_stable_decay",
]

Schedule = Callable[[int], float]
"""A schedule maps the step ``t = 1, 2, ...`` to the learning rate of that step."""


def _checked_schedule(owner: str, name: str, schedule: object) -> Schedule:
    if not callable(schedule):
        raise TypeError(
            f"{owner}: {name} must be a schedule (a callable t -> lr), got {schedule!r}"
        )
    return schedule


def constant(lr: float) -> Schedule:
    r"""The same learning rate at every step.

    .. math::
        \eta_t = \eta

    ``lr`` is :math:`\eta`.

    Parameters
    ----------
    lr : float
        Learning rate :math:`\eta \ge 0`.

    Returns
    -------
    callable
        ``schedule(t)`` for ``t = 1, 2, ...``.

    Raises
    ------
    ValueError
        If ``lr`` is negative or not finite (and, when the schedule is called, if
        ``t`` is not a positive int).

    Notes
    -----
    torch: no scheduler at all, or ``LambdaLR(opt, lambda e: 1.0)``. Useful as a
    piece of :func:`sequence` and under :func:`warmup`.

    Examples
    --------
    >>> constant(0.1)(1000)
    0.1
    """
    lr = non_negative("constant", "lr", lr)

    def schedule(t: int) -> float:
        positive_int("constant", "t", t)
        return lr

    return schedule


def step_decay(lr: float, step_size: int, gamma: float) -> Schedule:
    r"""Multiply the learning rate by :math:`\gamma` every ``step_size`` steps.

    .. math::
        \eta_t = \eta\, \gamma^{\lfloor (t - 1) / s \rfloor}

    ``lr`` is :math:`\eta`, ``step_size`` is :math:`s`, ``gamma`` is :math:`\gamma`:
    steps :math:`1, \dots, s` use :math:`\eta`, steps :math:`s + 1, \dots, 2s` use
    :math:`\eta\gamma`, and so on.

    Parameters
    ----------
    lr : float
        Initial learning rate :math:`\eta \ge 0`.
    step_size : int
        Number of steps :math:`s \ge 1` between two decays.
    gamma : float
        Factor :math:`\gamma \ge 0` (usually 0.1 to 0.5).

    Returns
    -------
    callable
        ``schedule(t)`` for ``t = 1, 2, ...``.

    Raises
    ------
    ValueError
        If ``lr`` or ``gamma`` is negative or not finite, or ``step_size`` is below 1.
    TypeError
        If ``step_size`` is not an int.

    Notes
    -----
    torch: ``StepLR(opt, step_size=step_size, gamma=gamma)`` with the optimizer's
    ``lr=lr``; its ``last_epoch = t - 1`` gives :math:`\gamma^{\lfloor (t-1)/s
    \rfloor}`. (torch multiplies by :math:`\gamma` at each decay; the power here can
    differ from that product in the last bit.)

    References
    ----------
    K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for image
    recognition", CVPR 2016 (the learning rate divided by 10 twice).

    Examples
    --------
    >>> s = step_decay(1.0, step_size=2, gamma=0.5)
    >>> [s(t) for t in range(1, 7)]
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """
    lr = non_negative("step_decay", "lr", lr)
    step_size = positive_int("step_decay", "step_size", step_size)
    gamma = non_negative("step_decay", "gamma", gamma)

    def schedule(t: int) -> float:
        t = positive_int("step_decay", "t", t)
        return lr * gamma ** ((t - 1) // step_size)

    return schedule


def cosine(lr: float, total_steps: int, final_lr: float = 0.0) -> Schedule:
    r"""Half a cosine from ``lr`` down to ``final_lr`` over ``total_steps`` steps.

    .. math::
        w_t = \tfrac12 \Bigl(1 + \cos\bigl(\pi \min(t - 1, T) / T\bigr)\Bigr),
        \qquad
        \eta_t = w_t\, \eta + (1 - w_t)\, \eta_{\mathrm{end}}

    ``lr`` is :math:`\eta`, ``total_steps`` is :math:`T`, ``final_lr`` is
    :math:`\eta_{\mathrm{end}}`; the weight :math:`w_t` falls from 1 to 0 along half
    a cosine. Step 1 uses :math:`\eta`; the rate falls slowly at
    first, fastest half-way, slowly again at the end, and stays at
    :math:`\eta_{\mathrm{end}}` from step :math:`T + 1` on.

    Parameters
    ----------
    lr : float
        Initial learning rate :math:`\eta \ge 0`.
    total_steps : int
        Length :math:`T \ge 1` of the decay.
    final_lr : float, default 0.0
        :math:`\eta_{\mathrm{end}} \ge 0`, reached at step :math:`T + 1`.

    Returns
    -------
    callable
        ``schedule(t)`` for ``t = 1, 2, ...``.

    Raises
    ------
    ValueError
        If ``lr`` or ``final_lr`` is negative or not finite, or ``total_steps`` is
        below 1.
    TypeError
        If ``total_steps`` is not an int.

    Notes
    -----
    torch: ``CosineAnnealingLR(opt, T_max=total_steps, eta_min=final_lr)`` with the
    optimizer's ``lr=lr`` gives the same rates for :math:`t \le T + 1`
    (``last_epoch`` :math:`\le T`; torch computes them by a recursion, so they agree
    to rounding). After that torch's rate rises again along the cosine (period
    :math:`2T`), while this one stays at :math:`\eta_{\mathrm{end}}`. This is SGDR
    without its restarts.

    References
    ----------
    I. Loshchilov and F. Hutter, "SGDR: stochastic gradient descent with warm
    restarts", ICLR 2017.

    Examples
    --------
    >>> s = cosine(1.0, total_steps=4)
    >>> [round(s(t), 4) for t in range(1, 7)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """
    lr = non_negative("cosine", "lr", lr)
    total_steps = positive_int("cosine", "total_steps", total_steps)
    final_lr = non_negative("cosine", "final_lr", final_lr)

    def schedule(t: int) -> float:
        t = positive_int("cosine", "t", t)
        w = (1 + math.cos(math.pi * min(t - 1, total_steps) / total_steps)) / 2
        return w * lr + (1 - w) * final_lr

    return schedule


def linear(lr: float, total_steps: int, final_lr: float = 0.0) -> Schedule:
    r"""A straight line from ``lr`` down to ``final_lr`` over ``total_steps`` steps.

    .. math::
        f_t = \min(t - 1, T) / T, \qquad
        \eta_t = (1 - f_t)\, \eta + f_t\, \eta_{\mathrm{end}}

    ``lr`` is :math:`\eta`, ``total_steps`` is :math:`T`, ``final_lr`` is
    :math:`\eta_{\mathrm{end}}`; :math:`f_t` is the fraction of the decay done. With
    the default :math:`\eta_{\mathrm{end}} = 0` this is *linear decay to zero*: steps
    :math:`1, \dots, T` use
    :math:`\eta, \eta (T-1)/T, \dots, \eta/T`, and the rate is 0 from step
    :math:`T + 1` on.

    Parameters
    ----------
    lr : float
        Initial learning rate :math:`\eta \ge 0`.
    total_steps : int
        Length :math:`T \ge 1` of the decay.
    final_lr : float, default 0.0
        :math:`\eta_{\mathrm{end}} \ge 0`, reached at step :math:`T + 1`.

    Returns
    -------
    callable
        ``schedule(t)`` for ``t = 1, 2, ...``.

    Raises
    ------
    ValueError
        If ``lr`` or ``final_lr`` is negative or not finite, or ``total_steps`` is
        below 1.
    TypeError
        If ``total_steps`` is not an int.

    Notes
    -----
    torch: ``LinearLR(opt, start_factor=1.0, end_factor=final_lr / lr,
    total_iters=total_steps)`` with the optimizer's ``lr=lr`` (torch needs
    :math:`0 < \eta` and :math:`\eta_{\mathrm{end}} \le \eta`; this function also
    allows a rising line). torch computes the rates by a recursion, so they agree to
    rounding.

    References
    ----------
    A. Defazio, A. Cutkosky, H. Mehta and K. Mishchenko, "Optimal linear decay
    learning rate schedules and further refinements", arXiv:2310.07831, 2023.

    Examples
    --------
    >>> s = linear(1.0, total_steps=4)
    >>> [s(t) for t in range(1, 7)]
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    lr = non_negative("linear", "lr", lr)
    total_steps = positive_int("linear", "total_steps", total_steps)
    final_lr = non_negative("linear", "final_lr", final_lr)

    def schedule(t: int) -> float:
        t = positive_int("linear", "t", t)
        f = min(t - 1, total_steps) / total_steps
        return (1 - f) * lr + f * final_lr

    return schedule


def warmup(schedule: Schedule, warmup_steps: int) -> Schedule:
    r"""Multiply a schedule by a linear ramp over its first ``warmup_steps`` steps.

    .. math::
        \eta_t = \min(1,\ t / W)\; s(t)

    ``schedule`` is :math:`s`, ``warmup_steps`` is :math:`W`: step 1 uses
    :math:`s(1)/W`, step :math:`W` the full :math:`s(W)`, and from then on
    :math:`\eta_t = s(t)`. ``warmup_steps=0`` leaves the schedule as it is.

    Parameters
    ----------
    schedule : callable
        The schedule to warm up, ``schedule(t)`` for ``t = 1, 2, ...``.
    warmup_steps : int
        Length :math:`W \ge 0` of the ramp.

    Returns
    -------
    callable
        ``schedule(t)`` for ``t = 1, 2, ...``.

    Raises
    ------
    TypeError
        If ``schedule`` is not callable or ``warmup_steps`` is not an int.
    ValueError
        If ``warmup_steps`` is negative.

    Notes
    -----
    The ramp starts at :math:`1/W`, not at 0, so no step is wasted at a learning
    rate of zero (Hugging Face's ``get_linear_schedule_with_warmup`` gives its first
    step a rate of 0). torch: the ramp alone is
    ``LinearLR(opt, start_factor=1 / W, end_factor=1.0, total_iters=W - 1)``, whose
    factor at ``last_epoch`` :math:`= t - 1 \le W - 1` is
    :math:`1/W + (1 - 1/W)(t-1)/(W-1) = t/W`. Multiplied with the scheduler
    ``S`` of :math:`s`, it is ``ChainedScheduler([LinearLR(...), S])`` when ``S``
    scales the rate multiplicatively (``StepLR``, ``LinearLR``, and
    ``CosineAnnealingLR`` with ``eta_min=0``), and in every case
    ``LambdaLR(opt, lambda e: min(1, (e + 1) / W) * s(e + 1) / lr)``.

    The ramp *multiplies* :math:`s`, so ``warmup(cosine(lr, T), W)`` is a cosine
    over all :math:`T` steps whose first :math:`W` are scaled down. To start the
    cosine only *after* the warm-up, run them in sequence:
    ``sequence([(warmup(constant(lr), W), W), (cosine(lr, T - W), T - W)])``.

    Warm-up keeps the first steps small while Adam's second moment :math:`v` is
    still an average of very few gradients (Liu et al., 2020) and while the
    parameters are far from where the large rate is stable (Goyal et al., 2017).

    References
    ----------
    P. Goyal, P. Dollár, R. Girshick, P. Noordhuis, L. Wesolowski, A. Kyrola,
    A. Tulloch, Y. Jia and K. He, "Accurate, large minibatch SGD: training ImageNet
    in 1 hour", arXiv:1706.02677, 2017.
    L. Liu, H. Jiang, P. He, W. Chen, X. Liu, J. Gao and J. Han, "On the variance of
    the adaptive learning rate and beyond", ICLR 2020.

    Examples
    --------
    >>> s = warmup(constant(1.0), warmup_steps=4)
    >>> [s(t) for t in range(1, 7)]
    [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    """
    schedule = _checked_schedule("warmup", "schedule", schedule)
    warmup_steps = non_negative_int("warmup", "warmup_steps", warmup_steps)

    def warmed_up(t: int) -> float:
        t = positive_int("warmup", "t", t)
        ramp = min(1.0, t / warmup_steps) if warmup_steps else 1.0
        return ramp * schedule(t)

    return warmed_up


def warmup_stable_decay(
    lr: float, total_steps: int, warmup_steps: int, decay_steps: int, final_lr: float = 0.0
) -> Schedule:
    r"""Warm up, hold the learning rate, then decay it linearly at the end (WSD).

    .. math::
        \eta_t = \begin{cases}
            \eta\, t / W & t \le W \\
            \eta & W < t \le T - D \\
            (1 - f_t)\, \eta + f_t\, \eta_{\mathrm{end}} & t > T - D
        \end{cases}
        \qquad f_t = \min\bigl(t - (T - D) - 1,\ D\bigr) / D

    ``lr`` is :math:`\eta`, ``total_steps`` is :math:`T`, ``warmup_steps`` is
    :math:`W`, ``decay_steps`` is :math:`D`, ``final_lr`` is
    :math:`\eta_{\mathrm{end}}`. The three phases are :func:`warmup`, a constant, and
    :func:`linear` over the last :math:`D` steps, one after the other: it equals
    ``sequence([(warmup(constant(lr), W), W), (constant(lr), T - W - D),
    (linear(lr, D, final_lr), D)])`` (leaving out a phase of length 0).

    Parameters
    ----------
    lr : float
        Peak learning rate :math:`\eta \ge 0`.
    total_steps : int
        Length :math:`T \ge 1` of the whole schedule.
    warmup_steps : int
        Length :math:`W \ge 0` of the warm-up (0: none).
    decay_steps : int
        Length :math:`D \ge 1` of the final decay (the "cooldown").
    final_lr : float, default 0.0
        :math:`\eta_{\mathrm{end}} \ge 0`, reached at step :math:`T + 1`.

    Returns
    -------
    callable
        ``schedule(t)`` for ``t = 1, 2, ...``.

    Raises
    ------
    ValueError
        If ``lr`` or ``final_lr`` is negative or not finite, ``total_steps`` or
        ``decay_steps`` is below 1, ``warmup_steps`` is negative, or
        ``warmup_steps + decay_steps`` exceeds ``total_steps``.
    TypeError
        If a number of steps is not an int.

    Notes
    -----
    The long constant phase does not depend on when training will stop: a run can
    be extended, or branched off into a short decay at any point, which is what
    makes WSD convenient for scaling-law studies (Hägele et al., 2024; they find a
    cooldown of 10–20 % of the steps matches a cosine schedule).
    Hägele et al. also try a :math:`1 - \sqrt{\cdot}` cooldown shape; only the
    linear one is provided here.

    torch: ``SequentialLR(opt, schedulers=[LinearLR(opt, start_factor=1 / W,
    end_factor=1.0, total_iters=W - 1), LambdaLR(opt, lambda e: 1.0),
    LinearLR(opt, start_factor=1.0, end_factor=final_lr / lr, total_iters=D)],
    milestones=[W, T - D])`` with the optimizer's ``lr=lr`` (without the first
    scheduler and milestone when :math:`W = 0`).

    References
    ----------
    A. Hägele, E. Bakouch, A. Kosson, L. Ben Allal, L. Von Werra and M. Jaggi,
    "Scaling laws and compute-optimal training beyond fixed training durations",
    NeurIPS 2024.
    S. Hu et al., "MiniCPM: unveiling the potential of small language models with
    scalable training strategies", arXiv:2404.06395, 2024 (where WSD was named).

    Examples
    --------
    >>> s = warmup_stable_decay(1.0, total_steps=10, warmup_steps=2, decay_steps=4)
    >>> [s(t) for t in range(1, 12)]
    [0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0]
    """
    owner = "warmup_stable_decay"
    lr = non_negative(owner, "lr", lr)
    total_steps = positive_int(owner, "total_steps", total_steps)
    warmup_steps = non_negative_int(owner, "warmup_steps", warmup_steps)
    decay_steps = positive_int(owner, "decay_steps", decay_steps)
    final_lr = non_negative(owner, "final_lr", final_lr)
    if warmup_steps + decay_steps > total_steps:
        raise ValueError(
            f"{owner}: warmup_steps + decay_steps must be <= total_steps, got "
            f"{warmup_steps} + {decay_steps} > {total_steps}"
        )
    decay_start = total_steps - decay_steps  # the last step before the decay

    def schedule(t: int) -> float:
        t = positive_int(owner, "t", t)
        if t <= warmup_steps:
            return lr * (t / warmup_steps)
        if t <= decay_start:
            return lr
        f = min(t - decay_start - 1, decay_steps) / decay_steps
        return (1 - f) * lr + f * final_lr

    return schedule


def sequence(segments: Sequence[tuple[Schedule, int]]) -> Schedule:
    r"""Run schedules one after another, each for its number of steps, each from its step 1.

    .. math::
        \eta_t = s_k(t - N_k) \quad \text{for } N_k < t \le N_k + n_k,
        \qquad N_k = n_1 + \dots + n_{k-1}

    ``segments`` is :math:`[(s_1, n_1), \dots, (s_K, n_K)]`. Each schedule
    :math:`s_k` sees its own clock, starting again at 1. After all
    :math:`N_K + n_K` steps the last schedule simply continues
    (:math:`\eta_t = s_K(t - N_K)`).

    Parameters
    ----------
    segments : list of (callable, int)
        Pairs ``(schedule, n_steps)`` with ``n_steps >= 1``.

    Returns
    -------
    callable
        ``schedule(t)`` for ``t = 1, 2, ...``.

    Raises
    ------
    TypeError
        If ``segments`` is not a list of ``(schedule, n_steps)`` pairs, a schedule
        is not callable or a number of steps is not an int.
    ValueError
        If ``segments`` is empty or a number of steps is below 1.

    Notes
    -----
    torch: ``SequentialLR(opt, schedulers=[S_1, ..., S_K],
    milestones=[N_2, ..., N_K])``, where ``S_k`` is the scheduler of :math:`s_k`.
    At each milestone torch restarts the next scheduler from ``last_epoch = 0``, as
    each :math:`s_k` here restarts from its step 1; like here, the last scheduler
    continues after its planned steps.

    Examples
    --------
    >>> s = sequence([(warmup(constant(1.0), 2), 2), (linear(1.0, 4), 4)])
    >>> [s(t) for t in range(1, 8)]
    [0.5, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0]
    """
    owner = "sequence"
    if isinstance(segments, str | bytes) or not isinstance(segments, Sequence):
        raise TypeError(
            f"{owner}: segments must be a list of (schedule, n_steps) pairs, got {segments!r}"
        )
    if not segments:
        raise ValueError(f"{owner}: segments is empty; give at least one (schedule, n_steps)")
    schedules, starts = [], []  # s_k and N_k, the number of steps before segment k
    total = 0
    for k, segment in enumerate(segments):
        if not isinstance(segment, tuple | list) or len(segment) != 2:
            raise TypeError(
                f"{owner}: segments[{k}] must be a (schedule, n_steps) pair, got {segment!r}"
            )
        schedules.append(_checked_schedule(owner, f"segments[{k}][0]", segment[0]))
        starts.append(total)
        total += positive_int(owner, f"segments[{k}][1] (n_steps)", segment[1])

    def schedule(t: int) -> float:
        t = positive_int(owner, "t", t)
        k = bisect.bisect_left(starts, t) - 1  # the last segment with N_k < t
        return schedules[k](t - starts[k])

    return schedule
