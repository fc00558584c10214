"""Known answers, each derived by hand in the test's docstring or comments.

Tolerances: rtol=1e-12 wherever the expected value is a closed form evaluated in
float64 (the implementation and the formula round differently, by a few ulp per step).
"""

import numpy as np
import pytest

from descent import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSProp

RTOL = 1e-12


@pytest.mark.parametrize(
    ("lr", "lam", "steps"),
    [
        pytest.param(0.1, 1.0, 30, id="slow-0.9"),
        pytest.param(0.25, 2.0, 12, id="exact-0.5"),
        pytest.param(0.5, 3.0, 20, id="oscillating-minus-0.5"),
        pytest.param(1.1, 2.0, 15, id="diverging-minus-1.2"),
    ],
)
def test_sgd_on_quadratic_is_geometric(lr, lam, steps):
    """SGD on f(x) = λx²/2 has g = λx, so x ← x − ηλx = (1 − ηλ)x and x_t = (1 − ηλ)ᵗ x₀.

    |1 − ηλ| < 1 converges (0.9, 0.5, −0.5 above), ηλ > 2 diverges (−1.2 above).
    """
    x0 = np.array([1.0, -3.0, 0.5])
    params = {"x": x0.copy()}
    opt = SGD(lr=lr)
    for _ in range(steps):
        opt.update(params, {"x": lam * params["x"]})
    np.testing.assert_allclose(params["x"], (1 - lr * lam) ** steps * x0, rtol=RTOL)


@pytest.mark.parametrize(
    ("lr", "mu", "steps"), [(0.1, 0.9, 1), (0.1, 0.9, 7), (0.05, 0.5, 20), (0.2, 0.0, 3)]
)
def test_momentum_on_constant_gradient_closed_form(lr, mu, steps):
    """v_t = μv_{t−1} − ηg with v_0 = 0 unrolls to
    v_t = −ηg(1 + μ + … + μ^{t−1}) = −ηg(1 − μᵗ)/(1 − μ).

    θ_t = θ_0 + Σ_{s=1..t} v_s = θ_0 − ηg/(1 − μ) · Σ_{s=1..t}(1 − μˢ)
        = θ_0 − ηg/(1 − μ) · (t − μ(1 − μᵗ)/(1 − μ)).
    """
    g = np.array([2.0, -0.5])
    theta0 = np.array([1.0, 1.0])
    params = {"w": theta0.copy()}
    opt = Momentum(lr=lr, momentum=mu)
    for _ in range(steps):
        opt.update(params, {"w": g})
    v = -lr * g * (1 - mu**steps) / (1 - mu)
    theta = theta0 - lr * g / (1 - mu) * (steps - mu * (1 - mu**steps) / (1 - mu))
    np.testing.assert_allclose(opt.state["w"]["v"], v, rtol=RTOL)
    np.testing.assert_allclose(params["w"], theta, rtol=RTOL)


def test_momentum_velocity_tends_to_terminal_velocity():
    """As t → ∞, μᵗ → 0 and v_t = −ηg(1 − μᵗ)/(1 − μ) → −ηg/(1 − μ): 10× the SGD step at μ = 0.9.

    After 400 steps μᵗ = 0.9⁴⁰⁰ ≈ 5e-19, far below the tolerance.
    """
    g = np.array([3.0, -1.0, 0.25])
    params = {"w": np.zeros(3)}
    opt = Momentum(lr=0.01, momentum=0.9)
    for _ in range(400):
        opt.update(params, {"w": g})
    np.testing.assert_allclose(opt.state["w"]["v"], -0.01 * g / (1 - 0.9), rtol=RTOL)
    np.testing.assert_allclose(opt.state["w"]["v"], [-0.3, 0.1, -0.025], rtol=RTOL)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: AdaGrad(lr=0.1, eps=0.5), id="AdaGrad"),
        pytest.param(lambda: Adam(lr=0.1, eps=0.5), id="Adam"),
        pytest.param(lambda: Adam(lr=0.1, eps=0.5, amsgrad=True), id="Adam-amsgrad"),
        pytest.param(lambda: Adam(lr=0.1, beta1=0.5, beta2=0.3, eps=0.5), id="Adam-betas"),
        pytest.param(lambda: AdamW(lr=0.1, eps=0.5, weight_decay=0.0), id="AdamW"),
    ],
)
def test_first_step_is_lr_g_over_abs_g_plus_eps(make):
    """First step η·g/(|g| + ε), whatever the betas.

    AdaGrad: h_1 = g², √h_1 = |g|.  Adam: m_1 = (1 − β₁)g and v_1 = (1 − β₂)g², so
    m̂_1 = m_1/(1 − β₁) = g and v̂_1 = v_1/(1 − β₂) = g², √v̂_1 = |g| (AMSGrad: v_max = v_1).
    With η = 0.1, ε = 0.5 and g = (2, −0.5, 0):
    Δ = −0.1·2/2.5 = −0.08,  −0.1·(−0.5)/1.0 = +0.05,  0.
    """
    params = {"w": np.array([1.0, 1.0, 1.0])}
    make().update(params, {"w": np.array([2.0, -0.5, 0.0])})
    np.testing.assert_allclose(params["w"] - 1.0, [-0.08, 0.05, 0.0], rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize(
    ("rho", "eps", "g", "step"),
    [
        # ε = 0: Δ = −η·sign(g)/√(1 − ρ), whatever |g|. η/√0.01 = 0.01/0.1 = 0.1 (10 η).
        (0.99, 0.0, 3.0, -0.1),
        (0.99, 0.0, -0.02, 0.1),
        # √(1 − 0.75) = 0.5: 0.01/0.5 = 0.02.   ρ = 0: plain sign step, 0.01.
        (0.75, 0.0, 2.0, -0.02),
        (0.0, 0.0, 5.0, -0.01),
        # ε = 0.1, g = 1: Δ = −0.01·1/(0.1·1 + 0.1) = −0.05.
        (0.99, 0.1, 1.0, -0.05),
    ],
)
def test_rmsprop_first_step(rho, eps, g, step):
    """h_1 = ρ·0 + (1 − ρ)g², so √h_1 = √(1 − ρ)|g| and Δ = −η g/(√(1 − ρ)|g| + ε) (η = 0.01)."""
    params = {"w": np.array([0.0])}
    RMSProp(lr=0.01, rho=rho, eps=eps).update(params, {"w": np.array([g])})
    np.testing.assert_allclose(params["w"], [step], rtol=RTOL)


def test_rmsprop_first_step_is_about_ten_lr_with_default_eps():
    """With ρ = 0.99 and ε = 1e-8 ≪ √0.01·|g| the first step is ≈ η/√(1 − ρ) = 10η, for any |g|."""
    params = {"w": np.zeros(3)}
    RMSProp(lr=0.01).update(params, {"w": np.array([1.0, -40.0, 0.5])})
    np.testing.assert_allclose(params["w"], [-0.1, 0.1, -0.1], rtol=1e-6)


@pytest.mark.parametrize(("lr", "weight_decay"), [(0.1, 0.5), (0.5, 1.0), (0.001, 0.01)])
def test_adamw_with_zero_gradient_decays_geometrically(lr, weight_decay):
    """Zero gradient: m = v = 0, so Adam's part is η·0/(0 + ε) = 0 and only θ ← (1 − ηλ)θ acts.

    After t steps θ_t = (1 − ηλ)ᵗ θ_0; e.g. η = 0.1, λ = 0.5: 0.95ᵗ.
    """
    theta0 = np.array([2.0, -1.0, 0.0])
    params = {"w": theta0.copy()}
    opt = AdamW(lr=lr, weight_decay=weight_decay)
    for _ in range(25):
        opt.update(params, {"w": np.zeros(3)})
    np.testing.assert_allclose(params["w"], (1 - lr * weight_decay) ** 25 * theta0, rtol=RTOL)


def test_two_nesterov_steps_by_hand():
    """Nesterov (η = 0.1, μ = 0.9) on f(θ) = θ², g = 2θ, from θ_0 = 1.

    Step 1: g = 2;    v_1 = 0.9·0 − 0.1·2 = −0.2;
            θ_1 = 1 + 0.9·(−0.2) − 0.1·2 = 1 − 0.18 − 0.2 = 0.62.
    Step 2: g = 1.24; v_2 = 0.9·(−0.2) − 0.1·1.24 = −0.18 − 0.124 = −0.304;
            θ_2 = 0.62 + 0.9·(−0.304) − 0.124 = 0.62 − 0.2736 − 0.124 = 0.2224.
    Every step is linear in θ, so from θ_0 = (1, −2) the answers scale: θ_2 = 0.2224·θ_0.
    (Plain momentum would give θ_1 = 0.8, θ_2 = 0.8 + (−0.18 − 0.16) = 0.46.)
    """
    params = {"w": np.array([1.0, -2.0])}
    opt = Nesterov(lr=0.1, momentum=0.9)
    opt.update(params, {"w": 2 * params["w"]})
    np.testing.assert_allclose(params["w"], [0.62, -1.24], rtol=RTOL)
    np.testing.assert_allclose(opt.state["w"]["v"], [-0.2, 0.4], rtol=RTOL)
    opt.update(params, {"w": 2 * params["w"]})
    np.testing.assert_allclose(params["w"], [0.2224, -0.4448], rtol=RTOL)
    np.testing.assert_allclose(opt.state["w"]["v"], [-0.304, 0.608], rtol=RTOL)


def test_two_momentum_steps_differ_from_nesterov():
    """Same problem with Momentum: θ_1 = 1 − 0.2 = 0.8;
    v_2 = 0.9·(−0.2) − 0.1·1.6 = −0.34, θ_2 = 0.8 − 0.34 = 0.46."""
    params = {"w": np.array([1.0])}
    opt = Momentum(lr=0.1, momentum=0.9)
    for _ in range(2):
        opt.update(params, {"w": 2 * params["w"]})
    np.testing.assert_allclose(params["w"], [0.46], rtol=RTOL)


def test_adam_with_beta1_zero_is_bias_corrected_rmsprop(start_params, gradient):
    """β₁ = 0 gives m_t = g_t and m̂_t = g_t/(1 − 0ᵗ) = g_t, leaving RMSProp with bias correction:

    v_t = β₂v_{t−1} + (1 − β₂)g_t²,  v̂_t = v_t/(1 − β₂ᵗ),  θ_t = θ_{t−1} − η g_t/(√v̂_t + ε).
    """
    lr, beta2, eps = 0.05, 0.9, 1e-8
    adam_params, rms_params = start_params(), start_params()
    adam = Adam(lr=lr, beta1=0.0, beta2=beta2, eps=eps)
    v = {key: np.zeros_like(theta) for key, theta in rms_params.items()}
    for t in range(1, 201):
        adam.update(adam_params, gradient(adam_params))
        for key, g in gradient(rms_params).items():
            v[key] = beta2 * v[key] + (1 - beta2) * g**2
            v_hat = v[key] / (1 - beta2**t)
            rms_params[key] -= lr * g / (np.sqrt(v_hat) + eps)
    for key in adam_params:
        np.testing.assert_allclose(adam_params[key], rms_params[key], rtol=RTOL)


def ema(avg, x, beta):
    """Exponential moving average: β·avg + (1 − β)·x."""
    return beta * avg + (1 - beta) * x


def test_adam_is_two_emas_and_bias_correction(start_params, gradient):
    """Adam = an EMA of g (momentum) + an EMA of g² (RMSProp) + bias correction, composed here."""
    lr, beta1, beta2, eps = 0.02, 0.9, 0.99, 1e-8
    adam_params, composed = start_params(), start_params()
    adam = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    m = dict.fromkeys(composed, 0.0)
    v = dict.fromkeys(composed, 0.0)
    for t in range(1, 301):
        adam.update(adam_params, gradient(adam_params))
        for key, g in gradient(composed).items():
            m[key] = ema(m[key], g, beta1)
            v[key] = ema(v[key], g**2, beta2)
            m_hat, v_hat = m[key] / (1 - beta1**t), v[key] / (1 - beta2**t)
            composed[key] -= lr * m_hat / (np.sqrt(v_hat) + eps)
    for key in adam_params:
        np.testing.assert_allclose(adam_params[key], composed[key], rtol=RTOL)
        np.testing.assert_allclose(adam.state[key]["m"], m[key], rtol=RTOL)
        np.testing.assert_allclose(adam.state[key]["v"], v[key], rtol=RTOL)


def test_amsgrad_v_max_is_the_running_maximum_of_v():
    """v_max_t = max(v_max_{t−1}, v_t), so it never decreases and equals max_{s ≤ t} v_s."""
    gradients = [4.0, 2.0, 1.0, 0.5, 0.25, 8.0, 0.1, 0.1, 0.1]  # shrinking, a spike, small again
    params = {"w": np.array([0.0, 0.0])}
    opt = Adam(lr=0.01, beta2=0.5, amsgrad=True)
    vs, v_maxes = [], []
    for g in gradients:
        opt.update(params, {"w": np.array([g, -g / 2])})
        vs.append(opt.state["w"]["v"].copy())
        v_maxes.append(opt.state["w"]["v_max"].copy())
    assert np.any(np.diff(vs, axis=0) < 0), "the test needs v itself to decrease somewhere"
    assert np.all(np.diff(v_maxes, axis=0) >= 0)
    np.testing.assert_array_equal(v_maxes, np.maximum.accumulate(vs, axis=0))


def test_amsgrad_step_is_smaller_than_adams_when_gradients_shrink():
    """η = 0.1, β₁ = 0 (so m̂ = g), β₂ = 0.5, ε = 0; gradients g_1 = 1, then g_2 = 0.1.

    Step 1 (both): v_1 = 0.5·1 = 0.5, v̂_1 = 0.5/(1 − 0.5) = 1, Δ_1 = −0.1·1/1 = −0.1.
    Step 2: v_2 = 0.5·0.5 + 0.5·0.01 = 0.255, bias 1 − 0.5² = 0.75.
      Adam:    v̂_2 = 0.255/0.75 = 0.34,            Δ_2 = −0.01/√0.34  ≈ −0.01715.
      AMSGrad: v_max = max(0.5, 0.255) = 0.5,
               v̂_2 = 0.5/0.75 = 2/3,               Δ_2 = −0.01/√(2/3) ≈ −0.01225.
    """
    steps = {}
    for amsgrad in (False, True):
        params = {"w": np.array([0.0])}
        opt = Adam(lr=0.1, beta1=0.0, beta2=0.5, eps=0.0, amsgrad=amsgrad)
        opt.update(params, {"w": np.array([1.0])})
        np.testing.assert_allclose(params["w"], [-0.1], rtol=RTOL)
        before = params["w"].copy()
        opt.update(params, {"w": np.array([0.1])})
        steps[amsgrad] = (params["w"] - before)[0]
    np.testing.assert_allclose(steps[False], -0.01 / np.sqrt(0.34), rtol=RTOL)
    np.testing.assert_allclose(steps[True], -0.01 / np.sqrt(2 / 3), rtol=RTOL)
    assert abs(steps[True]) < abs(steps[False])
