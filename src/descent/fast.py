r"""Adam computed block by block, in place: the same numbers, a fraction of the memory.

:class:`descent.Adam` reads like its equations, and pays for it: every
expression such as ``m / (1 - beta1**t)`` allocates a new array the size of
the parameter, about five of them per step. :class:`FastAdam` computes the same
update in blocks of ``block_size`` elements with one small scratch buffer, so a
step allocates almost nothing and each block stays in the processor's cache
while all of its arithmetic is done.

The test suite checks that both produce the same parameters (to rounding), and
``benchmarks/step_cost.py`` measures time and memory against ``torch.optim``.
"""

from __future__ import annotations

import math

import numpy as np

from descent.checks import positive_int
from descent.optimizers import Adam

__all__ = ["FastAdam"]


class FastAdam(Adam):
    r"""Adam with a blocked, in-place step; numerically equal to :class:`descent.Adam`.

    Each block of the parameter goes through Adam's equations rearranged so that
    every operation writes into ``m``, ``v``, ``theta`` or the scratch buffer:

    .. math::
        \text{denom} = \frac{\sqrt{v_t}}{\sqrt{1-\beta_2^t}} + \epsilon
        = \sqrt{\hat v_t} + \epsilon, \qquad
        \theta_t = \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\,\frac{m_t}{\text{denom}}

    which is ``torch.optim.Adam``'s arrangement. Results agree with
    :class:`descent.Adam` to a few units in the last place.

    Parameters
    ----------
    lr, beta1, beta2, eps, amsgrad
        As in :class:`descent.Adam`.
    block_size : int, default 65536
        Elements per block (65,536 float32 values fill 256 KiB, which fits in a
        typical L2 cache).

    Raises
    ------
    ValueError, TypeError
        As :class:`descent.Adam` for its hyperparameters; for a ``block_size`` that
        is not a positive integer, also when it is set later.

    Notes
    -----
    Arrays that are not C-contiguous (a transposed view, say) cannot be cut into
    flat blocks; they take :class:`descent.Adam`'s step, which gives the same numbers.

    References
    ----------
    The arrangement of ``torch.optim.Adam``'s single-tensor implementation; the
    algorithm is Kingma and Ba's (see :class:`descent.Adam`).

    Examples
    --------
    >>> import numpy as np
    >>> from descent import Adam
    >>> grads = {"w": np.array([0.3, -2.0])}
    >>> slow, fast = {"w": np.ones(2)}, {"w": np.ones(2)}
    >>> Adam(lr=0.1).update(slow, grads); FastAdam(lr=0.1).update(fast, grads)
    >>> bool(np.allclose(slow["w"], fast["w"], rtol=1e-15))
    True
    """

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        amsgrad: bool = False,
        block_size: int = 1 << 16,
    ) -> None:
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps, amsgrad=amsgrad)
        self.block_size = block_size

    @property
    def block_size(self) -> int:
        """Elements per block; checked whenever it is set."""
        return self._block_size

    @block_size.setter
    def block_size(self, value: int) -> None:
        self._block_size = positive_int(type(self).__name__, "block_size", value)

    def _step(self, theta, g, state):
        arrays = [theta, g, *(state[name] for name in self.state_names)]
        if not all(a.flags.c_contiguous for a in arrays):
            super()._step(theta, g, state)  # blocks need flat views; this case is rare
            return
        flat = [a.reshape(-1) for a in arrays]
        scratch = np.empty(min(self.block_size, theta.size), dtype=theta.dtype)
        for start in range(0, theta.size, self.block_size):
            theta_b, g_b, m_b, v_b, *v_max_b = (a[start : start + self.block_size] for a in flat)
            buf = scratch[: len(theta_b)]
            self._block_step(theta_b, g_b, m_b, v_b, v_max_b[0] if v_max_b else None, buf)

    def _block_step(self, theta, g, m, v, v_max, buf):
        """One block of the update; ``v_max`` is None without AMSGrad, ``buf`` is scratch."""
        m *= self.beta1
        np.multiply(g, 1 - self.beta1, out=buf)
        m += buf
        v *= self.beta2
        np.multiply(g, g, out=buf)
        buf *= 1 - self.beta2
        v += buf
        if v_max is not None:
            np.maximum(v_max, v, out=v_max)
            v = v_max
        np.sqrt(v, out=buf)
        buf /= math.sqrt(1 - self.beta2**self.t)
        buf += self.eps
        np.divide(m, buf, out=buf)
        buf *= self.lr / (1 - self.beta1**self.t)
        theta -= buf
