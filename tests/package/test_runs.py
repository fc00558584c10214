"""The harness: run, replay, sweep, run_online, run_many and ema_average; schedules,
recorded state, minibatches.

Shapes, closed forms on the bowl, divergence, Reddi et al.'s theorem."""

import math

import numpy as np
import pytest

from descent import SGD, AdaGrad, Adam, Momentum, RMSProp
from descent.lab.objectives import (
    LeastSquares,
    LongSlope,
    NoisyQuadratic,
    Quadratic,
    ReddiOnline,
    Rosenbrock,
    bowl,
    rotated_bowl,
)
from descent.lab.runs import ema_average, replay, run, run_many, run_online, sweep
from descent.schedules import cosine

START = (-7.0, 2.0)  # the DLfS start on the bowl


def bowl_sgd_closed_form(lr, start, n_steps):
    """SGD on x²/20 + y²: the gradient is (x/10, 2y), so one step maps x to (1 - η/10) x and
    y to (1 - 2η) y, and after t steps x_t = (1 - η/10)ᵗ x₀, y_t = (1 - 2η)ᵗ y₀."""
    t = np.arange(n_steps + 1)[:, None]
    return np.array([1 - lr / 10, 1 - 2 * lr]) ** t * np.array(start)


# -- run -------------------------------------------------------------------------


@pytest.mark.parametrize("n_steps", [0, 1, 30])
def test_run_shapes_and_start(n_steps):
    path = run(SGD(lr=0.1), bowl(), START, n_steps)
    assert path.points.shape == (n_steps + 1, 2)
    assert path.losses.shape == (n_steps + 1,)
    np.testing.assert_array_equal(path.points[0], START)
    np.testing.assert_array_equal(path.final, path.points[-1])
    assert not path.diverged


def test_run_losses_are_the_objective_at_the_points():
    f = Rosenbrock()
    path = run(Adam(lr=0.05), f, (-1.5, 2.0), 20)
    np.testing.assert_array_equal(path.losses, [f.value(p) for p in path.points])


def test_run_does_not_change_the_start_array():
    start = np.array(START)
    run(SGD(lr=0.1), bowl(), start, 5)
    np.testing.assert_array_equal(start, START)


@pytest.mark.parametrize("lr", [0.1, 0.5, 0.95])
def test_sgd_on_the_bowl_follows_the_closed_form(lr):
    path = run(SGD(lr=lr), bowl(), START, 30)
    np.testing.assert_allclose(path.points, bowl_sgd_closed_form(lr, START, 30), rtol=1e-12)


def test_sgd_at_lr_095_zigzags_in_y():
    # 1 - 2·0.95 = -0.9: y changes sign every step while x creeps along by (1 - 0.095)ᵗ.
    path = run(SGD(lr=0.95), bowl(), START, 10)
    assert np.all(np.sign(path.points[:, 1]) == 2 * (np.arange(11) % 2 == 0) - 1)
    assert np.all(np.diff(path.points[:, 0]) > 0)


def test_distances_to_the_minimiser():
    path = run(SGD(lr=0.1), bowl(), START, 3)
    expected = np.hypot(*bowl_sgd_closed_form(0.1, START, 3).T)
    np.testing.assert_allclose(path.distances((0.0, 0.0)), expected, rtol=1e-12)


# -- divergence: SGD is stable on the bowl only for η < 2/L = 1 ------------------------


@pytest.mark.parametrize("lr", [1.05, 1.2, 2.0])
def test_sgd_above_two_over_l_diverges_and_is_flagged(lr):
    # |1 - 2η| > 1 for η > 1, so |y_t| = |1 - 2η|ᵗ · 2 grows without bound and the loss
    # (≈ y²) passes the 1e12 threshold after about log(2.5e11) / (2 log|1 - 2η|) steps (≤ 270).
    path = run(SGD(lr=lr), bowl(), START, 1000)
    assert path.diverged
    assert len(path.points) == len(path.losses) < 1001
    assert np.isfinite(path.points).all()
    assert np.isfinite(path.losses).all()
    assert np.abs(path.losses).max() <= 1e12
    np.testing.assert_allclose(
        path.points, bowl_sgd_closed_form(lr, START, len(path.points) - 1), rtol=1e-9
    )


@pytest.mark.parametrize("lr", [0.5, 0.9, 0.99])
def test_sgd_below_two_over_l_converges(lr):
    # |1 - 2η| < 1 and 0 < 1 - η/10 < 1: both coordinates shrink geometrically.
    path = run(SGD(lr=lr), bowl(), START, 2000)
    assert not path.diverged
    assert len(path.points) == 2001
    assert np.linalg.norm(path.final) < 1e-6


def test_sgd_at_exactly_two_over_l_neither_converges_nor_diverges():
    # 1 - 2·1 = -1: y flips between 2 and -2 forever.
    path = run(SGD(lr=1.0), bowl(), START, 50)
    assert not path.diverged
    np.testing.assert_array_equal(np.abs(path.points[:, 1]), 2.0)


def test_divergence_threshold_is_respected():
    # SGD with η = 1.2 multiplies x by 0.88 and y by -1.4 each step, so from (-7, 2) the loss
    # x²/20 + y² is 6.45, then 1.90 + 7.84 = 9.74, 1.47 + 15.37 = 16.84, 1.14 + 30.12 = 31.26.
    # With a threshold of 20 the third step is the first one over: three points are kept.
    path = run(SGD(lr=1.2), bowl(), START, 10, divergence_threshold=20.0)
    assert path.diverged
    assert len(path.points) == 3
    np.testing.assert_allclose(path.losses, [6.45, 9.7369, 16.8356], rtol=1e-4)


def test_overflow_to_infinity_counts_as_divergence():
    # With no threshold the run stops when the loss overflows to inf (|y| > ~1.3e154).
    path = run(SGD(lr=3.0), bowl(), START, 10_000, divergence_threshold=math.inf)
    assert path.diverged
    assert np.isfinite(path.points).all()
    assert np.isfinite(path.losses).all()


def test_negative_n_steps_raises():
    with pytest.raises(ValueError, match="n_steps must be >= 0, got -1"):
        run(SGD(), bowl(), START, -1)


# -- run_online: Reddi, Kale & Kumar (2018) ------------------------------------


def test_run_online_with_sgd_by_hand():
    # SGD with η = 0.1 from x = 0 on gradients 3, -1, -1, 3, -1, -1:
    # x moves by -0.3, +0.1, +0.1, -0.3, +0.1, +0.1.
    xs = run_online(SGD(lr=0.1), ReddiOnline(), 0.0, 6)
    np.testing.assert_allclose(xs, [0.0, -0.3, -0.2, -0.1, -0.4, -0.3, -0.2], atol=1e-15)


def test_run_online_projects_every_step():
    # From -0.9 the first step (-0.3) would leave [-1, 1]: it is clipped to -1, then +0.1 twice.
    xs = run_online(SGD(lr=0.1), ReddiOnline(), -0.9, 3)
    np.testing.assert_allclose(xs, [-0.9, -1.0, -0.9, -0.8], atol=1e-15)


def test_run_online_follows_the_schedule_and_then_restores_the_learning_rate():
    # The gradient of step t is C = 3 when t % 3 == 1, else -1; with lr 1/(10 t) the steps
    # are -0.3, +0.05, +1/30 (no projection is needed from 0).
    opt = SGD(lr=0.1)
    xs = run_online(opt, ReddiOnline(), 0.0, 3, schedule=lambda t: 0.1 / t)
    np.testing.assert_allclose(np.diff(xs), [-0.3, 0.05, 1 / 30], atol=1e-15)
    assert opt.lr == 0.1


def reddi_adam(amsgrad):
    """Theorem 1's setting for C = 3: β₁ = 0, β₂ = 1/(1 + C²) = 0.1, step α/√t with α = 0.1."""
    C = ReddiOnline().C
    return Adam(lr=0.1, beta1=0.0, beta2=1 / (1 + C**2), amsgrad=amsgrad)


def reddi_run(amsgrad, n_steps=3000):
    return run_online(
        reddi_adam(amsgrad), ReddiOnline(), 0.0, n_steps, schedule=lambda t: 0.1 / math.sqrt(t)
    )


def test_adam_drifts_to_the_worst_point_on_reddis_problem():
    """Adam ends at x = +1, where the average loss (C - 2) x / 3 is largest.

    Why (Reddi et al. 2018, Theorem 1, worked out for C = 3): with β₁ = 0 the step is
    α_t g_t / √v̂_t, and with β₂ = 0.1, v settles into a 3-cycle a → b → c with
    a = 0.1c + 0.9·9, b = 0.1a + 0.9, c = 0.1b + 0.9, i.e. a ≈ 8.21, b ≈ 1.72, c ≈ 1.07.
    Per period x moves by α (-3/√8.21 + 1/√1.72 + 1/√1.07) ≈ +0.68 α: v forgets the rare
    gradient 3 before the two gradients -1 act, so those win. Since Σ α/√t diverges, x reaches
    the bound +1 (from x = 0, after a few hundred steps: 0.68 · 0.1 · (2/3)√t ≈ 1 at t ≈ 500)
    and then stays within one step (≈ 0.1/√t) of it.
    """
    xs = reddi_run(amsgrad=False)
    assert xs[0] == 0.0
    assert np.all((-1.0 <= xs) & (xs <= 1.0))
    assert np.all(xs[-300:] > 0.99)


def test_amsgrad_converges_to_the_best_point_on_reddis_problem():
    """AMSGrad ends at x = -1, the minimiser of the average loss.

    Why: v_max keeps the largest v (≈ 8.21, from the gradient 3), so every step has the same
    denominator: per period x moves by α (-3 + 1 + 1)/√8.21 ≈ -0.35 α, towards -1. From
    x = 0 the sum of these moves reaches -1 after roughly 2000 steps.
    """
    xs = reddi_run(amsgrad=True)
    assert np.all((-1.0 <= xs) & (xs <= 1.0))
    assert np.all(xs[-300:] < -0.99)


def test_run_with_a_schedule_sets_each_steps_learning_rate_then_restores_it():
    # SGD on f = x²/2 multiplies x by (1 - η_t): with η_t = 1/(t + 1), x_t = x_0 / (t + 1).
    opt = SGD(lr=0.5)
    path = run(opt, Quadratic([[1.0]]), [6.0], 5, schedule=lambda t: 1 / (t + 1))
    np.testing.assert_allclose(path.points[:, 0], 6.0 / np.arange(1, 7), rtol=1e-14)
    assert opt.lr == 0.5


def test_a_schedule_may_set_several_hyperparameters():
    opt = Momentum(lr=0.1, momentum=0.5)
    seen = []

    def schedule(t):
        seen.append((opt.lr, opt.momentum))
        return {"lr": 0.1 * t, "momentum": 0.0}

    run(opt, bowl(), (1.0, 1.0), 3, schedule=schedule)
    assert seen == [(0.1, 0.5), (0.1, 0.0), pytest.approx((0.2, 0.0))]
    assert (opt.lr, opt.momentum) == (0.1, 0.5)


def test_a_bad_scheduled_value_is_refused_by_name_and_the_rate_restored():
    opt = SGD(lr=0.1)
    with pytest.raises(ValueError, match="SGD: lr must be >= 0, got -1"):
        run(opt, bowl(), (1.0, 1.0), 3, schedule=lambda t: -1)
    assert opt.lr == 0.1


def test_run_records_the_named_buffers_after_every_step():
    # Momentum on a constant gradient 1 (the slope f = x): v_t = -η (1 - μ^t) / (1 - μ).
    assert run(SGD(lr=0.1), bowl(), (1.0, 1.0), 2).states == {}
    slope = LongSlope()
    path = run(Momentum(lr=0.1, momentum=0.5), slope, [1e9], 4, record=["v"])
    t = np.arange(1, 5)
    np.testing.assert_allclose(path.states["v"][:, 0], -0.1 * (1 - 0.5**t) / 0.5, rtol=1e-12)


def test_final_loss_is_infinite_for_a_diverged_run():
    assert run(SGD(lr=0.5), bowl(), (-7.0, 2.0), 10).final_loss == pytest.approx(
        bowl().value(np.array([-7.0 * 0.95**10, 0.0]))
    )
    assert run(SGD(lr=5.0), bowl(), (-7.0, 2.0), 100).final_loss == math.inf


def test_replay_reads_each_step_exactly():
    # AdaGrad's first step is η g / (|g| + ε) = η sign(g); RMSProp's is η g / (√(1-ρ)|g| + ε).
    steps = replay(AdaGrad(lr=0.01, eps=0.0), [[1e-6, -1e6]]).steps
    np.testing.assert_allclose(steps, [[-0.01, 0.01]], rtol=1e-15)
    result = replay(RMSProp(lr=0.01, rho=0.99, eps=0.0), [[2.0], [2.0]], record=["h"])
    np.testing.assert_allclose(result.states["h"][:, 0], [0.04, 0.99 * 0.04 + 0.04], rtol=1e-14)
    np.testing.assert_allclose(result.steps[0], [-0.01 / math.sqrt(0.01)], rtol=1e-14)


def test_sweep_runs_every_combination_with_the_fixed_settings():
    runs = sweep(
        Adam, {"lr": [0.1, 0.3], "beta1": [0.0, 0.9]}, bowl(), (-7.0, 2.0), 5, fixed={"beta2": 0.99}
    )
    assert sorted(runs) == [(0.1, 0.0), (0.1, 0.9), (0.3, 0.0), (0.3, 0.9)]
    alone = run(Adam(lr=0.3, beta1=0.9, beta2=0.99), bowl(), (-7.0, 2.0), 5)
    np.testing.assert_array_equal(runs[(0.3, 0.9)].points, alone.points)


def test_minibatch_least_squares_with_every_row_is_gradient_descent():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.normal(size=20)
    problem = LeastSquares(X, y)
    full = run(SGD(lr=0.1), problem, (0.0, 0.0), 10)
    batched = run(SGD(lr=0.1), problem.minibatches(batch_size=20, seed=3), (0.0, 0.0), 10)
    np.testing.assert_allclose(batched.points, full.points, rtol=1e-12)


def test_minibatches_visit_every_row_once_per_epoch():
    # With f = Σ (θ - y_i)² / 2n and θ fixed, the minibatch gradients of one epoch average
    # to the full gradient θ - mean(y) (batches of 3, 3, 1 weighted by their sizes).
    y = np.arange(7.0)
    problem = LeastSquares(np.ones((7, 1)), y)
    stream = problem.minibatches(batch_size=3, seed=0)
    grads = [stream.gradient(np.zeros(1))[0] for _ in range(problem.steps_per_epoch(3))]
    sizes = [3, 3, 1]
    assert sum(g * n for g, n in zip(grads, sizes, strict=True)) / 7 == pytest.approx(-3.0)
    assert problem.excess(problem.minimizers[0]) == 0.0


def test_first_step_within_counts_steps_and_says_when_a_run_never_gets_there():
    # SGD(0.5) on f = x²/2 halves x each step: x_t = 2^-t, below 0.1 first at t = 4.
    path = run(SGD(lr=0.5), Quadratic([[1.0]]), [1.0], 6)
    assert path.first_step_within(0.1, target=0.0) == 4
    assert path.first_step_within(1e-3, target=0.0) is None


def test_sweep_gives_each_run_a_fresh_stochastic_objective_when_asked():
    rng = np.random.default_rng(1)
    problem = LeastSquares(rng.normal(size=(30, 2)), rng.normal(size=30))
    runs = sweep(SGD, {"lr": [0.1, 0.2]}, lambda: problem.minibatches(5, seed=2), (0.0, 0.0), 12)
    # each run of the grid saw the minibatches a single run with that rate sees
    for (lr,), path in runs.items():
        alone = run(SGD(lr=lr), problem.minibatches(5, seed=2), (0.0, 0.0), 12)
        np.testing.assert_array_equal(path.points, alone.points)


# -- run_many and ema_average ----------------------------------------------------------


def test_run_many_runs_each_row_as_run_would_run_it_alone():
    # Adam acts on every entry on its own, so three rows in one array are three runs.
    f = rotated_bowl(30)
    starts = np.array([[-7.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
    rows = run_many(
        Adam(lr=0.3), f, starts, 25, schedule=cosine(0.3, 25), measure=lambda p: p.copy()
    )
    assert rows.shape == (26, 3, 2)
    for k, start in enumerate(starts):
        alone = run(Adam(lr=0.3), f, start, 25, schedule=cosine(0.3, 25))
        np.testing.assert_allclose(rows[:, k], alone.points, rtol=1e-13, atol=1e-15)
    losses = run_many(SGD(lr=0.1), f, starts, 3)
    np.testing.assert_allclose(losses[0], f.value(starts))


def test_run_many_gives_each_row_its_own_noise_and_restores_the_rate():
    f = NoisyQuadratic([[1.0]], noise_std=[1.0], seed=0)
    opt = SGD(lr=0.1)
    starts = np.zeros((500, 1))
    losses = run_many(opt, f, starts, 300, schedule=lambda t: 0.1)
    assert opt.lr == 0.1
    np.testing.assert_array_equal(starts, 0.0)
    assert len(np.unique(losses[-1])) == 500
    # 500 independent runs settle at the noise floor 0.1 / 2 · 1 / (2 - 0.1) ≈ 0.0263
    assert losses[100:].mean() == pytest.approx(f.noise_floor(0.1), rel=0.1)


def test_ema_average_by_hand_and_its_limits():
    # on the constant sequence 1 after a start at 0, a_k = 1 - β^k
    points = np.r_[0.0, np.ones(10)]
    np.testing.assert_allclose(ema_average(points, 0.9), 1 - 0.9 ** np.arange(11))
    many = np.random.default_rng(0).normal(size=(7, 4, 3))
    assert ema_average(many, 0.5).shape == (7, 4, 3)
    np.testing.assert_array_equal(ema_average(many, 0.0), many)
    np.testing.assert_array_equal(ema_average(many, 1.0), np.broadcast_to(many[0], many.shape))
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="decay"):
            ema_average(many, bad)
