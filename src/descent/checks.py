"""What may go into an optimizer, checked before anything changes.

Two kinds of checks live here, away from the update equations a learner reads:

* the rules for *hyperparameters* (:func:`non_negative`, :func:`unit_interval`, ...),
  which :class:`descent.base.Hyperparameter` applies whenever one is set, and
* :func:`checked_grads`, which looks at a whole ``params``/``grads`` pair before an
  update is allowed to touch a single number.

Every message names the optimizer, the offending key or hyperparameter, and its value.

>>> non_negative("SGD", "lr", 0.1)
0.1
>>> try:
...     unit_interval("Adam", "beta2", 1.0)
... except ValueError as error:
...     print(error)
Adam: beta2 must be in [0, 1), got 1.0
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import numpy as np

__all__ = [
    "checked_grads",
    "flag",
    "listing",
    "non_negative",
    "non_negative_int",
    "positive_int",
    "real",
    "three_reals",
    "unit_interval",
]


def real(owner: str, name: str, value: object) -> float:
    """``value`` as a float, or a clear error if it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{owner}: {name} must be finite, got {value!r}")
    return float(value)


def non_negative(owner: str, name: str, value: object) -> float:
    """A finite real number >= 0 (learning rates, ε, weight decay)."""
    number = real(owner, name, value)
    if number < 0:
        raise ValueError(f"{owner}: {name} must be >= 0, got {value!r}")
    return number


def unit_interval(owner: str, name: str, value: object) -> float:
    """A finite real number in [0, 1) (momentum, ρ, β₁, β₂)."""
    number = real(owner, name, value)
    if not 0 <= number < 1:
        raise ValueError(f"{owner}: {name} must be in [0, 1), got {value!r}")
    return number


def flag(owner: str, name: str, value: object) -> bool:
    """``True`` or ``False`` (``amsgrad``, ``nesterov``); not 0 or 1."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return bool(value)


def positive_int(owner: str, name: str, value: object) -> int:
    """An integer >= 1 (block sizes, iteration counts)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be a positive int, got {value!r}")
    if value < 1:
        raise ValueError(f"{owner}: {name} must be a positive int, got {value!r}")
    return int(value)


def non_negative_int(owner: str, name: str, value: object) -> int:
    """An integer >= 0 (warm-up lengths, where 0 means no warm-up)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be an int >= 0, got {value!r}")
    if value < 0:
        raise ValueError(f"{owner}: {name} must be an int >= 0, got {value!r}")
    return int(value)


def three_reals(owner: str, name: str, value: object) -> tuple[float, float, float]:
    """Three finite real numbers, as a tuple of floats (Muon's Newton–Schulz coefficients).

    >>> three_reals("Muon", "ns_coefficients", [3.4445, -4.775, 2.0315])
    (3.4445, -4.775, 2.0315)
    """
    if isinstance(value, str | bytes) or not isinstance(value, tuple | list):
        raise TypeError(f"{owner}: {name} must be a tuple of three real numbers, got {value!r}")
    if len(value) != 3:
        raise ValueError(f"{owner}: {name} must be a tuple of three real numbers, got {value!r}")
    for number in value:
        if isinstance(number, bool) or not isinstance(number, numbers.Real):
            raise TypeError(f"{owner}: {name} must be a tuple of three real numbers, got {value!r}")
        if not math.isfinite(number):
            raise ValueError(f"{owner}: {name} must be finite, got {value!r}")
    return tuple(float(number) for number in value)


def listing(keys) -> str:
    """Keys as a sorted, comma-separated list for messages (``"none"`` when empty)."""
    return ", ".join(sorted(map(str, keys))) or "none"


def checked_grads(optimizer, params: object, grads: object) -> dict[str, np.ndarray]:
    """Check ``params`` and ``grads`` completely; return the gradients as arrays.

    Each gradient comes back as an array of its parameter's dtype, so that a float32
    parameter stays float32; it is a copy only when a conversion is needed or when the
    gradient shares memory with its parameter.
    """
    owner = f"{type(optimizer).__name__}.update"
    for name, value in (("params", params), ("grads", grads)):
        if not isinstance(value, Mapping):
            raise TypeError(f"{owner}: {name} must be a dict, got {type(value).__name__}")
    if not params:
        raise ValueError(f"{owner}: params is empty; there is nothing to update")

    def both():
        return f"(params: {listing(params)}; grads: {listing(grads)})"

    for key in params:
        if key not in grads:
            raise ValueError(f"{owner}: grads has no entry for param {key!r} {both()}")
    for key in grads:
        if key not in params:
            raise ValueError(f"{owner}: grads has an entry {key!r} with no param {both()}")
    if optimizer.state and set(optimizer.state) != set(params):
        raise ValueError(
            f"{owner}: params must have the keys this optimizer has state for "
            f"(state: {listing(optimizer.state)}; params: {listing(params)})"
        )

    checked = {}
    for key, theta in params.items():
        _check_param(optimizer, owner, key, theta)
        checked[key] = _checked_grad(owner, key, theta, grads[key])
    return checked


def _check_param(optimizer, owner: str, key: str, theta: object) -> None:
    if not isinstance(theta, np.ndarray):
        raise TypeError(
            f"{owner}: param {key!r} is a {type(theta).__name__}; optimizers update "
            "in place and need a numpy float array"
        )
    if not np.issubdtype(theta.dtype, np.floating):
        raise TypeError(
            f"{owner}: param {key!r} has dtype {theta.dtype}; optimizers update in "
            "place and need a float array"
        )
    if not theta.flags.writeable:
        raise ValueError(f"{owner}: param {key!r} is read-only and cannot be updated")
    buffers = optimizer.state.get(key, {})
    if key in optimizer.state and buffers.keys() != set(optimizer.state_names):
        raise ValueError(
            f"{owner}: the state of param {key!r} holds {listing(buffers)}, but "
            f"{optimizer!r} needs {listing(optimizer.state_names)} (amsgrad cannot be "
            "switched mid-run; load a matching state_dict or start a new optimizer)"
        )
    for name, buffer in buffers.items():
        if buffer.shape != theta.shape or buffer.dtype != theta.dtype:
            raise ValueError(
                f"{owner}: param {key!r} has shape {theta.shape} and dtype {theta.dtype}, "
                f"but its state {name!r} has shape {buffer.shape} and dtype {buffer.dtype}"
            )
    optimizer.check_param(key, theta)


def _checked_grad(owner: str, key: str, theta: np.ndarray, grad: object) -> np.ndarray:
    g = np.asarray(grad)
    if g.dtype.kind not in "iuf":
        raise TypeError(f"{owner}: grad {key!r} must be a real number array, got {g.dtype}")
    if g.shape != theta.shape:
        raise ValueError(
            f"{owner}: grad {key!r} has shape {g.shape} but param {key!r} has shape {theta.shape}"
        )
    with np.errstate(over="ignore"):  # a float64 too large for float32 becomes inf: see below
        g = g.astype(theta.dtype, copy=False)
    if np.may_share_memory(g, theta):
        # The gradient of |θ|²/2 is θ itself; a step changes θ in place and would
        # change the gradient with it.
        g = g.copy()
    if not np.isfinite(g).all():
        raise ValueError(
            f"{owner}: grad {key!r} contains NaN or infinity (in {theta.dtype}); "
            "nothing was updated"
        )
    return g
