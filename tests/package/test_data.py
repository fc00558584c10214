"""The digits split (offline, stratified, reproducible) and minibatching."""

import socket

import numpy as np
import pytest
import sklearn.datasets

from descent.lab.data import load_digits, minibatches


@pytest.fixture
def no_network(monkeypatch):
    """Make every attempt to open a network connection fail."""

    def refuse(*args, **kwargs):
        raise OSError("the tests run offline")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def digits():
    return load_digits(seed=0)


@pytest.fixture(scope="module")
def all_labels():
    """The labels of scikit-learn's bundled copy: 1,797 digits, about 180 of each."""
    return sklearn.datasets.load_digits().target


def test_loads_without_network(no_network):
    # scikit-learn ships the digits inside the package (sklearn/datasets/data/digits.csv.gz):
    # unlike fetch_openml, loading them never downloads anything.
    data = load_digits(seed=3)
    assert len(data.x_train) + len(data.x_test) == 1797


def test_split_sizes(digits):
    # train_test_split puts ceil(0.25 · 1797) = ceil(449.25) = 450 digits in the test set,
    # leaving 1797 - 450 = 1347 for training; each digit is 8 × 8 = 64 pixels.
    assert digits.x_train.shape == (1347, 64)
    assert digits.x_test.shape == (450, 64)
    assert digits.t_train.shape == (1347,)
    assert digits.t_test.shape == (450,)


def test_pixels_are_sixteenths_in_the_unit_interval(digits):
    # The raw intensities are the integers 0..16 (both ends occur); dividing by 16 maps them
    # onto 0, 1/16, ..., 1.
    for x in (digits.x_train, digits.x_test):
        assert x.min() == 0.0
        assert x.max() == 1.0
        np.testing.assert_array_equal(x * 16, np.round(x * 16))


def test_labels_are_the_ten_digits(digits, all_labels):
    assert set(np.unique(digits.t_train)) == set(range(10))
    counts = np.bincount(digits.t_train, minlength=10) + np.bincount(digits.t_test, minlength=10)
    np.testing.assert_array_equal(counts, np.bincount(all_labels))


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_split_is_stratified(seed, all_labels):
    # Stratified: each digit's share in the test set is its share in the whole data set,
    # up to rounding a count to an integer (±1).
    data = load_digits(seed=seed)
    expected = 450 * np.bincount(all_labels) / len(all_labels)
    counts = np.bincount(data.t_test, minlength=10)
    assert np.all(np.abs(counts - expected) <= 1), (counts, expected.round(2))


def test_same_seed_same_split(digits):
    again = load_digits(seed=0)
    np.testing.assert_array_equal(again.x_train, digits.x_train)
    np.testing.assert_array_equal(again.t_test, digits.t_test)


def test_different_seed_different_split(digits):
    other = load_digits(seed=1)
    assert not np.array_equal(other.x_train, digits.x_train)
    assert not np.array_equal(other.t_test, digits.t_test)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_option(dtype):
    data = load_digits(dtype=dtype)
    assert data.x_train.dtype == dtype
    assert data.x_test.dtype == dtype
    assert np.issubdtype(data.t_train.dtype, np.integer)


@pytest.mark.parametrize("test_fraction", [0.0, 1.0, -0.1, 1.5])
def test_bad_test_fraction_raises(test_fraction):
    with pytest.raises(ValueError, match="test_fraction must be in"):
        load_digits(test_fraction=test_fraction)


# -- minibatches -----------------------------------------------------------------


def epoch(n, batch_size, seed=0):
    """One epoch over rows 0..n-1, whose label is the row number times 10."""
    x = np.arange(n, dtype=float)[:, None] * np.ones(3)
    t = 10 * np.arange(n)
    return list(minibatches(x, t, batch_size, np.random.default_rng(seed)))


@pytest.mark.parametrize(
    ("n", "batch_size", "sizes"),
    [
        (10, 4, [4, 4, 2]),  # 10 = 4 + 4 + 2: the last batch holds the remainder
        (12, 4, [4, 4, 4]),
        (5, 1, [1, 1, 1, 1, 1]),
        (3, 100, [3]),
    ],
)
def test_batch_sizes(n, batch_size, sizes):
    assert [len(t) for _, t in epoch(n, batch_size)] == sizes


@pytest.mark.parametrize(("n", "batch_size"), [(10, 4), (97, 16), (50, 50)])
def test_every_row_exactly_once_per_epoch_and_rows_stay_paired(n, batch_size):
    batches = epoch(n, batch_size)
    rows = np.concatenate([x[:, 0] for x, _ in batches])
    labels = np.concatenate([t for _, t in batches])
    np.testing.assert_array_equal(np.sort(rows), np.arange(n))
    np.testing.assert_array_equal(labels, 10 * rows)


def test_rows_are_shuffled_by_the_rng():
    order = np.concatenate([t for _, t in epoch(100, 10, seed=0)])
    assert not np.array_equal(order, np.sort(order))  # the identity has probability 1/100!
    np.testing.assert_array_equal(order, np.concatenate([t for _, t in epoch(100, 10, seed=0)]))
    assert not np.array_equal(order, np.concatenate([t for _, t in epoch(100, 10, seed=1)]))


@pytest.mark.parametrize("batch_size", [0, -1])
def test_bad_batch_size_raises(batch_size):
    # minibatches is a generator: it checks its arguments when the first batch is requested.
    with pytest.raises(ValueError, match=f"batch_size must be >= 1, got {batch_size}"):
        epoch(10, batch_size)
