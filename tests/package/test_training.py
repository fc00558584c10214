"""The training loop: reproducible for a seed, learning with a sensible optimizer, honest errors."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from descent import OPTIMIZERS, SGD, Adam
from descent.lab.data import load_digits, minibatches
from descent.lab.nn import MLP
from descent.lab.training import History, hold_out, train

SMALL = {"hidden": (8,), "epochs": 3, "batch_size": 64}
"""A network and a run small enough that every test trains in a few milliseconds."""


@pytest.fixture(scope="module")
def digits():
    return load_digits(seed=0)


@pytest.fixture(scope="module")
def split(digits):
    return hold_out(digits, fraction=0.2, seed=0)


def pairs(x, t):
    """Each row of ``x`` (as bytes) with its label: a hashable (image, label) pair."""
    return [(row.tobytes(), int(label)) for row, label in zip(x, t, strict=True)]


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda cls: cls.__name__)
def test_the_same_seed_gives_bit_identical_histories(cls, split):
    first = train(cls(lr=0.01), split, seed=3, **SMALL)
    second = train(cls(lr=0.01), split, seed=3, **SMALL)
    for name in ("train_loss", "test_loss", "test_accuracy"):
        assert np.array_equal(getattr(first, name), getattr(second, name)), name


def test_another_seed_gives_another_run(split):
    # The seed sets both the initial weights and the minibatch order.
    assert not np.array_equal(
        train(SGD(lr=0.1), split, seed=0, **SMALL).train_loss,
        train(SGD(lr=0.1), split, seed=1, **SMALL).train_loss,
    )


@pytest.mark.parametrize(
    "make_optimizer", [lambda: SGD(lr=0.3), lambda: Adam(lr=0.01)], ids=["SGD", "Adam"]
)
def test_a_sensible_optimizer_lowers_the_loss_and_learns(make_optimizer, split):
    history = train(make_optimizer(), split, hidden=(16,), epochs=5, seed=0)
    assert np.all(np.diff(history.train_loss) < 0), history.train_loss
    # An untrained 10-class network is near ln 10 ≈ 2.3; after five epochs it is far below.
    assert history.train_loss[-1] < 0.5
    assert history.test_accuracy[-1] > 0.85


@pytest.mark.parametrize("epochs", [1, 4])
def test_one_entry_per_epoch_and_a_positive_time_per_step(epochs, split):
    history = train(Adam(lr=0.01), split, hidden=(8,), epochs=epochs, seed=0)
    assert isinstance(history, History)
    assert not history.diverged
    for values in (history.train_loss, history.test_loss, history.test_accuracy):
        assert values.shape == (epochs,)
    assert np.all((history.test_accuracy >= 0) & (history.test_accuracy <= 1))
    assert history.seconds_per_step > 0  # the value itself depends on the machine


def test_train_loss_is_measured_on_the_whole_training_set(split):
    # Rebuild the run's final network by training it again step for step, then compare
    # its loss on all training rows with the recorded one.
    history = train(SGD(lr=0.1), split, hidden=(8,), epochs=2, batch_size=100, seed=5)
    mlp, optimizer, rng = MLP([64, 8, 10], seed=5), SGD(lr=0.1), np.random.default_rng(5)
    with threadpool_limits(limits=1, user_api="blas"):  # as train() computes: bit for bit
        for _ in range(2):
            for x, t in minibatches(split.x_train, split.t_train, 100, rng):
                optimizer.update(mlp.params, mlp.loss_and_gradients(x, t)[1])
    assert history.train_loss[-1] == mlp.loss(split.x_train, split.t_train)
    assert history.test_accuracy[-1] == mlp.accuracy(split.x_test, split.t_test)


def test_a_run_that_overflows_stops_and_says_so(split):
    # With ReLU and cross-entropy every gradient is bounded, so even a huge rate only makes
    # the loss huge; a rate of 1e300 makes the weights themselves overflow.
    history = train(SGD(lr=1e300), split, hidden=(8,), epochs=5, seed=0)
    assert history.diverged
    assert len(history.train_loss) < 5
    assert np.all(np.isfinite(history.train_loss))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs must be >= 1, got 0"),
        ({"epochs": -2}, "epochs must be >= 1, got -2"),
        ({"batch_size": 0}, "batch_size must be >= 1, got 0"),
        ({"hidden": (8, 0)}, r"hidden widths must be >= 1, got \(8, 0\)"),
    ],
)
def test_bad_settings_are_refused(kwargs, message, split):
    with pytest.raises(ValueError, match=message):
        train(SGD(), split, **({"epochs": 1} | kwargs))


def test_a_used_optimizer_is_refused(split):
    optimizer = SGD(lr=0.1)
    train(optimizer, split, **SMALL)
    with pytest.raises(ValueError, match=f"already taken {optimizer.t} steps"):
        train(optimizer, split, **SMALL)


def test_hold_out_splits_the_training_rows_and_leaves_the_test_set_alone(digits):
    split = hold_out(digits, fraction=0.25, seed=1)
    assert len(split.x_train) + len(split.x_test) == len(digits.x_train)
    assert len(split.x_test) == round(0.25 * len(digits.x_train))
    # Every (image, label) pair of both parts is a pair of the original training set.
    original = set(pairs(digits.x_train, digits.t_train))
    assert set(pairs(split.x_train, split.t_train)) <= original
    assert set(pairs(split.x_test, split.t_test)) <= original
    again = hold_out(digits, fraction=0.25, seed=1)
    assert np.array_equal(split.x_test, again.x_test)


@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5])
def test_hold_out_refuses_a_fraction_outside_0_1(fraction, digits):
    with pytest.raises(ValueError, match="fraction must be in"):
        hold_out(digits, fraction=fraction)
