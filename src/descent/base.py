"""The machinery every optimizer shares, written once.

An optimizer in ``descent`` is a small class with two parts:

* its *hyperparameters* (``lr``, ``momentum``, ``beta1``, ...), checked when the
  optimizer is built and again before every update, and
* its ``_step(theta, g, state)`` method: the update equation for **one** parameter
  array, written with the symbols of the textbook.

Everything else lives here in :class:`Optimizer`: checking the ``params`` and
``grads`` dictionaries, creating the per-parameter state on first use, counting
steps, and saving and restoring that state.

The rule that makes the package safe to teach with: :meth:`Optimizer.update`
checks *all* of its input before it changes *anything*. A call that raises leaves
the parameters and the optimizer's state exactly as they were.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import numpy as np

__all__ = ["Optimizer"]


def _check_real(owner: str, name: str, value: object) -> float:
    """Return ``value`` as a float, or raise if it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{owner}: {name} must be finite, got {value!r}")
    return float(value)


def _non_negative(owner: str, name: str, value: object) -> float:
    value = _check_real(owner, name, value)
    if value < 0:
        raise ValueError(f"{owner}: {name} must be >= 0, got {value!r}")
    return value


def _unit_interval(owner: str, name: str, value: object) -> float:
    value = _check_real(owner, name, value)
    if not 0 <= value < 1:
        raise ValueError(f"{owner}: {name} must be in [0, 1), got {value!r}")
    return value


def _flag(owner: str, name: str, value: object) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return bool(value)


# What each hyperparameter may be. A hyperparameter name not listed here is a bug
# in the optimizer that declares it, caught by the test suite.
HYPERPARAMETER_RULES = {
    "lr": _non_negative,
    "momentum": _unit_interval,
    "rho": _unit_interval,
    "beta1": _unit_interval,
    "beta2": _unit_interval,
    "eps": _non_negative,
    "weight_decay": _non_negative,
    "amsgrad": _flag,
}


def _names(keys) -> str:
    return ", ".join(sorted(map(str, keys))) or "none"


class Optimizer:
    """Base class: validation, lazy state, step counter and ``state_dict``.

    A subclass passes its hyperparameters to ``__init__`` as keywords, names its
    per-parameter buffers in :meth:`state_names` and implements ``_step``.

    Attributes
    ----------
    t : int
        Number of updates taken so far (the *t* of the equations).
    state : dict
        Per-parameter buffers (NumPy arrays) such as ``{"W1": {"m": ..., "v": ...}}``, created on
        the first :meth:`update` with the shape and dtype of each parameter.
    """

    def __init__(self, **hyperparams: object) -> None:
        self._hyperparam_names = tuple(hyperparams)
        for name, value in self._validated(hyperparams).items():
            setattr(self, name, value)
        self.t = 0
        self.state: dict[str, dict[str, np.ndarray]] = {}

    # -- what a subclass provides -------------------------------------------------

    def state_names(self) -> tuple[str, ...]:
        """Names of the buffers kept for each parameter (``()`` for plain SGD)."""
        return ()

    def _step(self, theta: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """Update one parameter array ``theta`` in place, given its gradient ``g``."""
        raise NotImplementedError

    # -- the public interface ----------------------------------------------------

    @property
    def hyperparams(self) -> dict[str, float | bool]:
        """The current hyperparameters, as a new dict."""
        return {name: getattr(self, name) for name in self._hyperparam_names}

    def update(self, params: Mapping[str, np.ndarray], grads: Mapping[str, object]) -> None:
        """Take one step: change every array in ``params`` in place.

        Parameters
        ----------
        params : dict[str, numpy.ndarray]
            Floating-point arrays, updated in place (the dict itself is not changed).
        grads : dict[str, array_like]
            One gradient per parameter, with the same keys and shapes.

        Raises
        ------
        TypeError
            If ``params`` or ``grads`` is not a mapping, a parameter is not a
            floating-point ``numpy.ndarray``, a gradient is not numeric, or a
            hyperparameter has the wrong type.
        ValueError
            If a hyperparameter is out of range, ``params`` is empty, keys or shapes
            disagree (with each other or with the optimizer's state), a parameter is
            read-only, or a gradient holds NaN or infinity. Nothing has been changed
            when it raises.
        """
        hyperparams = self._validated(self.hyperparams)
        grads = self._checked_grads(params, grads)
        # Everything is checked: from here on, nothing can fail halfway. Overflow in a
        # step gives infinities, as in torch, which the next update's check reports.
        for name, value in hyperparams.items():
            setattr(self, name, value)
        self.t += 1
        with np.errstate(all="ignore"):
            for key, theta in params.items():
                if key not in self.state:
                    self.state[key] = {name: np.zeros_like(theta) for name in self.state_names()}
                self._step(theta, grads[key], self.state[key])

    def state_dict(self) -> dict:
        """Everything needed to resume: hyperparameters, step count and buffers.

        The result is made of plain Python values and *copies* of the buffers, so
        it can be pickled, and changing it never changes the optimizer.
        """
        return {
            "hyperparams": self.hyperparams,
            "step": self.t,
            "state": {
                key: {name: buffer.copy() for name, buffer in buffers.items()}
                for key, buffers in self.state.items()
            },
        }

    def load_state_dict(self, state_dict: Mapping) -> None:
        """Restore what :meth:`state_dict` saved; the optimizer keeps copies.

        Resuming from a saved state gives bit-for-bit the trajectory of an
        optimizer that never stopped.

        Raises
        ------
        TypeError
            If a saved hyperparameter has the wrong type (``lr="x"``, ``amsgrad=1``).
        ValueError
            If the dictionary does not fit this optimizer: other top-level keys,
            other hyperparameter names or invalid values, a negative step, buffers
            with other names, or buffers of one parameter that disagree in shape or
            dtype. (Whether the buffers fit the *parameters* is checked by the next
            :meth:`update`.)
        """
        owner = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{owner}: expected a dict, got {type(state_dict).__name__}")
        if set(state_dict) != {"hyperparams", "step", "state"}:
            raise ValueError(
                f"{owner}: expected keys hyperparams, state, step; got {_names(state_dict)}"
            )
        hyperparams = state_dict["hyperparams"]
        if not isinstance(hyperparams, Mapping) or set(hyperparams) != set(self._hyperparam_names):
            got = _names(hyperparams) if isinstance(hyperparams, Mapping) else hyperparams
            raise ValueError(
                f"{owner}: hyperparams must be {_names(self._hyperparam_names)}; got {got}"
            )
        hyperparams = self._validated(hyperparams, owner)
        step = state_dict["step"]
        if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
            raise ValueError(f"{owner}: step must be an integer >= 0, got {step!r}")
        # The buffers must be those of the optimizer the saved hyperparameters describe
        # (Adam keeps v_max only with amsgrad=True), which may differ from self's.
        expected = type(self)(**hyperparams).state_names()
        state = self._checked_state(owner, state_dict["state"], int(step), expected)

        for name, value in hyperparams.items():
            setattr(self, name, value)
        self.t = int(step)
        self.state = state

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={value!r}" for name, value in self.hyperparams.items())
        return f"{type(self).__name__}({args})"

    # -- checks ------------------------------------------------------------------

    def _validated(
        self, hyperparams: Mapping[str, object], owner: str | None = None
    ) -> dict[str, float | bool]:
        owner = owner or type(self).__name__
        return {
            name: HYPERPARAMETER_RULES[name](owner, name, value)
            for name, value in hyperparams.items()
        }

    def _checked_state(self, owner: str, state: object, step: int, expected) -> dict:
        """Validate a saved ``state`` mapping and return a copy of it."""
        if not isinstance(state, Mapping):
            raise ValueError(f"{owner}: state must be a dict, got {type(state).__name__}")
        if bool(state) != (step > 0):
            # Every update creates the state of every param, and an update needs params.
            raise ValueError(
                f"{owner}: step is {step} but state holds buffers for {_names(state)}; "
                "a saved optimizer has state exactly when it has taken steps"
            )
        expected = set(expected)
        copied = {}
        for key, buffers in state.items():
            if not isinstance(buffers, Mapping) or set(buffers) != expected:
                got = _names(buffers) if isinstance(buffers, Mapping) else type(buffers).__name__
                raise ValueError(
                    f"{owner}: state for param {key!r} must hold {_names(expected)}; got {got}"
                )
            first_name, first = next(iter(buffers.items()), (None, None))
            for name, buffer in buffers.items():
                if not isinstance(buffer, np.ndarray) or not np.issubdtype(
                    buffer.dtype, np.floating
                ):
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

    def _checked_grads(self, params: object, grads: object) -> dict[str, np.ndarray]:
        """Check ``params`` and ``grads`` completely; return the gradients as arrays.

        Each gradient comes back as an array of its parameter's dtype, so that a
        float32 parameter stays float32; it is a copy only when a conversion is needed
        or when the gradient shares memory with its parameter.
        """
        owner = f"{type(self).__name__}.update"
        for name, value in (("params", params), ("grads", grads)):
            if not isinstance(value, Mapping):
                raise TypeError(f"{owner}: {name} must be a dict, got {type(value).__name__}")
        if not params:
            raise ValueError(f"{owner}: params is empty; there is nothing to update")

        def listing():
            return f"(params: {_names(params)}; grads: {_names(grads)})"

        for key in params:
            if key not in grads:
                raise ValueError(f"{owner}: grads has no entry for param {key!r} {listing()}")
        for key in grads:
            if key not in params:
                raise ValueError(f"{owner}: grads has an entry {key!r} with no param {listing()}")
        if self.state and set(self.state) != set(params):
            raise ValueError(
                f"{owner}: params must have the keys this optimizer has state for "
                f"(state: {_names(self.state)}; params: {_names(params)})"
            )

        checked = {}
        for key, theta in params.items():
            self._check_param(owner, key, theta)
            checked[key] = self._checked_grad(owner, key, theta, grads[key])
        return checked

    def _check_param(self, owner: str, key: str, theta: object) -> None:
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
        buffers = self.state.get(key, {})
        if buffers.keys() != set(self.state_names()) and key in self.state:
            raise ValueError(
                f"{owner}: the state of param {key!r} holds {_names(buffers)}, but "
                f"{self!r} needs {_names(self.state_names())} (amsgrad cannot be "
                "switched mid-run; load a matching state_dict or start a new optimizer)"
            )
        for name, buffer in buffers.items():
            if buffer.shape != theta.shape or buffer.dtype != theta.dtype:
                raise ValueError(
                    f"{owner}: param {key!r} has shape {theta.shape} and dtype {theta.dtype}, "
                    f"but its state {name!r} has shape {buffer.shape} and dtype {buffer.dtype}"
                )

    def _checked_grad(self, owner: str, key: str, theta: np.ndarray, grad: object) -> np.ndarray:
        g = np.asarray(grad)
        if g.dtype.kind not in "iuf":
            raise TypeError(f"{owner}: grad {key!r} must be a real number array, got {g.dtype}")
        if g.shape != theta.shape:
            raise ValueError(
                f"{owner}: grad {key!r} has shape {g.shape} but param {key!r} has shape "
                f"{theta.shape}"
            )
        with np.errstate(over="ignore"):
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
