"""Train the small MLP on the digits with one optimizer, and record how it went.

:func:`train` is the whole experiment of the book's training chapter in one
function: build an :class:`~descent.lab.nn.MLP` from a seed, run minibatch epochs
with the given optimizer, and after every epoch measure the loss on the whole
training set and the loss and accuracy on the held-out part.
:func:`hold_out` carves a validation set out of the training set, so that
learning rates can be tuned without looking at the test set.

>>> from descent import Adam
>>> from descent.lab.data import load_digits
>>> data = load_digits(seed=0)
>>> history = train(Adam(lr=0.01), hold_out(data), hidden=(16,), epochs=2, seed=0)
>>> len(history.train_loss), bool(history.train_loss[-1] < history.train_loss[0])
(2, True)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from descent.base import Optimizer
from descent.lab.data import Digits, minibatches
from descent.lab.nn import MLP
from descent.lab.runs import Schedule, scheduled

__all__ = ["History", "hold_out", "train"]


@dataclass(frozen=True)
class History:
    """What :func:`train` measured: one entry per epoch, taken at the end of the epoch.

    Attributes
    ----------
    train_loss
        Array of the mean cross-entropy on the *whole* training set (not the
        last minibatch).
    test_loss, test_accuracy
        Arrays of the mean cross-entropy and of the fraction of correct labels on the held-out part
        of the data (``x_test``, ``t_test``: a test or a validation set).
    seconds_per_step : float
        Mean wall time of one step (forward and backward pass, a check that
        the gradients are finite, and the update, on one BLAS thread) over all
        steps taken. It depends on the machine and on what else runs.
    diverged : bool
        True if a loss or a gradient stopped being finite; training stopped
        there and the arrays hold only the epochs completed before.
    network : MLP
        The trained network, to inspect or evaluate further.
    """

    train_loss: np.ndarray
    test_loss: np.ndarray
    test_accuracy: np.ndarray
    seconds_per_step: float
    diverged: bool
    network: MLP


def hold_out(data: Digits, fraction: float = 0.2, seed: int = 0) -> Digits:
    """Split a validation set off the training set; the test set is left out entirely.

    Returns a :class:`~descent.lab.data.Digits` whose ``x_train``/``t_train`` are the
    remaining training rows and whose ``x_test``/``t_test`` are the validation
    rows, chosen by a permutation seeded with ``seed``.

    >>> from descent.lab.data import load_digits
    >>> split = hold_out(load_digits(seed=0), fraction=0.2, seed=0)
    >>> split.x_train.shape, split.x_test.shape
    ((1078, 64), (269, 64))
    """
    if not 0 < fraction < 1:
        raise ValueError(f"hold_out: fraction must be in (0, 1), got {fraction}")
    order = np.random.default_rng(seed).permutation(len(data.x_train))
    n_validation = round(fraction * len(order))
    fit, validation = order[n_validation:], order[:n_validation]
    x, t = data.x_train, data.t_train
    return Digits(x[fit], t[fit], x[validation], t[validation])


def train(
    optimizer: Optimizer,
    data: Digits,
    *,
    hidden: Sequence[int] = (32,),
    epochs: int = 10,
    batch_size: int = 64,
    seed: int = 0,
    schedule: Schedule | None = None,
) -> History:
    """Train an MLP ``64 → hidden → 10`` on ``data`` with ``optimizer``.

    The network's weights and the order of the minibatches both come from
    ``seed``: the same seed and settings give the same losses, bit for bit.

    Parameters
    ----------
    optimizer : Optimizer
        A fresh optimizer (one that has not taken a step); it is used and changed.
    data : Digits
        Training rows to learn from and held-out rows to measure on, e.g.
        :func:`descent.lab.data.load_digits` or :func:`hold_out` of it.
    hidden : sequence of int, default (32,)
        Widths of the hidden layers.
    epochs : int, default 10
        Passes over the training rows.
    batch_size : int, default 64
        Rows per minibatch (the last one of an epoch may be smaller).
    seed : int, default 0
        Seed of the initial weights and of the minibatch shuffling.
    schedule : callable, optional
        ``schedule(t)`` is the learning rate of step ``t = 1, 2, ...`` (or a dict of
        hyperparameters), as for :func:`descent.lab.runs.run`; the optimizer's own
        values are put back when training ends.

    Returns
    -------
    History
        One entry per epoch (fewer if training diverged) and the mean time per step.

    Raises
    ------
    ValueError
        If ``epochs`` or ``batch_size`` is below 1, a hidden width is below 1,
        or ``optimizer`` has already taken steps.

    Examples
    --------
    >>> from descent import Adam
    >>> from descent.lab.data import load_digits
    >>> data = load_digits(seed=0)
    >>> history = train(Adam(lr=0.01), data, hidden=(16,), epochs=3, seed=1)
    >>> history.train_loss.shape, history.diverged
    ((3,), False)
    >>> bool(history.test_accuracy[-1] > 0.8)
    True
    """
    if epochs < 1:
        raise ValueError(f"train: epochs must be >= 1, got {epochs}")
    if batch_size < 1:
        raise ValueError(f"train: batch_size must be >= 1, got {batch_size}")
    if any(width < 1 for width in hidden):
        raise ValueError(f"train: hidden widths must be >= 1, got {tuple(hidden)}")
    if optimizer.t != 0:
        raise ValueError(f"train: optimizer has already taken {optimizer.t} steps")
    n_classes = int(max(data.t_train.max(), data.t_test.max())) + 1
    mlp = MLP([data.x_train.shape[1], *hidden, n_classes], seed=seed)
    batch_rng = np.random.default_rng(seed)
    train_loss, test_loss, test_accuracy, step_seconds = [], [], [], []
    diverged = False
    # BLAS threads cost more than they save on matrices this small, and make the time
    # per step depend on what else the machine runs: use one.
    one_thread = threadpool_limits(limits=1, user_api="blas")
    # Far too large a learning rate can make the weights overflow; that run stops below.
    quiet_overflow = np.errstate(over="ignore", invalid="ignore")
    with one_thread, quiet_overflow, scheduled(optimizer, schedule) as before_step:
        for _ in range(epochs):
            batches = minibatches(data.x_train, data.t_train, batch_size, batch_rng)
            finished = _run_epoch(mlp, optimizer, batches, step_seconds, before_step)
            epoch_loss = mlp.loss(data.x_train, data.t_train)
            if not (finished and np.isfinite(epoch_loss)):
                diverged = True
                break
            loss, accuracy = mlp.evaluate(data.x_test, data.t_test)
            train_loss.append(epoch_loss)
            test_loss.append(loss)
            test_accuracy.append(accuracy)
    return History(
        np.array(train_loss),
        np.array(test_loss),
        np.array(test_accuracy),
        float(np.mean(step_seconds)) if step_seconds else float("nan"),
        diverged,
        mlp,
    )


def _run_epoch(mlp: MLP, optimizer: Optimizer, batches, step_seconds: list, before_step) -> bool:
    """Take one step per minibatch, appending each step's wall time to ``step_seconds``.

    Returns False, before updating, as soon as a loss or a gradient is not finite.
    """
    for x, t in batches:
        start = time.perf_counter()
        loss, grads = mlp.loss_and_gradients(x, t)
        arrays = [np.asarray(loss), *grads.values()]
        if not all(np.isfinite(a).all() for a in arrays):
            return False
        before_step(optimizer.t + 1)
        optimizer.update(mlp.params, grads)
        step_seconds.append(time.perf_counter() - start)
    return True
