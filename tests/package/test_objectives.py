"""The test functions: gradients, minimisers, curvatures and the Reddi et al. problem."""

import math

import numpy as np
import pytest

from descent import SGD, Momentum
from descent.lab.objectives import (
    Beale,
    LongSlope,
    NoisyQuadratic,
    Quadratic,
    ReddiOnline,
    Rosenbrock,
    Saddle,
    bowl,
    rotated_bowl,
)

OBJECTIVES = {
    "bowl": bowl,
    "rotated bowl": rotated_bowl,
    "rotated bowl 30 degrees": lambda: rotated_bowl(30.0),
    "Rosenbrock": Rosenbrock,
    "Beale": Beale,
    "saddle": Saddle,
    "long slope": lambda: LongSlope(dimension=2),
}

# Points away from every minimiser, inside the boxes the book plots.
POINTS = [(-7.0, 2.0), (0.3, -0.8), (1.5, 1.2), (-1.1, 0.4), (2.5, -0.6)]


def central_difference(f, p, h=1e-6):
    """(f(p + h e_i) - f(p - h e_i)) / 2h for each coordinate i of the last axis of ``p``.

    For a scalar ``f`` this is the gradient; for ``f`` a gradient it is the Hessian
    (entry [j, i] is ∂g_j/∂p_i).
    """
    p = np.asarray(p, dtype=float)
    columns = []
    for i in range(p.shape[-1]):
        e = np.zeros(p.shape[-1])
        e[i] = h
        columns.append((f(p + e) - f(p - e)) / (2 * h))
    return np.stack(columns, axis=-1)


def grid(xlim=(-2.0, 3.0), ylim=(-1.5, 2.0), nx=7, ny=5):
    """A (ny, nx, 2) grid of points, laid out as plot_contours lays it out."""
    xs, ys = np.linspace(*xlim, nx), np.linspace(*ylim, ny)
    return np.stack(np.meshgrid(xs, ys), axis=-1)


def rotation(degrees):
    a = math.radians(degrees)
    return np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])


# -- gradients -------------------------------------------------------------------


@pytest.mark.parametrize("make", OBJECTIVES.values(), ids=OBJECTIVES.keys())
@pytest.mark.parametrize("point", POINTS)
def test_gradient_matches_central_differences(make, point):
    f = make()
    numeric = central_difference(f.value, point)
    # Central differences err by O(h²) plus rounding of order 1e-16 |f| / h.
    scale = 1.0 + abs(f.value(np.array(point)))
    np.testing.assert_allclose(f.gradient(np.array(point)), numeric, rtol=1e-6, atol=1e-6 * scale)


@pytest.mark.parametrize("make", OBJECTIVES.values(), ids=OBJECTIVES.keys())
def test_grid_evaluation_agrees_with_point_by_point(make):
    f = make()
    points = grid()
    values, gradients = f.value(points), f.gradient(points)
    assert values.shape == points.shape[:2]
    assert gradients.shape == points.shape
    for j, i in np.ndindex(*points.shape[:2]):
        assert values[j, i] == pytest.approx(f.value(points[j, i]), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(gradients[j, i], f.gradient(points[j, i]), rtol=1e-12)


@pytest.mark.parametrize("make", OBJECTIVES.values(), ids=OBJECTIVES.keys())
def test_grid_gradient_matches_central_differences(make):
    f = make()
    points = grid()
    scale = 1.0 + np.abs(f.value(points)).max()
    np.testing.assert_allclose(
        f.gradient(points), central_difference(f.value, points), rtol=1e-6, atol=1e-6 * scale
    )


def test_one_point_gives_a_plain_float():
    assert type(bowl().value(np.array([1.0, 1.0]))) is float


# Values and gradients worked out by hand from the formulas in the module docstring.
HAND_VALUES = [
    # x²/20 + y² at (-7, 2): 49/20 + 4; gradient (x/10, 2y).
    (bowl, (-7.0, 2.0), 6.45, (-0.7, 4.0)),
    # (1 - x)² + 100 (y - x²)² at 0: 1;
    # d/dx = -2(1 - x) - 400 x (y - x²) = -2, d/dy = 200 (y - x²) = 0.
    (Rosenbrock, (0.0, 0.0), 1.0, (-2.0, 0.0)),
    # at (-1, 2): 4 + 100·1 = 104; d/dx = -4 - 400·(-1)·1 = 396, d/dy = 200·1 = 200.
    (Rosenbrock, (-1.0, 2.0), 104.0, (396.0, 200.0)),
    # Beale at 0: 1.5² + 2.25² + 2.625²; d/dx = Σ 2 c_k (0 - 1) = -2 (1.5 + 2.25 + 2.625),
    # d/dy = Σ 2 r_k k x y^(k-1) = 0 because x = 0.
    (Beale, (0.0, 0.0), 14.203125, (-12.75, 0.0)),
    # x²/2 + y⁴/4 - y²/2 at (2, 2): 2 + 4 - 2; gradient (x, y³ - y) = (2, 6).
    (Saddle, (2.0, 2.0), 4.0, (2.0, 6.0)),
    # Σ √(1 + θ²) - 1 at (0.75, 0): √1.5625 - 1 = 0.25; gradient θ/√(1 + θ²) = (0.6, 0).
    (lambda: LongSlope(dimension=2), (0.75, 0.0), 0.25, (0.6, 0.0)),
]


@pytest.mark.parametrize(("make", "point", "value", "gradient"), HAND_VALUES)
def test_values_and_gradients_worked_by_hand(make, point, value, gradient):
    f = make()
    assert f.value(np.array(point)) == pytest.approx(value, rel=1e-14)
    np.testing.assert_allclose(f.gradient(np.array(point)), gradient, rtol=1e-14, atol=1e-14)


# -- minimisers ------------------------------------------------------------------


@pytest.mark.parametrize("make", OBJECTIVES.values(), ids=OBJECTIVES.keys())
def test_minimisers_have_min_value_and_zero_gradient(make):
    f = make()
    assert len(f.minimizers) >= 1
    for p in f.minimizers:
        assert f.value(p) == pytest.approx(f.min_value, abs=1e-15)
        np.testing.assert_allclose(f.gradient(p), 0.0, atol=1e-15)


@pytest.mark.parametrize("make", OBJECTIVES.values(), ids=OBJECTIVES.keys())
def test_min_value_is_a_lower_bound_on_a_grid(make):
    f = make()
    assert f.value(grid((-4.0, 4.0), (-4.0, 4.0), nx=81, ny=81)).min() >= f.min_value


def test_known_minimisers():
    # Rosenbrock's valley floor y = x² meets (1 - x)² = 0 at (a, a²) = (1, 1); every residual of
    # Beale vanishes at (3, 1/2): 1.5 - 3 + 1.5 = 2.25 - 3 + 0.75 = 2.625 - 3 + 0.375 = 0.
    np.testing.assert_array_equal(Rosenbrock().minimizers[0], [1.0, 1.0])
    np.testing.assert_array_equal(Rosenbrock(a=2.0).minimizers[0], [2.0, 4.0])
    np.testing.assert_array_equal(Beale().minimizers[0], [3.0, 0.5])


# -- quadratics ------------------------------------------------------------------


def test_bowl_curvatures_and_condition_number():
    # x²/20 + y² = ½ (x²/10 + 2 y²) = ½ θᵀHθ with H = diag(1/10, 2): curvatures 1/10 and 2,
    # condition number 2 / (1/10) = 20, and L = 2 (so SGD needs η < 2/L = 1).
    f = bowl()
    np.testing.assert_allclose(f.hessian, np.diag([0.1, 2.0]))
    np.testing.assert_allclose(f.eigenvalues, [0.1, 2.0])
    assert f.condition_number == pytest.approx(20.0)
    assert f.L == pytest.approx(2.0)


@pytest.mark.parametrize("degrees", [45.0, 30.0, -60.0, 90.0, 0.0])
def test_rotated_bowl_has_the_bowl_curvatures(degrees):
    f = rotated_bowl(degrees)
    np.testing.assert_allclose(f.eigenvalues, [0.1, 2.0])
    assert f.condition_number == pytest.approx(20.0)
    np.testing.assert_array_equal(f.minimizers[0], [0.0, 0.0])
    assert f.min_value == 0.0


@pytest.mark.parametrize("degrees", [45.0, 30.0, -60.0, 90.0])
@pytest.mark.parametrize("point", POINTS)
def test_rotated_bowl_is_the_bowl_turned(degrees, point):
    # f(θ) = bowl(Rᵀθ), so f(R p) = bowl(RᵀR p) = bowl(p).
    p = np.array(point)
    turned = rotated_bowl(degrees)
    assert turned.value(rotation(degrees) @ p) == pytest.approx(bowl().value(p), rel=1e-12)


def test_rotated_bowl_by_45_degrees_couples_the_axes():
    # R D Rᵀ with R = [[1, -1], [1, 1]]/√2 and D = diag(a, b) is ½ [[a + b, a - b], [a - b, a + b]];
    # a = 0.1, b = 2 gives [[1.05, -0.95], [-0.95, 1.05]]: no coordinate axis is special.
    np.testing.assert_allclose(rotated_bowl().hessian, [[1.05, -0.95], [-0.95, 1.05]], atol=1e-15)


def test_quadratic_value_and_gradient():
    # ½ θᵀHθ with H = [[2, 1], [1, 4]] at (1, -1): ½ (2 - 2 + 4) = 2; Hθ = (1, -3).
    f = Quadratic([[2.0, 1.0], [1.0, 4.0]])
    assert f.value(np.array([1.0, -1.0])) == pytest.approx(2.0)
    np.testing.assert_allclose(f.gradient(np.array([1.0, -1.0])), [1.0, -3.0])


@pytest.mark.parametrize("hessian", [[[1.0, 2.0], [0.0, 1.0]], [1.0, 2.0], [[1.0, 0.0, 0.0]]])
def test_quadratic_rejects_a_non_symmetric_or_non_square_hessian(hessian):
    with pytest.raises(ValueError, match="symmetric square"):
        Quadratic(hessian)


# -- the saddle ------------------------------------------------------------------


def test_saddle_point_is_stationary_with_curvatures_of_both_signs():
    # The Hessian of x²/2 + y⁴/4 - y²/2 is diag(1, 3y² - 1): diag(1, -1) at the origin.
    f = Saddle()
    np.testing.assert_array_equal(f.gradient(f.saddle_point), [0.0, 0.0])
    H = central_difference(f.gradient, f.saddle_point, h=1e-5)
    np.testing.assert_allclose(H, np.diag([1.0, -1.0]), atol=1e-8)
    curvatures = np.linalg.eigvalsh((H + H.T) / 2)
    assert curvatures[0] < 0 < curvatures[1]


@pytest.mark.parametrize("minimiser", Saddle().minimizers, ids=["y=+1", "y=-1"])
def test_saddle_minimisers_are_strict_minima(minimiser):
    # At y = ±1 the Hessian diag(1, 3y² - 1) is diag(1, 2): positive definite.
    H = central_difference(Saddle().gradient, minimiser, h=1e-5)
    np.testing.assert_allclose(H, np.diag([1.0, 2.0]), atol=1e-8)


# -- the Reddi et al. online problem ---------------------------------------------


@pytest.mark.parametrize(
    ("C", "period", "expected"),
    [
        # t = 1..8; the large gradient C comes at t ≡ 1 (mod p), every other step has -1.
        (3.0, 3, [3, -1, -1, 3, -1, -1, 3, -1]),
        (5.0, 4, [5, -1, -1, -1, 5, -1, -1, -1]),
        (1.5, 2, [1.5, -1, 1.5, -1, 1.5, -1, 1.5, -1]),
    ],
)
def test_reddi_gradient_sequence(C, period, expected):
    problem = ReddiOnline(C=C, period=period)
    slopes = [float(problem.gradient(np.array([0.2]), t)[0]) for t in range(1, 9)]
    assert slopes == expected


def test_reddi_defaults_are_theorem_1():
    problem = ReddiOnline()
    assert (problem.C, problem.period) == (3.0, 3)
    np.testing.assert_array_equal(problem.minimizers[0], [-1.0])


def test_reddi_gradient_has_the_shape_of_x_and_value_is_linear():
    problem = ReddiOnline()
    x = np.array([[-1.0, 0.5], [0.25, 1.0]])
    assert problem.gradient(x, 1).shape == x.shape
    np.testing.assert_array_equal(problem.value(x, 1), 3.0 * x)
    np.testing.assert_array_equal(problem.value(x, 2), -x)


@pytest.mark.parametrize(("C", "period"), [(3.0, 3), (5.0, 4), (2.5, 2)])
def test_reddi_average_value_is_the_mean_over_a_period_and_minimised_at_minus_one(C, period):
    # One period adds C x - (p - 1) x, so the mean loss is (C - p + 1) x / p, increasing in x
    # because C > p - 1: its minimum over [-1, 1] is at x = -1.
    problem = ReddiOnline(C=C, period=period)
    xs = np.linspace(-1.0, 1.0, 201)
    mean = np.mean([problem.value(xs, t) for t in range(1, period + 1)], axis=0)
    np.testing.assert_allclose(problem.average_value(xs), mean, atol=1e-15)
    assert xs[np.argmin(problem.average_value(xs))] == -1.0


def test_reddi_project_clips_in_place():
    problem = ReddiOnline()
    x = np.array([-3.0, -1.0, 0.5, 1.0, 2.0])
    assert problem.project(x) is None  # it works on x itself
    np.testing.assert_array_equal(x, [-1.0, -1.0, 0.5, 1.0, 1.0])


@pytest.mark.parametrize(
    ("C", "period", "message"),
    [
        (2.0, 3, "C must be finite and exceed"),  # C = p - 1: the average loss is 0 everywhere
        (1.0, 3, "C must be finite and exceed"),
        (0.5, 2, "C must be finite and exceed"),
        (3.0, 1, "period must be an integer >= 2"),
        (3.0, 0, "period must be an integer >= 2"),
        (3.0, 2.5, "period must be an integer >= 2"),
    ],
)
def test_reddi_rejects_bad_constants(C, period, message):
    with pytest.raises(ValueError, match=message):
        ReddiOnline(C=C, period=period)


@pytest.mark.parametrize("C", [math.nan, math.inf])
def test_reddi_rejects_a_non_finite_C(C):
    # NaN fails every comparison, so "C <= p - 1" does not catch it; an infinite C makes
    # every gradient C infinite, which each optimizer then refuses. Both are bad input.
    with pytest.raises(ValueError, match="C must be finite"):
        ReddiOnline(C=C)


# -- the noisy quadratic ---------------------------------------------------------


def test_noisy_quadratic_without_noise_is_the_quadratic():
    H = [[2.0, 1.0], [1.0, 4.0]]
    exact, noiseless = Quadratic(H), NoisyQuadratic(H, noise_std=[0.0, 0.0], batch_size=3)
    points = grid()
    np.testing.assert_array_equal(noiseless.gradient(points), exact.gradient(points))
    np.testing.assert_array_equal(noiseless.value(points), exact.value(points))
    assert noiseless.minimizers[0].tolist() == [0.0, 0.0]
    assert noiseless.noise_floor(0.1) == 0.0


def test_noisy_quadratic_value_is_exact_and_noise_is_fresh_at_every_call():
    f = NoisyQuadratic([[1.0]], noise_std=[1.0], seed=3)
    assert f.value(np.array([2.0])) == 2.0  # 2²/2, no noise
    assert f.gradient(np.array([2.0]))[0] != f.gradient(np.array([2.0]))[0]


def test_noisy_quadratic_is_reproducible_from_its_seed():
    def draws(seed):
        f = NoisyQuadratic(np.eye(2), noise_std=[1.0, 2.0], seed=seed)
        return np.array([f.gradient(np.zeros(2)) for _ in range(5)])

    np.testing.assert_array_equal(draws(7), draws(7))
    assert not np.array_equal(draws(7), draws(8))


@pytest.mark.parametrize("batch_size", [1, 4])
def test_noise_covariance_is_sigma_over_batch_size(batch_size):
    # The noise at θ = 0 is the whole gradient. Its sample covariance over N = 200,000
    # draws has a standard error of at most √((Σ_ii Σ_jj + Σ_ij²)/N) / B ≤ √(4.4/N) ≈ 0.005
    # per entry; the tolerance 0.03 is six of those.
    covariance = np.array([[2.0, 0.6], [0.6, 1.0]])
    f = NoisyQuadratic(np.eye(2), noise_covariance=covariance, batch_size=batch_size, seed=1)
    noise = f.gradient(np.zeros((200_000, 2)))
    np.testing.assert_allclose(noise.mean(axis=0), 0.0, atol=0.03)
    np.testing.assert_allclose(np.cov(noise.T), covariance / batch_size, atol=0.03)


def test_noise_std_is_a_diagonal_covariance():
    by_std = NoisyQuadratic(np.eye(2), noise_std=[1.0, 3.0])
    by_covariance = NoisyQuadratic(np.eye(2), noise_covariance=np.diag([1.0, 9.0]))
    np.testing.assert_array_equal(by_std.noise_covariance, by_covariance.noise_covariance)
    assert by_std.noise_floor(0.2) == pytest.approx(by_covariance.noise_floor(0.2), rel=1e-14)


def test_noise_floor_worked_by_hand():
    # H = diag(1, 4) and Σ = [[1, ½], [½, 2]]: σ² = (1, 2) along the eigenvectors (the axes).
    # η = 0.1, B = 2: η/(2B) · (1/(2 - 0.1) + 2/(2 - 0.4)) = 0.025 · (1/1.9 + 1.25).
    f = NoisyQuadratic(np.diag([1.0, 4.0]), noise_covariance=[[1.0, 0.5], [0.5, 2.0]], batch_size=2)
    np.testing.assert_allclose(f.noise_variances, [1.0, 2.0])
    assert f.noise_floor(0.1) == pytest.approx(0.025 * (1 / 1.9 + 1.25), rel=1e-14)


@pytest.mark.parametrize("degrees", [30.0, 45.0])
def test_noise_floor_does_not_depend_on_the_axes(degrees):
    # Turning H and Σ together (R H Rᵀ, R Σ Rᵀ) changes no variance along an eigenvector.
    H, sigma = np.diag([1.0, 4.0]), np.array([[1.0, 0.5], [0.5, 2.0]])
    R = rotation(degrees)
    turned = NoisyQuadratic(R @ H @ R.T, noise_covariance=R @ sigma @ R.T, batch_size=2)
    straight = NoisyQuadratic(H, noise_covariance=sigma, batch_size=2)
    assert turned.noise_floor(0.1) == pytest.approx(straight.noise_floor(0.1), rel=1e-12)


def test_noise_floor_small_rate_limit_and_instability():
    # For ηλ → 0 the floor is η tr(Σ)/(4B(1 - μ)); at ηλ = 2(1 + μ) the iteration is unstable.
    f = NoisyQuadratic(np.diag([1.0, 4.0]), noise_std=[1.0, 2.0], batch_size=5)
    assert f.noise_floor(1e-6) == pytest.approx(1e-6 * 5 / 20, rel=1e-5)
    assert f.noise_floor(1e-6, momentum=0.9) == pytest.approx(1e-5 * 5 / 20, rel=1e-5)
    assert f.noise_floor(0.5) == math.inf
    assert math.isfinite(f.noise_floor(0.5, momentum=0.5))
    assert f.noise_floor(0.75, momentum=0.5) == math.inf


def stationary_mean_loss(optimizer, f, n_chains, n_burn_in, n_steps):
    """Mean loss of each of n_chains independent runs from 0, over steps after the burn-in."""
    params = {"theta": np.zeros((n_chains, 1))}
    total = np.zeros(n_chains)
    for t in range(n_burn_in + n_steps):
        optimizer.update(params, {"theta": f.gradient(params["theta"])})
        if t >= n_burn_in:
            total += f.value(params["theta"])
    return total / n_steps


@pytest.mark.parametrize(
    ("optimizer", "momentum"),
    [(SGD(lr=0.1), 0.0), (Momentum(lr=0.01, momentum=0.9), 0.9)],
    ids=["SGD", "Momentum"],
)
def test_noise_floor_matches_a_long_seeded_run(optimizer, momentum):
    # λ = 1, σ = 1, B = 1. SGD, η = 0.1: Var = η/(2 - η) = 1/19, floor = 1/38 = 0.02632.
    # Heavy ball, η = 0.01, μ = 0.9: Var = η(1 + μ)/((1 - μ)(2(1 + μ) - η)) = 0.019/0.379, floor
    # 0.02507. Both start at the minimum; the burn-in of 1,000 steps is 50 times the longest
    # memory (SGD forgets by 1 - ηλ = 0.9 per step, the heavy ball by √μ ≈ 0.95), so its
    # trace is far below 1%. The tolerance is four standard errors of the mean over 1,000
    # independent chains (the standard error is below 0.5% of the floor) plus 1% for what is
    # left of the burn-in.
    f = NoisyQuadratic([[1.0]], noise_std=[1.0], seed=11)
    chains = stationary_mean_loss(optimizer, f, n_chains=1000, n_burn_in=1000, n_steps=3000)
    predicted = f.noise_floor(optimizer.lr, momentum=momentum)
    standard_error = chains.std(ddof=1) / math.sqrt(len(chains))
    assert standard_error < 0.005 * predicted
    assert abs(chains.mean() - predicted) < 4 * standard_error + 0.01 * predicted


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of noise_std and noise_covariance"),
        ({"noise_std": [1.0], "noise_covariance": [[1.0]]}, "exactly one"),
        ({"noise_std": [1.0, 2.0]}, "noise_std must be 1 finite numbers >= 0"),
        ({"noise_std": [-1.0]}, "noise_std must be"),
        ({"noise_std": [math.nan]}, "noise_std must be"),
        ({"noise_covariance": [[1.0, 0.0]]}, "symmetric 1x1"),
        ({"noise_covariance": [[-1.0]]}, "positive semi-definite"),
        ({"noise_std": [1.0], "batch_size": 0}, "batch_size must be an int >= 1"),
        ({"noise_std": [1.0], "batch_size": 2.0}, "batch_size must be an int >= 1"),
        ({"noise_std": [1.0], "batch_size": True}, "batch_size must be an int >= 1"),
    ],
)
def test_noisy_quadratic_rejects_bad_noise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NoisyQuadratic([[1.0]], **kwargs)


@pytest.mark.parametrize(
    ("hessian", "lr", "momentum", "message"),
    [
        ([[1.0, 0.0], [0.0, 0.0]], 0.1, 0.0, "positive definite"),
        ([[1.0, 0.0], [0.0, -1.0]], 0.1, 0.0, "positive definite"),
        (np.eye(2), -0.1, 0.0, "lr must be a finite number >= 0"),
        (np.eye(2), math.nan, 0.0, "lr must be"),
        (np.eye(2), 0.1, 1.0, "momentum must be in"),
    ],
)
def test_noise_floor_rejects_what_has_no_stationary_distribution(hessian, lr, momentum, message):
    f = NoisyQuadratic(hessian, noise_std=[1.0, 1.0])
    with pytest.raises(ValueError, match=message):
        f.noise_floor(lr, momentum=momentum)
