"""Saving and restoring an optimizer: ``state_dict`` and the checks behind ``load_state_dict``.

A saved optimizer is a plain dictionary::

    {"hyperparams": {"lr": 0.001, ...}, "step": t, "state": {key: {"m": array, ...}}}

:func:`save` makes one from copies; :func:`restore` checks that a dictionary fits the
optimizer completely before it changes anything, so a bad checkpoint raises a clear
error and leaves the optimizer as it was. Resuming from a saved state gives, bit for
bit, the trajectory of an optimizer that never stopped.

>>> import numpy as np
>>> from descent import Momentum
>>> opt = Momentum(lr=0.1)
>>> opt.update({"w": np.ones(2)}, {"w": np.ones(2)})
>>> saved = save(opt)
>>> saved["step"], saved["state"]["w"]["v"]
(1, array([-0.1, -0.1]))
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from descent.checks import listing

__all__ = ["restore", "save"]


def save(optimizer) -> dict:
    """Hyperparameters, step count and copies of the buffers, as plain values."""
    return {
        "hyperparams": optimizer.hyperparams,
        "step": optimizer.t,
        "state": {
            key: {name: buffer.copy() for name, buffer in buffers.items()}
            for key, buffers in optimizer.state.items()
        },
    }


def restore(optimizer, saved: object) -> None:
    """Load ``saved`` into ``optimizer`` after checking all of it; the optimizer keeps copies."""
    owner = f"{type(optimizer).__name__}.load_state_dict"
    if not isinstance(saved, Mapping):
        raise TypeError(f"{owner}: expected a dict, got {type(saved).__name__}")
    if set(saved) != {"hyperparams", "step", "state"}:
        raise ValueError(f"{owner}: expected keys hyperparams, state, step; got {listing(saved)}")
    hyperparams = _checked_hyperparams(optimizer, owner, saved["hyperparams"])
    step = saved["step"]
    if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
        raise ValueError(f"{owner}: step must be an integer >= 0, got {step!r}")

    # The buffers must be those of the optimizer the saved hyperparameters describe
    # (Adam keeps v_max only with amsgrad=True): set them, and put the old ones back
    # if the buffers do not fit.
    previous = optimizer.hyperparams
    optimizer.set_hyperparams(hyperparams)
    try:
        state = _checked_state(owner, saved["state"], int(step), optimizer.state_names)
    except (TypeError, ValueError):
        optimizer.set_hyperparams(previous)
        raise
    optimizer.t = int(step)
    optimizer.state = state


def _checked_hyperparams(optimizer, owner: str, hyperparams: object) -> dict:
    """The saved hyperparameters, each checked by the rule its optimizer declares."""
    names = tuple(optimizer.hyperparams)
    if not isinstance(hyperparams, Mapping) or set(hyperparams) != set(names):
        got = listing(hyperparams) if isinstance(hyperparams, Mapping) else hyperparams
        raise ValueError(f"{owner}: hyperparams must be {listing(names)}; got {got}")
    rules = type(optimizer).hyperparameters()
    return {name: rules[name].check(owner, name, hyperparams[name]) for name in names}


def _checked_state(owner: str, state: object, step: int, expected) -> dict:
    """Validate a saved ``state`` mapping and return a copy of it."""
    if not isinstance(state, Mapping):
        raise ValueError(f"{owner}: state must be a dict, got {type(state).__name__}")
    if bool(state) != (step > 0):
        # Every update creates the state of every param, and an update needs params.
        raise ValueError(
            f"{owner}: step is {step} but state holds buffers for {listing(state)}; "
            "a saved optimizer has state exactly when it has taken steps"
        )
    expected = set(expected)
    copied = {}
    for key, buffers in state.items():
        if not isinstance(buffers, Mapping) or set(buffers) != expected:
            got = listing(buffers) if isinstance(buffers, Mapping) else type(buffers).__name__
            raise ValueError(
                f"{owner}: state for param {key!r} must hold {listing(expected)}; got {got}"
            )
        first_name, first = next(iter(buffers.items()), (None, None))
        for name, buffer in buffers.items():
            if not isinstance(buffer, np.ndarray) or not np.issubdtype(buffer.dtype, np.floating):
                got = getattr(buffer, "dtype", type(buffer).__name__)
                raise ValueError(
                    f"{owner}: state[{key!r}][{name!r}] must be a float array, got {got}"
                )
            if buffer.shape != first.shape or buffer.dtype != first.dtype:
                raise ValueError(
                    f"{owner}: buffers of param {key!r} disagree: {first_name!r} has "
                    f"shape {first.shape} and dtype {first.dtype}, {name!r} has shape "
                    f"{buffer.shape} and dtype {buffer.dtype}"
                )
        copied[key] = {name: np.array(buffer, copy=True) for name, buffer in buffers.items()}
    return copied
