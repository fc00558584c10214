"""Learning-rate schedules: answers by hand, properties, bad input, and torch's schedulers.

Our ``t`` is the step about to be taken (1, 2, ...); torch's scheduler gives the lr of
optimizer step ``last_epoch + 1``. The cross-checks read torch's lr before each
``optimizer.step()`` and compare it with ``schedule(t)`` for the same step.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descent import SGD
from descent.lab.objectives import bowl
from descent.lab.runs import run
from descent.schedules import (
    constant,
    cosine,
    linear,
    sequence,
    step_decay,
    warmup,
    warmup_stable_decay,
)

RTOL = 1e-12


def values(schedule, steps):
    """[schedule(1), ..., schedule(steps)]."""
    return [schedule(t) for t in range(1, steps + 1)]


# -- known answers, derived by hand ----------------------------------------------------


def test_constant_is_constant():
    assert values(constant(0.3), 5) == [0.3] * 5
    assert constant(0.3)(10**9) == 0.3


def test_step_decay_by_hand():
    # η_t = 0.8 · 0.5^⌊(t − 1)/3⌋: steps 1–3 use 0.8, steps 4–6 use 0.4, step 7 uses 0.2.
    assert values(step_decay(0.8, step_size=3, gamma=0.5), 7) == [0.8] * 3 + [0.4] * 3 + [0.2]


def test_cosine_by_hand():
    # η_t = 0.5 + 1.5 (1 + cos(π (t − 1)/6))/2 with η = 2, η_end = 0.5, T = 6:
    # t = 1: cos 0 = 1 → 2;  t = 3: cos(π/3) = 1/2 → 0.5 + 1.5 · 3/4 = 1.625;
    # t = 4: cos(π/2) = 0 → 0.5 + 0.75 = 1.25 (half-way);  t = 7 = T + 1: cos π = −1 → 0.5,
    # and it stays there (t = 100).
    s = cosine(2.0, total_steps=6, final_lr=0.5)
    np.testing.assert_allclose(
        [s(1), s(3), s(4), s(7), s(100)], [2.0, 1.625, 1.25, 0.5, 0.5], rtol=RTOL
    )


def test_linear_decay_to_zero_by_hand():
    # η_t = 1 − min(t − 1, 4)/4: 1, 3/4, 1/2, 1/4 over the four steps, then 0 from step 5.
    assert values(linear(1.0, total_steps=4), 7) == [1.0, 0.75, 0.5, 0.25, 0.0, 0.0, 0.0]


def test_linear_can_rise():
    # η_t = 0.3 + 0.3 min(t − 1, 3)/3: 0.3, 0.4, 0.5, then 0.6 from step 4 on.
    np.testing.assert_allclose(
        values(linear(0.3, total_steps=3, final_lr=0.6), 5), [0.3, 0.4, 0.5, 0.6, 0.6], rtol=RTOL
    )


def test_warmup_multiplies_the_schedule_by_a_ramp():
    # min(1, t/4) · 0.5^⌊(t − 1)/2⌋: (1/4)·1, (2/4)·1, (3/4)·(1/2), 1·(1/2), 1·(1/4).
    s = warmup(step_decay(1.0, step_size=2, gamma=0.5), warmup_steps=4)
    assert values(s, 5) == [0.25, 0.5, 0.375, 0.5, 0.25]


def test_warmup_of_zero_steps_changes_nothing():
    s = cosine(0.1, 10)
    assert values(warmup(s, 0), 12) == values(s, 12)


def test_warmup_stable_decay_by_hand():
    # T = 10, W = 2, D = 4: warm-up 1/2, 1; constant 1 for t = 3..6; the decay phase is
    # t = 7..10 with 1 − (t − 7)/4 = 1, 3/4, 1/2, 1/4; then 0 from t = 11 = T + 1.
    s = warmup_stable_decay(1.0, total_steps=10, warmup_steps=2, decay_steps=4)
    assert values(s, 12) == [0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]


def test_warmup_stable_decay_without_warmup_by_hand():
    # T = 5, W = 0, D = 2, η = 0.4, η_end = 0.1: 0.4 for t = 1..4 (t = 4 starts the decay
    # at 0.4 − 0.3 · 0/2), t = 5: 0.4 − 0.3 · 1/2 = 0.25, then 0.1 from t = 6.
    s = warmup_stable_decay(0.4, total_steps=5, warmup_steps=0, decay_steps=2, final_lr=0.1)
    np.testing.assert_allclose(values(s, 7), [0.4, 0.4, 0.4, 0.4, 0.25, 0.1, 0.1], rtol=RTOL)


def test_sequence_restarts_each_clock_and_the_last_schedule_continues():
    # Segment 1 (t = 1, 2) is the ramp 1/2, 1; segment 2 (t = 3..5) is step_decay seen at its
    # own steps 1, 2, 3 → 1, 1, 0.5; after the planned 5 steps the last one goes on:
    # t = 6, 7 are its steps 4, 5 → 0.5, 0.25.
    s = sequence([(warmup(constant(1.0), 2), 2), (step_decay(1.0, step_size=2, gamma=0.5), 3)])
    assert values(s, 7) == [0.5, 1.0, 1.0, 1.0, 0.5, 0.5, 0.25]


def test_warmup_stable_decay_is_its_three_phases_in_sequence():
    lr, T, W, D, end = 0.3, 40, 5, 12, 0.01
    wsd = warmup_stable_decay(lr, total_steps=T, warmup_steps=W, decay_steps=D, final_lr=end)
    phases = sequence(
        [
            (warmup(constant(lr), W), W),
            (constant(lr), T - W - D),
            (linear(lr, D, final_lr=end), D),
        ]
    )
    np.testing.assert_allclose(values(wsd, T + 10), values(phases, T + 10), rtol=RTOL)


def test_module_example_warms_up_a_cosine():
    # The module docstring's example, checked against the formula itself.
    s = warmup(cosine(1.0, total_steps=8), warmup_steps=2)
    expected = [
        min(1, t / 2) * (1 + math.cos(math.pi * min(t - 1, 8) / 8)) / 2 for t in range(1, 10)
    ]
    np.testing.assert_allclose(values(s, 9), expected, rtol=RTOL, atol=1e-16)


def test_a_schedule_drives_the_harness():
    """run(schedule=...) sets lr = schedule(t) before update t: SGD on the bowl's x-direction
    (f = x²/20, f' = x/10) multiplies x by (1 − η_t/10) at step t."""
    schedule = warmup(linear(2.0, 10), 3)
    opt = SGD(lr=0.5)
    trajectory = run(opt, bowl(), np.array([4.0, 0.0]), 12, schedule=schedule)
    x = 4.0
    for t in range(1, 13):
        x *= 1 - schedule(t) / 10
    np.testing.assert_allclose(trajectory.points[-1], [x, 0.0], rtol=RTOL)
    assert opt.lr == 0.5  # the harness puts the learning rate back


# -- properties ------------------------------------------------------------------------

# No subnormal rates: halving 5e-324 gives 0, and nobody trains at such a rate.
rates = st.floats(0, 10, allow_nan=False, allow_infinity=False, allow_subnormal=False)
lengths = st.integers(1, 200)


@settings(max_examples=100, deadline=None)
@given(kind=st.sampled_from([cosine, linear]), lr=rates, final_lr=rates, T=lengths)
def test_decays_start_at_lr_end_at_final_lr_and_stay_between(kind, lr, final_lr, T):
    s = kind(lr, T, final_lr=final_lr)
    low, high = min(lr, final_lr), max(lr, final_lr)
    lrs = np.array(values(s, T + 5))
    assert lrs[0] == lr
    assert lrs[T] == pytest.approx(final_lr, rel=1e-12, abs=1e-15)
    assert np.all(lrs[T:] == lrs[T])  # constant from step T + 1 on
    assert np.all(lrs >= low * (1 - 1e-12))
    assert np.all(lrs <= high * (1 + 1e-12))
    # Monotone towards final_lr: down when final_lr <= lr, up otherwise (to rounding).
    steps = np.diff(lrs) * np.sign(final_lr - lr)
    assert np.all(steps >= -1e-12 * high)


@settings(max_examples=100, deadline=None)
@given(lr=rates, step_size=lengths, gamma=st.floats(0, 1), t=st.integers(1, 10**4))
def test_step_decay_never_rises_and_is_piecewise_constant(lr, step_size, gamma, t):
    s = step_decay(lr, step_size, gamma)
    assert 0 <= s(t + 1) <= s(t) <= lr
    if t % step_size:  # t and t + 1 lie in the same block of step_size steps
        assert s(t + 1) == s(t)


@settings(max_examples=100, deadline=None)
@given(lr=rates, W=st.integers(0, 50), T=lengths, t=st.integers(1, 300))
def test_warmup_ramps_up_to_the_schedule_and_then_leaves_it_alone(lr, W, T, t):
    base = cosine(lr, T)
    s = warmup(base, W)
    assert 0 <= s(t) <= base(t)
    if t >= W:
        assert s(t) == base(t)
    else:
        assert s(t) == pytest.approx(t / W * base(t), rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    lr=st.floats(0.001, 10),
    final_fraction=st.floats(0, 1),
    W=st.integers(0, 40),
    D=st.integers(1, 40),
    stable=st.integers(0, 40),
)
def test_warmup_stable_decay_has_no_jumps(lr, final_fraction, W, D, stable):
    """Continuity at both boundaries: no step changes the rate by more than one step of the
    warm-up ramp (η/W) or of the decay ((η − η_end)/D); the peak is η, the end η_end."""
    final_lr = lr * final_fraction
    T = W + stable + D
    lrs = np.array(values(warmup_stable_decay(lr, T, W, D, final_lr), T + 3))
    largest_jump = max(lr / W if W else 0.0, (lr - final_lr) / D)
    assert np.all(np.abs(np.diff(lrs)) <= largest_jump * (1 + 1e-12) + 1e-15 * lr)
    assert lrs.max() == pytest.approx(lr, rel=1e-15)  # (1 − f)η + fη may round 1 ulp above η
    assert np.all(lrs[W:] >= final_lr * (1 - 1e-12))  # after the warm-up, never below the end
    assert lrs[T] == pytest.approx(final_lr, rel=1e-12, abs=1e-15)
    if W:
        assert lrs[W - 1] == lr  # the ramp reaches the peak exactly at t = W


@settings(max_examples=50, deadline=None)
@given(lengths=st.lists(st.integers(1, 20), min_size=1, max_size=5), t=st.integers(1, 150))
def test_sequence_hands_each_step_to_one_segment_at_its_own_clock(lengths, t):
    # Segment k answers with (k, its local step) so the routing can be read off.
    segments = [(lambda local, k=k: (k, local), n) for k, n in enumerate(lengths)]
    k, local = sequence(segments)(t)
    before = sum(lengths[:k])
    assert local == t - before >= 1
    assert local <= lengths[k] or k == len(lengths) - 1


# -- bad input -------------------------------------------------------------------------

BAD = [
    (constant, (-0.1,), ValueError, r"^constant: lr must be >= 0, got -0\.1$"),
    (constant, (math.nan,), ValueError, r"^constant: lr must be finite, got nan$"),
    (constant, ("0.1",), TypeError, r"^constant: lr must be a real number, got '0\.1'$"),
    (step_decay, (0.1, 0, 0.5), ValueError, r"^step_decay: step_size must be a positive int"),
    (step_decay, (0.1, 2.5, 0.5), TypeError, r"^step_decay: step_size must be a positive int"),
    (step_decay, (0.1, 10, -0.5), ValueError, r"^step_decay: gamma must be >= 0, got -0\.5$"),
    (cosine, (0.1, 0), ValueError, r"^cosine: total_steps must be a positive int, got 0$"),
    (cosine, (0.1, 10, -1.0), ValueError, r"^cosine: final_lr must be >= 0, got -1\.0$"),
    (cosine, (math.inf, 10), ValueError, r"^cosine: lr must be finite, got inf$"),
    (linear, (0.1, True), TypeError, r"^linear: total_steps must be a positive int, got True$"),
    (linear, (-1.0, 10), ValueError, r"^linear: lr must be >= 0, got -1\.0$"),
    (warmup, (0.1, 5), TypeError, r"^warmup: schedule must be a schedule \(a callable t -> lr\)"),
    (warmup, (constant(0.1), -1), ValueError, r"^warmup: warmup_steps must be an int >= 0"),
    (warmup, (constant(0.1), 2.0), TypeError, r"^warmup: warmup_steps must be an int >= 0"),
    (
        warmup_stable_decay,
        (0.1, 10, 3, 8),
        ValueError,
        r"^warmup_stable_decay: warmup_steps \+ decay_steps must be <= total_steps, "
        r"got 3 \+ 8 > 10$",
    ),
    (
        warmup_stable_decay,
        (0.1, 10, 3, 0),
        ValueError,
        r"^warmup_stable_decay: decay_steps must be a positive int, got 0$",
    ),
    (
        warmup_stable_decay,
        (0.1, 10, -2, 3),
        ValueError,
        r"^warmup_stable_decay: warmup_steps must be an int >= 0, got -2$",
    ),
    (
        warmup_stable_decay,
        (0.1, 10, 2, 3, -0.1),
        ValueError,
        r"^warmup_stable_decay: final_lr must be >= 0, got -0\.1$",
    ),
    (sequence, ([],), ValueError, r"^sequence: segments is empty"),
    (sequence, (constant(0.1),), TypeError, r"^sequence: segments must be a list of"),
    (sequence, ([constant(0.1)],), TypeError, r"^sequence: segments\[0\] must be a .* pair"),
    (
        sequence,
        ([(constant(0.1), 3), (0.5, 3)],),
        TypeError,
        r"^sequence: segments\[1\]\[0\] must be a schedule",
    ),
    (
        sequence,
        ([(constant(0.1), 3), (constant(0.2), 0)],),
        ValueError,
        r"^sequence: segments\[1\]\[1\] \(n_steps\) must be a positive int, got 0$",
    ),
]


@pytest.mark.parametrize(
    ("make", "args", "exc", "message"),
    BAD,
    ids=[f"{make.__name__}{args!r}" for make, args, _, _ in BAD],
)
def test_bad_arguments_are_refused_with_their_name(make, args, exc, message):
    with pytest.raises(exc, match=message):
        make(*args)


SCHEDULES = {
    "constant": constant(0.1),
    "step_decay": step_decay(0.1, 5, 0.5),
    "cosine": cosine(0.1, 10),
    "linear": linear(0.1, 10),
    "warmup": warmup(constant(0.1), 3),
    "warmup_stable_decay": warmup_stable_decay(0.1, 10, 2, 3),
    "sequence": sequence([(constant(0.1), 3)]),
}


@pytest.mark.parametrize("name", SCHEDULES)
@pytest.mark.parametrize(
    ("t", "exc"), [(0, ValueError), (-3, ValueError), (1.5, TypeError), (True, TypeError)]
)
def test_steps_count_from_one(name, t, exc):
    with pytest.raises(exc, match=rf"^{name}: t must be a positive int, got {t!r}$"):
        SCHEDULES[name](t)


# -- torch.optim.lr_scheduler ----------------------------------------------------------


@pytest.fixture
def torch():
    return pytest.importorskip(
        "torch",
        reason="torch is not installed; CI installs torch==2.13.0 (CPU) to run these cross-checks",
    )


def torch_lrs(torch, lr, make_scheduler, steps):
    """The lr torch uses for optimizer steps 1..steps (last_epoch = 0..steps-1)."""
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=lr)
    scheduler = make_scheduler(opt, torch.optim.lr_scheduler)
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        param.grad = torch.zeros(1)
        opt.step()
        scheduler.step()
    return lrs


# (our schedule, its peak lr, torch's scheduler for an optimizer with that lr, steps)
TORCH_CASES = {
    "step_decay": (step_decay(0.1, 7, 0.3), 0.1, lambda o, S: S.StepLR(o, 7, gamma=0.3), 100),
    "cosine": (
        cosine(0.1, 50, final_lr=0.01),
        0.1,
        lambda o, S: S.CosineAnnealingLR(o, T_max=50, eta_min=0.01),
        51,  # torch's cosine rises again after T_max; ours stays at final_lr
    ),
    "cosine-to-zero": (cosine(0.2, 37), 0.2, lambda o, S: S.CosineAnnealingLR(o, T_max=37), 38),
    "linear": (
        linear(0.1, 40, final_lr=0.02),
        0.1,
        lambda o, S: S.LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=40),
        100,
    ),
    "linear-to-zero": (
        linear(0.1, 40),
        0.1,
        lambda o, S: S.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=40),
        100,
    ),
    "warmup": (
        warmup(constant(0.1), 10),
        0.1,
        lambda o, S: S.LinearLR(o, start_factor=1 / 10, end_factor=1.0, total_iters=9),
        100,
    ),
    "warmup-one-step": (
        warmup(constant(0.1), 1),
        0.1,
        lambda o, S: S.LinearLR(o, start_factor=1.0, end_factor=1.0, total_iters=0),
        10,
    ),
    "warmup-step_decay": (
        warmup(step_decay(0.1, 15, 0.5), 10),
        0.1,
        lambda o, S: S.ChainedScheduler(
            [S.LinearLR(o, start_factor=1 / 10, total_iters=9), S.StepLR(o, 15, gamma=0.5)]
        ),
        100,
    ),
    "warmup-cosine": (
        warmup(cosine(0.1, 60), 10),
        0.1,
        lambda o, S: S.ChainedScheduler(
            [S.LinearLR(o, start_factor=1 / 10, total_iters=9), S.CosineAnnealingLR(o, 60)]
        ),
        61,
    ),
    "warmup_stable_decay": (
        warmup_stable_decay(0.1, total_steps=100, warmup_steps=10, decay_steps=20, final_lr=0.01),
        0.1,
        lambda o, S: S.SequentialLR(
            o,
            schedulers=[
                S.LinearLR(o, start_factor=1 / 10, end_factor=1.0, total_iters=9),
                S.LambdaLR(o, lambda e: 1.0),
                S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=20),
            ],
            milestones=[10, 80],
        ),
        130,
    ),
    "warmup_stable_decay-no-warmup": (
        warmup_stable_decay(0.1, total_steps=50, warmup_steps=0, decay_steps=50),
        0.1,
        lambda o, S: S.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=50),
        60,
    ),
    "sequence": (
        sequence(
            [
                (warmup(constant(0.1), 5), 5),
                (cosine(0.1, 30, final_lr=0.001), 30),
                (constant(0.001), 10),
            ]
        ),
        0.1,
        lambda o, S: S.SequentialLR(
            o,
            schedulers=[
                S.LinearLR(o, start_factor=1 / 5, total_iters=4),
                S.CosineAnnealingLR(o, T_max=30, eta_min=0.001),
                S.LambdaLR(o, lambda e: 0.01),
            ],
            milestones=[5, 35],
        ),
        60,
    ),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", TORCH_CASES)
def test_matches_torch_lr_scheduler(name, torch):
    ours, lr, make_scheduler, steps = TORCH_CASES[name]
    theirs = torch_lrs(torch, lr, make_scheduler, steps)
    # torch computes most rates by a recursion (lr_t from lr_{t-1}), so they agree to rounding.
    np.testing.assert_allclose(values(ours, steps), theirs, rtol=1e-12, atol=1e-15)
