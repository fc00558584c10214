"""FastAdam is Adam: the same parameters and state (to rounding), whatever the blocking."""

import re

import numpy as np
import pytest

from descent import Adam
from descent.fast import FastAdam

BLOCK = 7  # small, so that arrays below, at and above one block (and partial blocks) all occur
STEPS = 100
TOLERANCE = {np.float64: {"rtol": 1e-12, "atol": 1e-14}, np.float32: {"rtol": 1e-5, "atol": 1e-6}}


def values(shape, dtype):
    """Deterministic, non-zero, mixed-sign values of the given shape."""
    size = int(np.prod(shape))
    return (np.sin(np.arange(1, size + 1) * 1.7) * 3).reshape(shape).astype(dtype)


SHAPES = [
    pytest.param(lambda dtype: values((), dtype), id="0-d"),
    pytest.param(lambda dtype: values((0,), dtype), id="empty"),
    pytest.param(lambda dtype: values((3,), dtype), id="smaller-than-a-block"),
    pytest.param(lambda dtype: values((BLOCK,), dtype), id="one-block"),
    pytest.param(lambda dtype: values((2 * BLOCK,), dtype), id="two-blocks"),
    pytest.param(lambda dtype: values((2 * BLOCK + 1,), dtype), id="partial-last-block"),
    pytest.param(lambda dtype: values((4, 5), dtype), id="2-d"),
    pytest.param(lambda dtype: values((5, 4), dtype).T, id="transposed-non-contiguous"),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("amsgrad", [False, True], ids=["adam", "amsgrad"])
@pytest.mark.parametrize("make_param", SHAPES)
def test_fast_adam_equals_adam(make_param, amsgrad, dtype, gradient):
    """100 steps on the landscape of ``gradient``; a second key checks that keys do not mix."""
    kwargs = {"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 1e-7, "amsgrad": amsgrad}
    slow = {"w": make_param(dtype), "c": values((BLOCK + 3,), dtype)}
    fast = {key: theta.copy(order="K") for key, theta in slow.items()}
    originals = dict(fast)
    adam, fast_adam = Adam(**kwargs), FastAdam(**kwargs, block_size=BLOCK)
    for _ in range(STEPS):
        adam.update(slow, gradient(slow))
        fast_adam.update(fast, gradient(fast))
    for key in slow:
        assert fast[key] is originals[key]
        assert fast[key].dtype == dtype
        assert fast[key].flags.c_contiguous == slow[key].flags.c_contiguous
        np.testing.assert_allclose(fast[key], slow[key], **TOLERANCE[dtype])
        for name, buffer in adam.state[key].items():
            np.testing.assert_allclose(fast_adam.state[key][name], buffer, **TOLERANCE[dtype])
    assert not np.array_equal(slow["c"], values((BLOCK + 3,), dtype)), "the runs must move"


@pytest.mark.parametrize("block_size", [1, BLOCK, 1 << 16])
def test_block_size_does_not_change_the_result(block_size, start_params, gradient):
    """Every operation is elementwise, so how the array is cut into blocks cannot matter."""
    reference, params = start_params(), start_params()
    one_block, blocked = (
        FastAdam(lr=0.05, block_size=1 << 20),
        FastAdam(lr=0.05, block_size=block_size),
    )
    for _ in range(20):
        one_block.update(reference, gradient(reference))
        blocked.update(params, gradient(params))
    for key in params:
        np.testing.assert_array_equal(params[key], reference[key])


@pytest.mark.parametrize(
    ("block_size", "error"),
    [
        (0, ValueError),
        (-3, ValueError),
        (2.5, TypeError),
        (True, TypeError),
        ("8", TypeError),
        (None, TypeError),
    ],
)
def test_block_size_must_be_a_positive_int(block_size, error):
    message = rf"^FastAdam: block_size must be a positive int, got {re.escape(repr(block_size))}$"
    with pytest.raises(error, match=message):
        FastAdam(block_size=block_size)


def test_block_size_may_be_a_numpy_integer():
    assert FastAdam(block_size=np.int64(8)).block_size == 8


@pytest.mark.parametrize("block_size", [0, -3])
def test_block_size_set_after_construction_is_refused_and_changes_nothing(
    block_size, start_params, gradient, assert_lockstep
):
    """block_size is checked whenever it is set, so a bad value never reaches update."""
    opt, params = FastAdam(lr=0.05, block_size=BLOCK), start_params()
    twin, twin_params = FastAdam(lr=0.05, block_size=BLOCK), start_params()
    for o, p in ((opt, params), (twin, twin_params)):
        o.update(p, gradient(p))
    with pytest.raises(ValueError, match=rf"block_size must be a positive int, got {block_size}"):
        opt.block_size = block_size
    assert opt.block_size == BLOCK
    assert_lockstep(opt, params, twin, twin_params)
