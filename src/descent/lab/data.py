"""The handwritten digits and minibatches, with no network access.

The data are the 1,797 8×8 digits that ship inside scikit-learn
(``sklearn.datasets.load_digits``), so they load offline, on Binder and in CI.

>>> data = load_digits(seed=0)
>>> data.x_train.shape, data.x_test.shape
((1347, 64), (450, 64))
>>> float(data.x_train.max())
1.0
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import sklearn.datasets
from sklearn.model_selection import train_test_split

__all__ = ["Digits", "load_digits", "minibatches"]


@dataclass(frozen=True)
class Digits:
    """A train/test split: pixels scaled to [0, 1], labels 0–9."""

    x_train: np.ndarray
    t_train: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray


def load_digits(test_fraction: float = 0.25, seed: int = 0, dtype=np.float64) -> Digits:
    """Split the digits into a training and a test set, the same way for the same seed.

    The split is stratified (each digit is equally represented in both parts);
    pixel intensities 0–16 are divided by 16.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"load_digits: test_fraction must be in (0, 1), got {test_fraction}")
    digits = sklearn.datasets.load_digits()
    x = (digits.data / 16.0).astype(dtype)
    x_train, x_test, t_train, t_test = train_test_split(
        x, digits.target, test_size=test_fraction, random_state=seed, stratify=digits.target
    )
    return Digits(x_train, t_train, x_test, t_test)


def minibatches(
    x: np.ndarray, t: np.ndarray, batch_size: int, rng: np.random.Generator
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """One epoch: the rows of ``x`` and ``t`` shuffled by ``rng``, in batches.

    The last batch is smaller when ``batch_size`` does not divide the number of rows.

    >>> rng = np.random.default_rng(0)
    >>> [len(tb) for _, tb in minibatches(np.zeros((10, 2)), np.arange(10), 4, rng)]
    [4, 4, 2]
    """
    if batch_size < 1:
        raise ValueError(f"minibatches: batch_size must be >= 1, got {batch_size}")
    order = rng.permutation(len(x))
    for start in range(0, len(x), batch_size):
        rows = order[start : start + batch_size]
        yield x[rows], t[rows]
