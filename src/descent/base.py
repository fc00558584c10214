"""The machinery every optimizer shares, written once.

An optimizer in ``descent`` is a small class with three parts:

* its *hyperparameters*, declared as class attributes such as
  ``lr = Hyperparameter(non_negative)``: each is checked whenever it is set, in the
  constructor or later (``opt.lr = -1`` fails at once with a clear message);
* ``state_names``: the buffers it keeps for every parameter (``("m", "v")`` for Adam);
* ``_step(theta, g, state)``: the update equation for **one** parameter array,
  written with the symbols of the textbook.

Everything else lives here in :class:`Optimizer`: checking ``params`` and ``grads``,
creating the state on first use, and counting steps. The rule that makes the package
safe to teach with: :meth:`Optimizer.update` checks *all* of its input before it
changes *anything*; a call that raises leaves the parameters and the optimizer's state
exactly as they were. The checks live in :mod:`descent.checks`, saving and restoring
in :mod:`descent.checkpoint`.

>>> import numpy as np
>>> from descent import SGD
>>> opt = SGD(lr=0.1)
>>> try:
...     opt.lr = -1
... except ValueError as error:
...     print(error)
SGD: lr must be >= 0, got -1
>>> opt.lr
0.1
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from descent import checkpoint
from descent.checks import checked_grads

__all__ = ["Hyperparameter", "Optimizer"]


class Hyperparameter:
    """A hyperparameter that checks every value it is given.

    ``check(owner, name, value)`` returns the value to store or raises a
    ``TypeError``/``ValueError`` naming the optimizer, the hyperparameter and the
    value (see :mod:`descent.checks`).
    """

    def __init__(self, check: Callable[[str, str, object], object]) -> None:
        self.check = check

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, optimizer, owner=None):
        if optimizer is None:
            return self
        return optimizer.__dict__[self.name]

    def __set__(self, optimizer, value: object) -> None:
        optimizer.__dict__[self.name] = self.check(type(optimizer).__name__, self.name, value)


class Optimizer:
    """Base class: lazy state, step counter, ``update`` and ``state_dict``.

    A subclass declares its hyperparameters as :class:`Hyperparameter` attributes,
    sets them in ``__init__``, names its per-parameter buffers in ``state_names`` and
    implements ``_step``.

    Attributes
    ----------
    t : int
        Number of updates taken so far (the *t* of the equations).
    state : dict
        Per-parameter buffers (NumPy arrays) such as ``{"W1": {"m": ..., "v": ...}}``,
        created on the first :meth:`update` with the shape and dtype of each parameter.
    """

    state_names: tuple[str, ...] = ()
    """Names of the buffers kept for each parameter (none for plain SGD)."""

    def __init__(self) -> None:
        self.t = 0
        self.state: dict[str, dict[str, np.ndarray]] = {}

    def _step(self, theta: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """Update one parameter array ``theta`` in place, given its gradient ``g``."""
        raise NotImplementedError

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
            floating-point ``numpy.ndarray`` or a gradient is not numeric.
        ValueError
            If ``params`` is empty, keys or shapes disagree (with each other or with
            the optimizer's state), a parameter is read-only, or a gradient holds NaN
            or infinity. Nothing has been changed when it raises.
        """
        grads = checked_grads(self, params, grads)
        # Everything is checked: from here on, nothing can fail halfway. A step that
        # overflows gives infinities (and inf - inf gives NaN), as in torch, silently;
        # the next update's check reports them.
        self.t += 1
        with np.errstate(over="ignore", invalid="ignore"):
            for key, theta in params.items():
                if key not in self.state:
                    self.state[key] = {name: np.zeros_like(theta) for name in self.state_names}
                self._step(theta, grads[key], self.state[key])

    def check_param(self, key: str, theta: np.ndarray) -> None:
        """Refuse a parameter this optimizer cannot update (all can, unless overridden)."""

    @classmethod
    def hyperparameters(cls) -> dict[str, Hyperparameter]:
        """The declared hyperparameters, base classes' first, in declaration order."""
        declared = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, Hyperparameter):
                    declared[name] = value
        return declared

    @property
    def hyperparams(self) -> dict[str, float | bool]:
        """The current hyperparameters, as a new dict."""
        return {name: getattr(self, name) for name in self.hyperparameters()}

    def set_hyperparams(self, values: Mapping[str, object]) -> None:
        """Set several hyperparameters, each checked as it is set."""
        for name, value in values.items():
            setattr(self, name, value)

    def state_dict(self) -> dict:
        """Everything needed to resume: hyperparameters, step count and buffers.

        The result is made of plain Python values and *copies* of the buffers, so it
        can be pickled, and changing it never changes the optimizer.
        """
        return checkpoint.save(self)

    def load_state_dict(self, state_dict: Mapping) -> None:
        """Restore what :meth:`state_dict` saved; the optimizer keeps copies.

        Resuming from a saved state gives bit-for-bit the trajectory of an optimizer
        that never stopped.

        Raises
        ------
        TypeError
            If a saved hyperparameter has the wrong type (``lr="x"``, ``amsgrad=1``).
        ValueError
            If the dictionary does not fit this optimizer: other top-level keys, other
            hyperparameter names or invalid values, a negative step, buffers with other
            names, or buffers of one parameter that disagree in shape or dtype. (Whether
            the buffers fit the *parameters* is checked by the next :meth:`update`.)
            Nothing has been changed when it raises.
        """
        checkpoint.restore(self, state_dict)

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={value!r}" for name, value in self.hyperparams.items())
        return f"{type(self).__name__}({args})"
