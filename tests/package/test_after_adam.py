"""Lion, Muon and Schedule-Free AdamW: answers by hand, Newton–Schulz, bad input, resuming,
and the reference implementations (lion_pytorch, torch.optim.Muon, schedulefree).

The generic tests (test_bad_input, test_state_dict, test_properties) run these classes too;
this file holds what is particular to each.
"""

import importlib
import inspect
import math
import pickle

import numpy as np
import pytest

from descent import AFTER_ADAM, Lion, Muon, ScheduleFreeAdamW
from descent.optimizers import MUON_COEFFICIENTS, newton_schulz

RTOL = 1e-12
CLASSICAL = (15 / 8, -10 / 8, 3 / 8)  # p(σ) = (15σ − 10σ³ + 3σ⁵)/8: p(1) = 1, p'(1) = 0


def p_iterated(sigma, steps, coefficients=MUON_COEFFICIENTS):
    """The scalar Newton–Schulz map σ ↦ aσ + bσ³ + cσ⁵, applied ``steps`` times."""
    a, b, c = coefficients
    for _ in range(steps):
        sigma = a * sigma + b * sigma**3 + c * sigma**5
    return sigma


def orthogonal(n, seed=0):
    """A random n×n orthogonal matrix (Q of a QR factorization)."""
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))
    return q


# -- Lion: known answers ---------------------------------------------------------------


def test_lion_first_step_is_decay_then_minus_lr_sign_g():
    """m_0 = 0, so c_1 = (1 − β₁) g and sign(c_1) = sign(g): θ_1 = (1 − ηλ) θ_0 − η sign(g),
    whatever the size of g; then m_1 = (1 − β₂) g."""
    theta0 = np.array([2.0, -1.0, 0.5, 3.0])
    g = np.array([1e-6, -40.0, 0.0, 3.0])
    params = {"w": theta0.copy()}
    opt = Lion(lr=0.1, beta1=0.9, beta2=0.99, weight_decay=0.5)
    opt.update(params, {"w": g})
    np.testing.assert_allclose(params["w"], 0.95 * theta0 - 0.1 * np.sign(g), rtol=RTOL)
    np.testing.assert_allclose(opt.state["w"]["m"], 0.01 * g, rtol=RTOL)


@pytest.mark.parametrize(("g2", "direction"), [(-0.05, -1.0), (-0.1, +1.0)])
def test_lion_second_step_follows_the_sign_of_the_interpolation(g2, direction):
    """g_1 = 1 gives m_1 = (1 − 0.99) · 1 = 0.01. Then c_2 = 0.9 · 0.01 + 0.1 g_2:
    g_2 = −0.05 → c_2 = 0.009 − 0.005 = +0.004, so θ still *decreases* (against g_2's sign);
    g_2 = −0.1 → c_2 = 0.009 − 0.01 = −0.001, so θ increases."""
    params = {"w": np.array([0.0])}
    opt = Lion(lr=0.1, beta1=0.9, beta2=0.99)
    opt.update(params, {"w": np.array([1.0])})
    opt.update(params, {"w": np.array([g2])})
    np.testing.assert_allclose(params["w"], [-0.1 + direction * 0.1], rtol=RTOL)


def test_lion_on_a_constant_gradient_drifts_at_exactly_lr_per_step():
    """Without decay, sign(c_t) = sign(g) at every step (c_t is a positive mix of g's), so
    θ_t = θ_0 − tη sign(g); with decay λ, θ_t = (1 − ηλ)ᵗ θ_0 − η sign(g) Σ_{k<t} (1 − ηλ)ᵏ."""
    g, theta0, lr, lam, t = np.array([0.3, -2.0]), np.array([1.0, 1.0]), 0.01, 0.5, 50
    plain, decayed = {"w": theta0.copy()}, {"w": theta0.copy()}
    opt, opt_decay = Lion(lr=lr), Lion(lr=lr, weight_decay=lam)
    for _ in range(t):
        opt.update(plain, {"w": g})
        opt_decay.update(decayed, {"w": g})
    np.testing.assert_allclose(plain["w"], theta0 - t * lr * np.sign(g), rtol=RTOL)
    q = 1 - lr * lam
    expected = q**t * theta0 - lr * np.sign(g) * (1 - q**t) / (1 - q)
    np.testing.assert_allclose(decayed["w"], expected, rtol=1e-11)


# -- Muon: known answers ---------------------------------------------------------------


@pytest.mark.parametrize("nesterov", [True, False])
def test_muon_first_step_on_a_scaled_orthogonal_gradient(nesterov):
    """G = sQ with Q orthogonal (4×4). m_1 = (1 − μ)G; with Nesterov u_1 = (1 − μ)G + μ m_1 =
    (1 − μ²)G, without u_1 = m_1: either way a positive multiple of Q. Newton–Schulz divides
    by ‖u‖_F, giving Q/√4: every singular value is 1/2, and each iteration maps it through
    p(σ) = aσ + bσ³ + cσ⁵, so O_1 = p⁽⁵⁾(1/2) Q. Square, so no lr adjustment:
    θ_1 = (1 − ηλ)θ_0 − η p⁽⁵⁾(1/2) Q."""
    Q, theta0 = orthogonal(4), np.arange(16.0).reshape(4, 4) / 10
    lr, mu, lam = 0.02, 0.9, 0.1
    params = {"W": theta0.copy()}
    opt = Muon(lr=lr, momentum=mu, nesterov=nesterov, weight_decay=lam)
    opt.update(params, {"W": 7.0 * Q})
    expected = (1 - lr * lam) * theta0 - lr * p_iterated(0.5, 5) * Q
    np.testing.assert_allclose(params["W"], expected, rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(opt.state["W"]["m"], (1 - mu) * 7.0 * Q, rtol=RTOL, atol=1e-15)
    assert 0.68 < p_iterated(0.5, 5) < 1.21  # not exactly 1: the iteration is not converged


@pytest.mark.parametrize(("shape", "adjustment"), [((6, 3), math.sqrt(2)), ((3, 6), 1.0)])
def test_muon_rectangular_step_and_its_lr_adjustment(shape, adjustment):
    """G = 5 × (a 6×3 matrix with orthonormal columns), or its transpose: its three singular
    values are all 5, so NS gives p⁽⁵⁾(1/√3) G/5. The lr is scaled by √max(1, A/B): √2 for
    6×3, 1 for 3×6 (torch's "original" adjustment)."""
    E = orthogonal(6, seed=1)[:, :3]
    G = 5 * (E if shape == (6, 3) else E.T)
    params = {"W": np.zeros(shape)}
    Muon(lr=0.1, weight_decay=0.0, nesterov=False).update(params, {"W": G})
    expected = -0.1 * adjustment * p_iterated(1 / math.sqrt(3), 5) * G / 5
    np.testing.assert_allclose(params["W"], expected, rtol=RTOL, atol=1e-15)


def test_muon_with_converged_newton_schulz_steps_by_exactly_the_polar_factor():
    """With the classical coefficients and 30 iterations, NS(u) = U Vᵀ (every σ → 1), so the
    step of a square W is −η U Vᵀ, however unequal g's singular values are."""
    rng = np.random.default_rng(2)
    g = rng.standard_normal((5, 5))
    U, _, Vt = np.linalg.svd(g)
    params = {"W": np.zeros((5, 5))}
    Muon(lr=0.1, weight_decay=0.0, ns_steps=30, ns_coefficients=CLASSICAL).update(params, {"W": g})
    np.testing.assert_allclose(params["W"], -0.1 * U @ Vt, rtol=1e-10, atol=1e-12)


def test_muon_first_step_is_a_descent_direction():
    """⟨O, G⟩ = Σ σ_i p⁽⁵⁾(σ_i/‖G‖_F) > 0 (p(σ)/σ = a + bσ² + cσ⁴ has no real root), so the
    step −ηO lowers any loss whose gradient is G, to first order."""
    rng = np.random.default_rng(3)
    for shape in [(2, 7), (7, 2), (4, 4), (1, 5)]:
        g = rng.standard_normal(shape)
        params = {"W": np.zeros(shape)}
        Muon(lr=0.1, weight_decay=0.0).update(params, {"W": g})
        assert np.sum(params["W"] * g) < 0


def test_muon_zero_gradient_only_decays():
    params = {"W": np.ones((2, 3))}
    opt = Muon(lr=0.1, weight_decay=0.5)
    for _ in range(3):
        opt.update(params, {"W": np.zeros((2, 3))})
    np.testing.assert_allclose(params["W"], 0.95**3 * np.ones((2, 3)), rtol=RTOL)


# -- Newton–Schulz ---------------------------------------------------------------------

SHAPES = [(1, 1), (1, 6), (6, 1), (3, 3), (4, 7), (7, 4), (16, 9)]


@pytest.mark.parametrize("shape", SHAPES)
def test_newton_schulz_keeps_singular_vectors_and_maps_each_singular_value(shape):
    """u = U Σ Vᵀ ⇒ NS_k(u) = U p⁽ᵏ⁾(Σ/‖u‖_F) Vᵀ: checked against numpy's SVD."""
    u = np.random.default_rng(4).standard_normal(shape)
    U, s, Vt = np.linalg.svd(u, full_matrices=False)
    expected = U @ np.diag(p_iterated(s / np.linalg.norm(u), 5)) @ Vt
    np.testing.assert_allclose(newton_schulz(u), expected, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", range(5))
def test_newton_schulz_pushes_singular_values_into_a_band_around_one(shape, seed):
    """Every σ_i ≥ ‖u‖_F/500 ends in [0.68, 1.21] after 5 default iterations (the docstring's
    band: the minimum and maximum of p⁽⁵⁾ on [1/500, 1])."""
    rng = np.random.default_rng(seed)
    # Singular values spread over three decades, so that the small ones must grow.
    U, _, Vt = np.linalg.svd(rng.standard_normal(shape), full_matrices=False)
    spread = np.logspace(0, -3, min(shape)) * rng.uniform(0.5, 2)
    u = U @ np.diag(spread) @ Vt
    big = spread >= np.linalg.norm(u) / 500
    out = np.linalg.svd(newton_schulz(u), compute_uv=False)  # same order as spread
    assert np.all((out[big] >= 0.68) & (out[big] <= 1.21)), out
    grid = p_iterated(np.linspace(1 / 500, 1, 100_001), 5)
    assert grid.min() >= 0.68
    assert grid.max() <= 1.21


@pytest.mark.parametrize("shape", SHAPES)
def test_classical_newton_schulz_converges_to_the_polar_factor(shape):
    """With (15/8, −10/8, 3/8), p⁽ᵏ⁾(σ) → 1 for every σ in (0, 1]: NS(u) → U Vᵀ."""
    u = np.random.default_rng(5).standard_normal(shape)
    U, _, Vt = np.linalg.svd(u, full_matrices=False)
    np.testing.assert_allclose(newton_schulz(u, 40, CLASSICAL), U @ Vt, rtol=1e-10, atol=1e-12)


def test_newton_schulz_is_scale_free_transpose_symmetric_and_keeps_the_dtype():
    u = np.random.default_rng(6).standard_normal((3, 5))
    np.testing.assert_allclose(newton_schulz(1e-3 * u), newton_schulz(u), rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(newton_schulz(u.T), newton_schulz(u).T)
    narrow = newton_schulz(u.astype(np.float32))
    assert narrow.dtype == np.float32
    np.testing.assert_allclose(narrow, newton_schulz(u), rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(newton_schulz(np.zeros((2, 3))), np.zeros((2, 3)))


def test_newton_schulz_refuses_a_vector():
    with pytest.raises(
        ValueError, match=r"^newton_schulz: u must be a 2-D array, got shape \(3,\)$"
    ):
        newton_schulz(np.ones(3))


# -- Schedule-Free AdamW: known answers -------------------------------------------------


@pytest.mark.parametrize("warmup_steps", [0, 4])
def test_schedule_free_first_step(warmup_steps):
    """z_0 = x_0 = y_0 = θ_0; c_1 = w_1/S_1 = 1; v̂_1 = g², so ĝ_1 = g/(|g| + ε) + λθ_0, and
    y_1 = y_0 + 1·(z_0 − y_0) + γ_1 (β₁ · 0 − 1) ĝ_1 = θ_0 − γ_1 ĝ_1 = z_1 = x_1,
    with γ_1 = η/W under a warm-up of W steps (η without)."""
    theta0, g = np.array([1.0, -2.0, 0.5]), np.array([0.5, -50.0, 1e-3])
    lr, eps, lam = 0.1, 1e-3, 0.2
    params = {"w": theta0.copy()}
    opt = ScheduleFreeAdamW(lr=lr, eps=eps, weight_decay=lam, warmup_steps=warmup_steps)
    opt.update(params, {"w": g})
    gamma = lr / warmup_steps if warmup_steps else lr
    expected = theta0 - gamma * (g / (np.abs(g) + eps) + lam * theta0)
    np.testing.assert_allclose(params["w"], expected, rtol=RTOL)
    np.testing.assert_allclose(opt.state["w"]["z"], expected, rtol=RTOL)
    np.testing.assert_allclose(opt.averaged(params)["w"], expected, rtol=RTOL)


def test_schedule_free_on_a_constant_gradient_averages_the_z_steps():
    """Constant g, no decay: v_t = (1 − β₂ᵗ) g², so v̂_t = g² and ĝ = g/(|g| + ε) =: d at every
    step; z_t = θ_0 − tγd. With r = 0 and a constant γ, w_t = γ² and c_t = 1/t: x_t is the plain
    mean of z_1..z_t = θ_0 − γd(t + 1)/2, and y_t = (1 − β₁)z_t + β₁x_t."""
    theta0, g = np.array([3.0, -1.0]), np.array([2.0, -0.25])
    lr, eps, beta1, t = 0.05, 1e-8, 0.9, 10
    params = {"w": theta0.copy()}
    opt = ScheduleFreeAdamW(lr=lr, beta1=beta1, eps=eps)
    for _ in range(t):
        opt.update(params, {"w": g})
    d = g / (np.abs(g) + eps)
    z = theta0 - t * lr * d
    x = theta0 - lr * d * (t + 1) / 2
    np.testing.assert_allclose(opt.state["w"]["z"], z, rtol=RTOL)
    np.testing.assert_allclose(opt.averaged(params)["w"], x, rtol=RTOL)
    np.testing.assert_allclose(params["w"], (1 - beta1) * z + beta1 * x, rtol=RTOL)


def test_schedule_free_x_is_the_weighted_average_of_the_z_iterates():
    """x_t = (1 − c_t) x_{t−1} + c_t z_t with c_t = w_t/S_t unrolls (by induction) to
    x_t = Σ_{s≤t} w_s z_s / Σ_{s≤t} w_s, with w_s = sʳ (γ^max_s)ᵖ; during a warm-up of W steps
    γ_s = ηs/W rises, so γ^max_s = γ_s; afterwards γ^max = η."""
    lr, W, r, p = 0.05, 3, 0.5, 1.5
    params = {"w": np.array([1.0, -2.0]), "b": np.array([[0.5]])}
    opt = ScheduleFreeAdamW(lr=lr, warmup_steps=W, r=r, weight_lr_power=p, weight_decay=0.1)
    zs, weights = [], []
    for s in range(1, 9):
        opt.update(params, {key: np.sin(3 * theta) for key, theta in params.items()})
        zs.append({key: buffers["z"].copy() for key, buffers in opt.state.items()})
        weights.append(s**r * (lr * min(1, s / W)) ** p)
    averaged = opt.averaged(params)
    for key in params:
        expected = sum(w * z[key] for w, z in zip(weights, zs, strict=True)) / sum(weights)
        np.testing.assert_allclose(averaged[key], expected, rtol=1e-12)
        # S_t and γ^max_t: one number per optimizer, kept in every entry of every key.
        np.testing.assert_allclose(opt.state[key]["weight_sum"], sum(weights), rtol=RTOL)
        assert np.all(opt.state[key]["lr_max"] == lr)


def test_schedule_free_averaged_changes_nothing_and_copies():
    params = {"w": np.array([1.0, 2.0])}
    opt = ScheduleFreeAdamW(lr=0.1)
    before = opt.averaged(params)  # before any step x = y: a copy
    assert before["w"] is not params["w"]
    np.testing.assert_array_equal(before["w"], params["w"])
    for _ in range(3):
        opt.update(params, {"w": np.array([1.0, -1.0])})
    saved, y = opt.state_dict(), params["w"].copy()
    x = opt.averaged(params)
    x["w"] += 100.0
    np.testing.assert_array_equal(params["w"], y)
    assert opt.state_dict()["step"] == saved["step"]
    for name, buffer in saved["state"]["w"].items():
        np.testing.assert_array_equal(opt.state["w"][name], buffer)


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(np.ones(5), id="1-d"),
        pytest.param(np.ones((2, 2, 2)), id="3-d"),
        pytest.param(np.array(1.0), id="0-d"),
    ],
)
def test_muon_refuses_a_param_that_is_not_a_matrix_and_changes_nothing(bad):
    W = np.linspace(-1, 1, 12).reshape(3, 4)
    params = {"W": W.copy(), "b": bad.copy()}
    opt = Muon(lr=0.1)
    message = (
        rf"^Muon\.update: param 'b' has shape {re_shape(bad.shape)}, but Muon updates only "
        r"2-D params \(matrices\); train the others with AdamW$"
    )
    with pytest.raises(ValueError, match=message):
        opt.update(params, {"W": np.ones((3, 4)), "b": np.ones_like(bad)})
    np.testing.assert_array_equal(params["W"], W)  # W comes first and is not touched
    assert opt.t == 0
    assert opt.state == {}


def re_shape(shape):
    return str(shape).replace("(", r"\(").replace(")", r"\)")


def test_muon_refuses_a_non_matrix_mid_run_and_changes_nothing(
    params_for, gradient, assert_lockstep
):
    """After steps on {W, b} (both matrices), a b flattened to a vector is refused (by the
    state check, which names its shape) and both runs then continue in lockstep."""
    runs = []
    for _ in range(2):
        opt, params = Muon(lr=0.05), params_for(Muon)()
        for _ in range(2):
            opt.update(params, gradient(params))
        runs.append((opt, params))
    (opt, params), (twin, twin_params) = runs
    flat = {**params, "b": params["b"].ravel()}
    with pytest.raises(ValueError, match=r"^Muon\.update: param 'b' has shape \(5,\)"):
        opt.update(flat, gradient(flat))
    assert_lockstep(opt, params, twin, twin_params)


@pytest.mark.parametrize(
    ("grad", "message"),
    [
        (np.zeros(5), r"grad 'b' has shape \(5,\) but param 'b' has shape \(5, 1\)"),
        (np.zeros((1, 5)), r"grad 'b' has shape \(1, 5\) but param 'b' has shape \(5, 1\)"),
    ],
)
def test_muon_grad_shape_mismatch(grad, message, params_for, gradient):
    params = params_for(Muon)()
    opt = Muon()
    with pytest.raises(ValueError, match=rf"^Muon\.update: {message}$"):
        opt.update(params, {**gradient(params), "b": grad})
    assert opt.t == 0


@pytest.mark.parametrize(
    ("params", "exc", "message"),
    [
        ([np.ones(2)], TypeError, r"params must be a dict, got list"),
        ({"v": np.ones(2)}, ValueError, r"params must have the keys .* \(state: w; params: v\)"),
        ({"w": np.ones(3)}, ValueError, r"param 'w' has shape \(3,\) and dtype float64, but"),
        (
            {"w": np.ones(2, np.float32)},
            ValueError,
            r"param 'w' has shape \(2,\) and dtype float32",
        ),
        ({"w": np.arange(2)}, TypeError, r"param 'w' must be a float array, got int64"),
        ({"w": [1.0, 2.0]}, TypeError, r"param 'w' must be a float array, got list"),
    ],
)
def test_averaged_refuses_params_that_do_not_fit(params, exc, message):
    opt = ScheduleFreeAdamW()
    opt.update({"w": np.ones(2)}, {"w": np.ones(2)})
    with pytest.raises(exc, match=rf"^ScheduleFreeAdamW\.averaged: {message}"):
        opt.averaged(params)


def test_averaged_needs_beta1_above_zero():
    """With β₁ = 0, y_t = z_t at every step: x is not recoverable (schedulefree divides by 0)."""
    params = {"w": np.array([1.0])}
    opt = ScheduleFreeAdamW(beta1=0.0)
    assert opt.averaged(params)["w"] == 1.0  # before any step x = y is known
    opt.update(params, {"w": np.array([1.0])})
    np.testing.assert_array_equal(params["w"], opt.state["w"]["z"])
    with pytest.raises(ValueError, match=r"^ScheduleFreeAdamW\.averaged: beta1 is 0\.0"):
        opt.averaged(params)


@pytest.mark.parametrize("cls", AFTER_ADAM)
def test_every_hyperparameter_has_a_checked_default(cls):
    """Each constructor argument is a declared, checked hyperparameter saved in state_dict."""
    names = list(inspect.signature(cls).parameters)
    assert names == list(cls().hyperparams)
    assert cls().state_dict()["hyperparams"] == {
        name: p.default for name, p in inspect.signature(cls).parameters.items()
    }


def test_ns_coefficients_accept_a_list_and_are_stored_as_a_tuple():
    opt = Muon(ns_coefficients=[1, -2, 3.5])
    assert opt.ns_coefficients == (1.0, -2.0, 3.5)
    assert isinstance(opt.state_dict()["hyperparams"]["ns_coefficients"], tuple)


# -- resuming and dtypes ---------------------------------------------------------------

DEFAULTS = [
    pytest.param(lambda: Lion(lr=0.01), id="Lion"),
    pytest.param(lambda: Muon(lr=0.02), id="Muon-nesterov"),
    pytest.param(lambda: ScheduleFreeAdamW(lr=0.05, warmup_steps=5), id="ScheduleFreeAdamW"),
]


@pytest.mark.parametrize("make", DEFAULTS)
def test_resuming_mid_warmup_is_bit_identical(make, params_for, gradient, assert_lockstep):
    """Save after 3 steps (inside Schedule-Free's warm-up), pickle, load into a fresh optimizer
    with other hyperparameters: both runs then agree bit for bit, averaged points included."""
    opt = make()
    params = params_for(type(opt))()
    for _ in range(3):
        opt.update(params, gradient(params))
    saved, saved_params = pickle.loads(pickle.dumps((opt.state_dict(), params)))
    fresh = type(opt)(lr=0.5)
    fresh.load_state_dict(saved)
    assert_lockstep(opt, params, fresh, saved_params, steps=8)
    if isinstance(opt, ScheduleFreeAdamW):
        for key, x in opt.averaged(params).items():
            np.testing.assert_array_equal(x, fresh.averaged(saved_params)[key])


@pytest.mark.parametrize("make", DEFAULTS)
def test_float32_stays_float32_everywhere(make, params_for, gradient):
    opt = make()
    params = {key: theta.astype(np.float32) for key, theta in params_for(type(opt))().items()}
    for _ in range(5):
        opt.update(params, {key: g.astype(np.float64) for key, g in gradient(params).items()})
    for key, theta in params.items():
        assert theta.dtype == np.float32
        for buffer in opt.state[key].values():
            assert buffer.dtype == np.float32
    if isinstance(opt, ScheduleFreeAdamW):
        assert all(x.dtype == np.float32 for x in opt.averaged(params).values())


def test_muon_float32_newton_schulz_runs_in_float32(monkeypatch):
    """Muon hands Newton–Schulz the momentum in the parameter's dtype (torch: bfloat16)."""
    import descent.optimizers as optimizers

    seen = []

    def spy(u, *args):
        seen.append(u.dtype)
        return newton_schulz(u, *args)

    monkeypatch.setattr(optimizers, "newton_schulz", spy)
    params = {"W": np.ones((2, 3), np.float32)}
    Muon().update(params, {"W": np.eye(2, 3)})
    assert seen == [np.float32]


# -- cross-checks against the reference implementations --------------------------------

TORCH_REASON = "torch is not installed; CI installs torch==2.13.0 (CPU) to run these cross-checks"


@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason=TORCH_REASON)


@pytest.fixture
def lion_pytorch(torch):
    return pytest.importorskip(
        "lion_pytorch",
        reason="lion-pytorch is not installed; CI installs it (--no-deps) after torch",
    )


@pytest.fixture
def schedulefree(torch):
    return pytest.importorskip(
        "schedulefree",
        reason="schedulefree is not installed; CI installs it (--no-deps) after torch",
    )


def matrices():
    """Two float64 matrices, one wide (3×4) and one tall (5×3, transposed inside NS)."""
    return {
        "W": np.linspace(-3.0, 3.0, 12).reshape(3, 4),
        "V": np.linspace(-2.0, 2.5, 15).reshape(5, 3),
    }


def lockstep_with_torch(torch, ours, params, theirs_factory, gradient, steps, check):
    """Step ours and the torch optimizer side by side from the same params; ``check(step, ours,
    theirs)`` compares the param dicts after every step. Returns both, and the tensors."""
    tensors = {key: torch.tensor(theta, requires_grad=True) for key, theta in params.items()}
    theirs = theirs_factory(list(tensors.values()))
    for step in range(1, steps + 1):
        ours.update(params, gradient(params))
        grads = gradient({key: t.detach().numpy() for key, t in tensors.items()})
        for key, t in tensors.items():
            t.grad = torch.from_numpy(grads[key])
        theirs.step()
        check(step, params, {key: t.detach().numpy() for key, t in tensors.items()})
    return theirs, tensors


def close(rtol, atol):
    def check(step, ours, theirs):
        for key in ours:
            np.testing.assert_allclose(
                ours[key], theirs[key], rtol=rtol, atol=atol, err_msg=f"{key}, {step=}"
            )

    return check


LION_CASES = [
    {"lr": 0.01, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0},
    {"lr": 0.003, "beta1": 0.8, "beta2": 0.95, "weight_decay": 0.5},
    {"lr": 0.05, "beta1": 0.0, "beta2": 0.5, "weight_decay": 0.1},
]


@pytest.mark.torch
@pytest.mark.parametrize("kwargs", LION_CASES, ids=lambda kw: repr(Lion(**kw)))
def test_lion_matches_lion_pytorch(kwargs, lion_pytorch, torch, start_params, gradient):
    """60 steps on mixed shapes, float64: identical to rounding (sign() removes most of it)."""
    lr, beta1, beta2, wd = kwargs.values()
    lockstep_with_torch(
        torch,
        Lion(**kwargs),
        start_params(),
        lambda p: lion_pytorch.Lion(p, lr=lr, betas=(beta1, beta2), weight_decay=wd),
        gradient,
        60,
        close(RTOL, 1e-14),
    )


MUON_CASES = [
    {},
    {"lr": 0.05, "momentum": 0.5, "nesterov": False, "weight_decay": 0.3, "ns_steps": 3,
     "eps": 1e-5, "ns_coefficients": CLASSICAL},
    {"lr": 0.01, "momentum": 0.9, "nesterov": True, "weight_decay": 0.0, "ns_steps": 6},
]  # fmt: skip


@pytest.fixture
def muon_in_float64(torch, monkeypatch):
    """torch.optim.Muon with its bfloat16 cast removed: torch 2.13's own Newton–Schulz source
    (``_zeropower_via_newtonschulz``) with ``grad.bfloat16()`` replaced by ``grad.clone()``,
    patched into the module that ``_single_tensor_muon`` looks it up in."""
    muon_module = importlib.import_module("torch.optim._muon")
    source = inspect.getsource(muon_module._zeropower_via_newtonschulz)
    assert source.count("grad.bfloat16()") == 1, (
        "torch's Muon no longer casts with grad.bfloat16(); update this fixture"
    )
    namespace = dict(vars(muon_module))
    exec(source.replace("grad.bfloat16()", "grad.clone()"), namespace)
    monkeypatch.setattr(
        muon_module, "_zeropower_via_newtonschulz", namespace["_zeropower_via_newtonschulz"]
    )
    return torch.optim.Muon


@pytest.mark.torch
@pytest.mark.parametrize("kwargs", MUON_CASES, ids=lambda kw: repr(Muon(**kw)))
def test_muon_matches_torch_muon_without_bfloat16(kwargs, muon_in_float64, torch, gradient):
    """30 steps, float64, a wide and a tall matrix: the same to rounding once torch's
    Newton–Schulz runs in float64 too (``adjust_lr_fn=None``, torch's default)."""
    lockstep_with_torch(
        torch,
        Muon(**kwargs),
        matrices(),
        lambda p: muon_in_float64(p, **kwargs),
        gradient,
        30,
        close(RTOL, 1e-12),
    )


def random_matrices():
    """A wide and a tall Gaussian matrix: well-conditioned, like most weight matrices."""
    rng = np.random.default_rng(9)
    return {"W": 2 * rng.standard_normal((3, 4)), "V": 2 * rng.standard_normal((5, 3))}


@pytest.mark.torch
@pytest.mark.parametrize("kwargs", MUON_CASES, ids=lambda kw: repr(Muon(**kw)))
def test_muon_matches_stock_torch_muon_within_bfloat16(kwargs, torch, gradient):
    """Stock torch runs Newton–Schulz in bfloat16 (8-bit mantissa, relative rounding ≈ 4e-3),
    and the unconverged iteration amplifies that. On well-conditioned matrices each update
    differs from ours by a few per cent of its size (≤ 10 % here), and over 30 steps the runs
    stay within 10 % of the distance travelled.

    (Singular values below about 1 % of ‖u‖_F are swamped by the bfloat16 rounding of u, and
    the iteration maps them anywhere in [0, 1.2]; on nearly low-rank gradients the two runs
    then differ along those directions by as much as the step itself.)"""
    start = random_matrices()

    def check(step, ours, theirs):
        for key in ours:
            travelled = np.linalg.norm(ours[key] - start[key])
            assert np.linalg.norm(ours[key] - theirs[key]) <= 0.1 * travelled, (key, step)

    lockstep_with_torch(
        torch,
        Muon(**kwargs),
        random_matrices(),
        lambda p: torch.optim.Muon(p, **kwargs),
        gradient,
        30,
        check,
    )

    # One step from the same state: the update itself, not just the trajectory.
    rng = np.random.default_rng(7)
    for shape in [(3, 4), (5, 3), (16, 16), (32, 8)]:
        theta, g = rng.standard_normal(shape), rng.standard_normal(shape)
        params = {"W": theta.copy()}
        Muon(**kwargs).update(params, {"W": g})
        tensor = torch.tensor(theta, requires_grad=True)
        tensor.grad = torch.tensor(g)
        torch.optim.Muon([tensor], **kwargs).step()
        ours, theirs = params["W"] - theta, tensor.detach().numpy() - theta
        assert np.linalg.norm(ours - theirs) <= 0.1 * np.linalg.norm(ours), shape


@pytest.mark.torch
def test_muon_float64_cross_check_is_not_vacuous(torch):
    """The bfloat16 difference is real (so the float64 check above does test the patch)."""
    u = np.random.default_rng(8).standard_normal((4, 6))
    _muon = importlib.import_module("torch.optim._muon")
    theirs = (
        _muon._zeropower_via_newtonschulz(torch.tensor(u), MUON_COEFFICIENTS, 5, 1e-7)
        .double()
        .numpy()
    )
    assert np.abs(theirs - newton_schulz(u)).max() > 1e-4


SCHEDULE_FREE_CASES = [
    {},
    {"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 1e-7, "weight_decay": 0.1,
     "warmup_steps": 7, "r": 0.5, "weight_lr_power": 1.5},
    {"lr": 0.1, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.0,
     "warmup_steps": 20, "r": 1.0, "weight_lr_power": 0.0},
]  # fmt: skip


def schedulefree_kwargs(kwargs):
    """Our keywords as schedulefree's: (beta1, beta2) become betas."""
    theirs = {k: v for k, v in kwargs.items() if k not in ("beta1", "beta2")}
    if "beta1" in kwargs:
        theirs["betas"] = (kwargs["beta1"], kwargs["beta2"])
    return theirs


@pytest.mark.torch
@pytest.mark.parametrize(
    "kwargs", SCHEDULE_FREE_CASES, ids=lambda kw: repr(ScheduleFreeAdamW(**kw))
)
def test_schedule_free_matches_schedulefree(kwargs, schedulefree, torch, start_params, gradient):
    """Train mode: 60 steps on mixed shapes, the params (y) the same to rounding. Then
    schedulefree's .eval() writes x into its params, which must be our averaged(params),
    and its .train() puts y back, which must be our (unchanged) params."""
    ours, params = ScheduleFreeAdamW(**kwargs), start_params()

    def factory(p):
        opt = schedulefree.AdamWScheduleFree(p, **schedulefree_kwargs(kwargs))
        opt.train()
        return opt

    theirs, tensors = lockstep_with_torch(
        torch, ours, params, factory, gradient, 60, close(RTOL, 1e-14)
    )
    x = ours.averaged(params)
    theirs.eval()
    for key, t in tensors.items():
        np.testing.assert_allclose(x[key], t.detach().numpy(), rtol=RTOL, atol=1e-14)
    theirs.train()  # back to y = x + (1 − β₁)(z − x): our params, which averaged left alone
    for key, t in tensors.items():
        np.testing.assert_allclose(params[key], t.detach().numpy(), rtol=RTOL, atol=1e-14)


@pytest.mark.torch
def test_schedule_free_float32_matches_schedulefree_in_float32(schedulefree, torch, gradient):
    params = {key: theta.astype(np.float32) for key, theta in matrices().items()}
    tensors = {key: torch.tensor(theta, requires_grad=True) for key, theta in params.items()}
    ours = ScheduleFreeAdamW(lr=0.05, warmup_steps=3)
    theirs = schedulefree.AdamWScheduleFree(list(tensors.values()), lr=0.05, warmup_steps=3)
    theirs.train()
    for _ in range(30):
        ours.update(params, gradient(params))
        grads = gradient({key: t.detach().numpy() for key, t in tensors.items()})
        for key, t in tensors.items():
            t.grad = torch.from_numpy(grads[key])
        theirs.step()
    for key, t in tensors.items():
        assert params[key].dtype == np.float32
        np.testing.assert_allclose(params[key], t.detach().numpy(), rtol=1e-5, atol=1e-6)
    x = ours.averaged(params)
    theirs.eval()
    for key, t in tensors.items():
        np.testing.assert_allclose(x[key], t.detach().numpy(), rtol=1e-5, atol=1e-6)
