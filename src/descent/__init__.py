"""descent: the tested NumPy optimizers behind the textbook *Descent*.

>>> import numpy as np
>>> from descent import Adam
>>> params = {"w": np.array([1.0, -1.0])}
>>> opt = Adam(lr=0.1)
>>> opt.update(params, {"w": 2 * params["w"]})   # gradient of |w|^2
>>> params["w"].round(3)
array([ 0.9, -0.9])
"""

from descent.base import Optimizer
from descent.optimizers import (
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    Lion,
    Momentum,
    Muon,
    Nesterov,
    RMSProp,
    ScheduleFreeAdamW,
)

__version__ = "1.0.0"

OPTIMIZERS = (SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW)
"""The optimizers of Parts II and III, SGD to AdamW, in the order the book introduces them.

Each updates parameters of any shape, so a loop over them can race them on the same
problem (Part III does)."""

AFTER_ADAM = (Lion, Muon, ScheduleFreeAdamW)
"""The optimizers of Part IV, after Adam. :class:`Muon` updates only matrices, and
:class:`ScheduleFreeAdamW` is evaluated at its :meth:`~ScheduleFreeAdamW.averaged`
points, so they are kept apart from :data:`OPTIMIZERS`."""

__all__ = [
    "AFTER_ADAM",
    "OPTIMIZERS",
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "Lion",
    "Momentum",
    "Muon",
    "Nesterov",
    "Optimizer",
    "RMSProp",
    "ScheduleFreeAdamW",
]
