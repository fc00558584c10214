"""Properties every optimizer must have, checked on inputs drawn by hypothesis."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from descent import OPTIMIZERS, Adam, AdamW, Lion, Muon, ScheduleFreeAdamW

DTYPES = [np.float32, np.float64]

# Every optimizer; Muon only where the params are matrices (it refuses any other shape).
ELEMENTWISE = (*OPTIMIZERS, Lion, ScheduleFreeAdamW)
ALL_CLASSES = (*ELEMENTWISE, Muon)

# Values exactly representable in float32, so the same draw serves both dtypes.
values = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=32)
# Gradients: zero, or of magnitude 2⁻¹⁰ ... 2¹⁰, so that every first step (≥ lr · 2⁻¹⁰ ≈
# 1e-5) is far larger than an ulp of a parameter of size ≤ 10, even in float32 (≈ 1e-6).
gradient_values = st.one_of(
    st.just(0.0),
    st.floats(2**-10, 2**10, width=32),
    st.floats(-(2**10), -(2**-10), width=32),
)
shapes = hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4)
matrix_shapes = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=4)


def shapes_for(cls):
    return matrix_shapes if cls is Muon else shapes


def as_param(cls, array):
    """``array`` as a parameter ``cls`` can update: Muon takes only matrices (one row here)."""
    return array.reshape(1, -1) if cls is Muon else array


def default_optimizer(cls):
    """The class with its defaults, except no weight decay for AdamW and Muon (whose
    default decay moves θ by itself)."""
    return cls(weight_decay=0.0) if cls in (AdamW, Muon) else cls()


@pytest.mark.parametrize("cls", ALL_CLASSES)
@settings(max_examples=30, deadline=None)
@given(dtype=st.sampled_from(DTYPES), data=st.data(), steps=st.integers(1, 5))
def test_zero_gradient_leaves_params_unchanged(cls, dtype, data, steps):
    """From fresh state a zero gradient moves nothing: every velocity/average starts at 0.

    (AdamW's decay still acts on a zero gradient; it is off here and derived in
    test_known_answers.test_adamw_with_zero_gradient_decays_geometrically. Lion's sign(0)
    is 0; Muon orthogonalizes a zero matrix to zero; Schedule-Free's y, z and x all start
    at θ and stay there.)
    """
    theta = data.draw(hnp.arrays(np.float64, shapes_for(cls), elements=values)).astype(dtype)
    params = {"w": theta.copy()}
    opt = default_optimizer(cls)
    for _ in range(steps):
        opt.update(params, {"w": np.zeros_like(theta)})
    np.testing.assert_array_equal(params["w"], theta)


@pytest.mark.parametrize("cls", ELEMENTWISE)
@settings(max_examples=30, deadline=None)
@given(dtype=st.sampled_from(DTYPES), data=st.data())
def test_first_step_moves_against_the_gradient(cls, dtype, data):
    """Every elementwise method's first step is −(positive factor)·g elementwise:

    SGD −ηg; Momentum v = −ηg; Nesterov (1 + μ)(−ηg); AdaGrad, RMSProp, Adam −η g/(c|g| + ε);
    Lion −η sign(g); Schedule-Free −η g/(|g| + ε). (Muon's step mixes coordinates; its
    first step is a descent direction, tested in test_after_adam.)"""
    shape = data.draw(shapes)
    theta = data.draw(hnp.arrays(np.float64, shape, elements=values)).astype(dtype)
    g = data.draw(hnp.arrays(np.float64, shape, elements=gradient_values)).astype(dtype)
    params = {"w": theta.copy()}
    default_optimizer(cls).update(params, {"w": g})
    step = params["w"] - theta
    np.testing.assert_array_equal(np.sign(step), -np.sign(g))


@settings(max_examples=100, deadline=None)
@given(
    lr=st.floats(1e-6, 10),
    beta1=st.floats(0, 0.999),
    beta2=st.floats(0, 0.9999),
    eps=st.floats(1e-12, 1e-3),
    amsgrad=st.booleans(),
    g=hnp.arrays(np.float64, shapes, elements=st.floats(-1e6, 1e6)),
)
def test_adam_first_step_is_at_most_lr(lr, beta1, beta2, eps, amsgrad, g):
    """|Δ_1| = η|g|/(|g| + ε) ≤ η (m̂_1 = g, √v̂_1 = |g|), up to a few ulp of rounding."""
    params = {"w": np.zeros_like(g)}
    Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps, amsgrad=amsgrad).update(params, {"w": g})
    assert np.all(np.abs(params["w"]) <= lr * (1 + 1e-12))


@pytest.mark.parametrize("cls", ALL_CLASSES)
@settings(max_examples=20, deadline=None)
@given(
    W=hnp.arrays(np.float64, (2, 3), elements=values),
    b=hnp.arrays(np.float32, 3, elements=values),
)
def test_one_dict_equals_one_optimizer_per_key(cls, W, b, gradient, assert_same_state_dict):
    """Parameters do not interact: one optimizer over {W, b} is two optimizers, one per key.

    (Schedule-Free's weight sum is one number per optimizer; every key keeps the same copy.)"""
    together = {"W": W.copy(), "b": as_param(cls, b).copy()}
    apart = {key: {key: value.copy()} for key, value in together.items()}
    opt = cls()
    opts = {key: cls() for key in apart}
    for _ in range(4):
        opt.update(together, gradient(together))
        for key, single in apart.items():
            opts[key].update(single, gradient(single))
    for key in together:
        assert together[key].dtype == apart[key][key].dtype
        np.testing.assert_array_equal(together[key], apart[key][key])
        alone = opts[key].state_dict()
        joint = opt.state_dict()
        joint["state"] = {key: joint["state"][key]}
        assert_same_state_dict(joint, alone)


def transposed(dtype):
    """A non-contiguous (Fortran-ordered) view, to check that updates reach the base array."""
    return np.arange(6, dtype=dtype).reshape(3, 2).T + 1


PARAM_SHAPES = [
    pytest.param(lambda dtype: np.array(1.5, dtype=dtype), id="0-d"),
    pytest.param(lambda dtype: np.linspace(-1, 1, 3, dtype=dtype), id="1-d"),
    pytest.param(lambda dtype: np.ones((2, 3), dtype=dtype), id="2-d"),
    pytest.param(transposed, id="transposed"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("cls", "make_param"),
    [
        pytest.param(cls, *case.values, id=f"{cls.__name__}-{case.id}")
        for cls in ALL_CLASSES
        for case in PARAM_SHAPES
        if cls is not Muon or case.id in ("2-d", "transposed")
    ],
)
def test_dtype_shape_and_identity_are_preserved(cls, dtype, make_param, gradient):
    """Updates are in place: same object, same dtype, same shape; state matches the parameter.

    Gradients are given as float64 even for float32 parameters: float32 must stay float32.
    """
    theta = make_param(dtype)
    params = {"w": theta}
    opt = cls()
    for _ in range(3):
        opt.update(params, {"w": gradient(params)["w"].astype(np.float64)})
    assert params["w"] is theta
    assert list(params) == ["w"]
    assert theta.dtype == dtype
    assert theta.shape == make_param(dtype).shape
    assert not np.array_equal(theta, make_param(dtype)), "the update must have moved theta"
    for buffer in opt.state["w"].values():
        assert buffer.dtype == dtype
        assert buffer.shape == theta.shape


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_transposed_param_is_updated_through_its_base(cls):
    """A view is updated in place, so the array it views changes too."""
    base = np.ones((3, 2))
    params = {"w": base.T}
    cls().update(params, {"w": np.ones((2, 3))})
    assert np.all(base < 1)


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_float32_follows_the_float64_trajectory(cls, params_for, gradient):
    """float32 and float64 both work: 30 float32 steps stay within float32 rounding of float64."""
    wide = params_for(cls)()
    narrow = {key: theta.astype(np.float32) for key, theta in wide.items()}
    opts = cls(), cls()
    for _ in range(30):
        opts[0].update(wide, gradient(wide))
        opts[1].update(narrow, gradient(narrow))
    for key in wide:
        assert narrow[key].dtype == np.float32
        np.testing.assert_allclose(narrow[key], wide[key], rtol=1e-4, atol=1e-5)
