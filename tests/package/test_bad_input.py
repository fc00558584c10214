"""Bad input is refused with a message that names what and where, and changes nothing.

Atomicity is checked against a twin: an optimizer built and stepped the same way that
never saw the bad call. After the failure both must agree bit for bit, and keep agreeing
over several more good steps (params, state buffers, step counter and hyperparameters).
"""

import inspect
import math
import re

import numpy as np
import pytest

from descent import AFTER_ADAM, OPTIMIZERS, Adam, AdamW, Muon
from descent.fast import FastAdam

ALL_CLASSES = (*OPTIMIZERS, FastAdam, *AFTER_ADAM)

NAN, INF = math.nan, math.inf

# (hyperparameter, bad value, exception, what the message says before ", got <value>")
HYPERPARAMETER_ERRORS = [
    ("lr", -0.1, ValueError, "must be >= 0"),
    ("lr", NAN, ValueError, "must be finite"),
    ("lr", INF, ValueError, "must be finite"),
    ("lr", "0.1", TypeError, "must be a real number"),
    ("lr", True, TypeError, "must be a real number"),
    ("momentum", -0.1, ValueError, r"must be in \[0, 1\)"),
    ("momentum", 1.0, ValueError, r"must be in \[0, 1\)"),
    ("momentum", NAN, ValueError, "must be finite"),
    ("rho", 1.0, ValueError, r"must be in \[0, 1\)"),
    ("rho", -0.5, ValueError, r"must be in \[0, 1\)"),
    ("beta1", 1.0, ValueError, r"must be in \[0, 1\)"),
    ("beta1", -0.1, ValueError, r"must be in \[0, 1\)"),
    ("beta2", 1.0, ValueError, r"must be in \[0, 1\)"),
    ("beta2", 1.5, ValueError, r"must be in \[0, 1\)"),
    ("beta2", INF, ValueError, "must be finite"),
    ("eps", -1e-8, ValueError, "must be >= 0"),
    ("eps", NAN, ValueError, "must be finite"),
    ("weight_decay", -0.01, ValueError, "must be >= 0"),
    ("weight_decay", INF, ValueError, "must be finite"),
    ("amsgrad", 1, TypeError, "must be True or False"),
    ("amsgrad", "yes", TypeError, "must be True or False"),
    ("amsgrad", None, TypeError, "must be True or False"),
    ("nesterov", 1, TypeError, "must be True or False"),
    ("nesterov", "yes", TypeError, "must be True or False"),
    ("ns_steps", 0, ValueError, "must be a positive int"),
    ("ns_steps", -5, ValueError, "must be a positive int"),
    ("ns_steps", 2.5, TypeError, "must be a positive int"),
    ("ns_steps", True, TypeError, "must be a positive int"),
    ("ns_coefficients", (1.0, 2.0), ValueError, "must be a tuple of three real numbers"),
    ("ns_coefficients", (1.0, 2.0, 3.0, 4.0), ValueError, "must be a tuple of three real numbers"),
    ("ns_coefficients", "abc", TypeError, "must be a tuple of three real numbers"),
    ("ns_coefficients", 3.4445, TypeError, "must be a tuple of three real numbers"),
    ("ns_coefficients", (1.0, "2", 3.0), TypeError, "must be a tuple of three real numbers"),
    ("ns_coefficients", (1.0, NAN, 3.0), ValueError, "must be finite"),
    ("warmup_steps", -1, ValueError, "must be an int >= 0"),
    ("warmup_steps", 1.5, TypeError, "must be an int >= 0"),
    ("warmup_steps", True, TypeError, "must be an int >= 0"),
    ("r", -0.5, ValueError, "must be >= 0"),
    ("r", NAN, ValueError, "must be finite"),
    ("weight_lr_power", -1.0, ValueError, "must be >= 0"),
    ("weight_lr_power", INF, ValueError, "must be finite"),
]

HYPERPARAMETER_CASES = [
    pytest.param(cls, name, value, exc, says, id=f"{cls.__name__}-{name}={value!r}")
    for cls in ALL_CLASSES
    for name, value, exc, says in HYPERPARAMETER_ERRORS
    if name in inspect.signature(cls).parameters
]


def hyperparameter_message(cls, name, value, says):
    """E.g. 'Adam: beta2 must be in [0, 1), got 1.0' (the whole message)."""
    return rf"^{cls.__name__}: {name} {says}, got {re.escape(repr(value))}$"


@pytest.mark.parametrize(("cls", "name", "value", "exc", "says"), HYPERPARAMETER_CASES)
def test_constructor_rejects_bad_hyperparameter(cls, name, value, exc, says):
    with pytest.raises(exc, match=hyperparameter_message(cls, name, value, says)):
        cls(**{name: value})


def as_param(cls, array):
    """``array`` as a parameter ``cls`` can update: Muon takes only matrices (one row here)."""
    return array.reshape(1, -1) if cls is Muon else array


def stepped_twins(cls, start_params, gradient, steps=2):
    """Two identical optimizers with identical params, both already `steps` updates in."""
    twins = []
    for _ in range(2):
        opt, params = cls(), start_params()
        params["b"] = params["b"].astype(np.float32)  # mixed dtypes: W float64, b float32
        for _ in range(steps):
            opt.update(params, gradient(params))
        twins.append((opt, params))
    return twins


@pytest.mark.parametrize(("cls", "name", "value", "exc", "says"), HYPERPARAMETER_CASES)
def test_assignment_rejects_bad_hyperparameter_at_once(
    cls, name, value, exc, says, params_for, gradient, assert_lockstep
):
    """``opt.lr = -1`` fails where it is written, not at the next update, and changes nothing."""
    (opt, params), (twin, twin_params) = stepped_twins(cls, params_for(cls), gradient)
    with pytest.raises(exc, match=hyperparameter_message(cls, name, value, says)):
        setattr(opt, name, value)
    assert getattr(opt, name) == getattr(twin, name)
    assert_lockstep(opt, params, twin, twin_params)


def replace(mapping, **entries):
    """A copy of ``mapping`` with entries replaced, added, or (value None) removed."""
    new = {**mapping, **entries}
    return {key: value for key, value in new.items() if value is not None}


def read_only(array):
    array = array.copy()
    array.flags.writeable = False
    return array


def with_value(array, index, value, dtype=None):
    array = array.astype(dtype or array.dtype)
    array[index] = value
    return array


# Each case turns good (params, grads) into bad ones. The bad entry is always on the
# *last* key, "b" (float32), so an optimizer that checked while updating would already
# have changed "W".
UPDATE_ERRORS = [
    pytest.param(
        lambda p, g: (p, replace(g, b=None)),
        ValueError,
        r"grads has no entry for param 'b' \(params: W, b; grads: W\)",
        id="missing-grad",
    ),
    pytest.param(
        lambda p, g: (p, replace(g, c=np.zeros(2))),
        ValueError,
        r"grads has an entry 'c' with no param \(params: W, b; grads: W, b, c\)",
        id="extra-grad",
    ),
    pytest.param(
        lambda p, g: (p, replace(g, b=np.zeros(4))),
        ValueError,
        r"grad 'b' has shape \(4,\) but param 'b' has shape \(5,\)",
        id="shape-mismatch",
    ),
    pytest.param(
        lambda p, g: (p, replace(g, b=g["b"].reshape(5, 1))),
        ValueError,
        r"grad 'b' has shape \(5, 1\) but param 'b' has shape \(5,\)",
        id="shape-mismatch-same-size",
    ),
    pytest.param(
        lambda p, g: (replace(p, b=np.arange(5)), g),
        TypeError,
        r"param 'b' has dtype int64; optimizers update in place and need a float array",
        id="integer-param",
    ),
    pytest.param(
        lambda p, g: (replace(p, b=p["b"].tolist()), g),
        TypeError,
        r"param 'b' is a list; optimizers update in place",
        id="list-param",
    ),
    pytest.param(
        lambda p, g: (replace(p, b=1.5), replace(g, b=1.0)),
        TypeError,
        r"param 'b' is a float; optimizers update in place",
        id="python-float-param",
    ),
    pytest.param(
        lambda p, g: (replace(p, b=read_only(p["b"])), g),
        ValueError,
        r"param 'b' is read-only",
        id="read-only-param",
    ),
    pytest.param(
        lambda p, g: (p, replace(g, b=with_value(g["b"], 2, np.nan))),
        ValueError,
        r"grad 'b' contains NaN or infinity",
        id="nan-grad",
    ),
    pytest.param(
        lambda p, g: (p, replace(g, b=with_value(g["b"], 0, np.inf))),
        ValueError,
        r"grad 'b' contains NaN or infinity",
        id="inf-grad",
    ),
    pytest.param(
        lambda p, g: (p, replace(g, b=with_value(g["b"], 4, -np.inf))),
        ValueError,
        r"grad 'b' contains NaN or infinity",
        id="minus-inf-grad",
    ),
    pytest.param(
        # 1e39 is finite in float64 but overflows float32 (max ≈ 3.4e38), b's dtype.
        lambda p, g: (p, replace(g, b=with_value(g["b"], 1, 1e39, np.float64))),
        ValueError,
        r"grad 'b' contains NaN or infinity \(in float32\)",
        id="float64-grad-overflows-float32",
    ),
    pytest.param(
        lambda p, g: (p, replace(g, b=g["b"] + 1j)),
        TypeError,
        r"grad 'b' must be a real number array, got complex64",
        id="complex-grad",
    ),
    pytest.param(
        lambda p, g: (p, replace(g, b=g["b"].astype(object))),
        TypeError,
        r"grad 'b' must be a real number array, got object",
        id="object-grad",
    ),
    pytest.param(
        lambda p, g: (p, replace(g, b=g["b"] > 0)),
        TypeError,
        r"grad 'b' must be a real number array, got bool",
        id="bool-grad",
    ),
    pytest.param(
        lambda p, g: (replace(p, b=None), replace(g, b=None)),
        ValueError,
        r"params must have the keys this optimizer has state for \(state: W, b; params: W\)",
        id="param-key-dropped",
    ),
    pytest.param(
        lambda p, g: (replace(p, c=np.zeros(2)), replace(g, c=np.zeros(2))),
        ValueError,
        r"params must have the keys .* \(state: W, b; params: W, b, c\)",
        id="param-key-added",
    ),
    pytest.param(
        lambda p, g: (
            replace(p, b=None, bias=p["b"]),
            replace(g, b=None, bias=g["b"]),
        ),
        ValueError,
        r"params must have the keys .* \(state: W, b; params: W, bias\)",
        id="param-key-renamed",
    ),
    pytest.param(
        lambda p, g: (list(p.values()), g),
        TypeError,
        r"params must be a dict, got list",
        id="params-not-a-dict",
    ),
    pytest.param(
        lambda p, g: (p, list(g.values())),
        TypeError,
        r"grads must be a dict, got list",
        id="grads-not-a-dict",
    ),
]


# The two shape cases are written for the 5-vector b; Muon's b is a 5×1 matrix (a (5, 1)
# gradient fits it), so its shape errors are tested in test_after_adam.
SHAPE_CASES = {"shape-mismatch", "shape-mismatch-same-size"}
UPDATE_CASES = [
    pytest.param(cls, *case.values, id=f"{cls.__name__}-{case.id}")
    for cls in ALL_CLASSES
    for case in UPDATE_ERRORS
    if not (cls is Muon and case.id in SHAPE_CASES)
]


@pytest.mark.parametrize(("cls", "corrupt", "exc", "message"), UPDATE_CASES)
def test_update_rejects_bad_input_and_changes_nothing(
    cls, corrupt, exc, message, params_for, gradient, assert_lockstep
):
    (opt, params), (twin, twin_params) = stepped_twins(cls, params_for(cls), gradient)
    bad_params, bad_grads = corrupt(params, gradient(params))
    with pytest.raises(exc, match=rf"^{cls.__name__}\.update: {message}"):
        opt.update(bad_params, bad_grads)
    assert_lockstep(opt, params, twin, twin_params)


@pytest.mark.parametrize("cls", [Adam, AdamW, FastAdam])
def test_switching_amsgrad_on_mid_run_is_refused_and_changes_nothing(
    cls, start_params, gradient, assert_lockstep
):
    """The state made with amsgrad=False has no v_max; the next update must say so, not crash.

    "update validates everything first" includes whether the state fits: the buffers are
    m and v but amsgrad=True needs m, v and v_max.
    """
    (opt, params), (twin, twin_params) = stepped_twins(cls, start_params, gradient)
    opt.amsgrad = True
    with pytest.raises(ValueError, match="v_max"):
        opt.update(params, gradient(params))
    opt.amsgrad = False
    assert_lockstep(opt, params, twin, twin_params)


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_an_empty_params_dict_is_refused_and_takes_no_step(cls):
    # A step with nothing to update would still count for Adam's bias correction.
    opt = cls()
    with pytest.raises(ValueError, match=rf"^{cls.__name__}\.update: params is empty"):
        opt.update({}, {})
    assert opt.t == 0


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_a_gradient_that_is_the_parameter_array_is_read_before_the_step(cls):
    # f(θ) = |θ|²/2 has gradient θ: passing the array itself must give the same step as
    # passing a copy, although the step changes θ in place (AdamW decays θ first).
    theta = as_param(cls, np.array([1.0, -2.0]))
    aliased, copied = {"w": theta.copy()}, {"w": theta.copy()}
    cls().update(aliased, {"w": aliased["w"]})
    cls().update(copied, {"w": copied["w"].copy()})
    np.testing.assert_array_equal(aliased["w"], copied["w"])


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_overflow_inside_a_step_cannot_interrupt_it(cls):
    # The arithmetic of a step runs after all checks; an overflow there gives infinity
    # (as in torch) for every key instead of an error halfway through the keys.
    opt = cls(lr=1e300) if "lr" in cls().hyperparams else cls()
    a, b = as_param(cls, np.array([1e300])), as_param(cls, np.array([1.0]))
    params = {"a": a.copy(), "b": b.copy()}
    with np.errstate(all="raise"):
        opt.update(params, {"a": a, "b": b})
    assert opt.t == 1
    assert set(opt.state) == {"a", "b"}
