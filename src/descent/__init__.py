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
from descent.optimizers import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSProp

__version__ = "1.0.0"

OPTIMIZERS = (SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW)
"""Every optimizer class, in the order the book introduces them."""

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "Momentum",
    "Nesterov",
    "Optimizer",
    "RMSProp",
]
