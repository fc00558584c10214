r"""Test functions with known answers: value, gradient and minimisers.

Every objective takes points as arrays whose *last* axis holds the coordinates,
so ``f.value(np.array([x, y]))`` gives one number and ``f.value(grid)`` with
``grid.shape == (ny, nx, 2)`` gives a whole contour grid at once.

=======================  ======================================  =====================
objective                :math:`f(x, y)`                         minimiser
=======================  ======================================  =====================
:func:`bowl`             :math:`x^2/20 + y^2`                    (0, 0)
:func:`rotated_bowl`     the bowl turned by 45°                  (0, 0)
:class:`Rosenbrock`      :math:`(1-x)^2 + 100(y-x^2)^2`          (1, 1)
:class:`Beale`           sum of three squared residuals          (3, 0.5)
:class:`Saddle`          :math:`x^2/2 + y^4/4 - y^2/2`           (0, ±1); saddle at 0
:class:`LongSlope`       :math:`\sum_i \sqrt{1+\theta_i^2} - 1`  0
:class:`LeastSquares`    :math:`\|X\theta - y\|^2 / 2n`          the least-squares fit
:class:`NoisyQuadratic`  :math:`\theta^\top H\theta/2` + noise   0
:class:`ReddiOnline`     online linear losses on [−1, 1]         −1
=======================  ======================================  =====================
"""

from __future__ import annotations

import math

import numpy as np


def _scalar_or_array(a):
    """A 0-d result as a plain float (one point in, one number out); arrays unchanged."""
    return float(a) if np.ndim(a) == 0 else a


__all__ = [
    "Beale",
    "LeastSquares",
    "LongSlope",
    "MinibatchObjective",
    "NoisyQuadratic",
    "Quadratic",
    "ReddiOnline",
    "Rosenbrock",
    "Saddle",
    "bowl",
    "rotated_bowl",
    "rotation",
]


class Quadratic:
    r"""The quadratic bowl :math:`f(\theta) = \tfrac12\, \theta^\top H \theta`.

    Its gradient is :math:`H\theta`, its minimiser is 0 (for positive definite
    :math:`H`), and gradient descent on it is stable only for :math:`\eta < 2/L`,
    where :math:`L` is the largest eigenvalue of :math:`H`.

    Parameters
    ----------
    hessian : array_like, shape (d, d)
        A symmetric matrix :math:`H`.
    name : str
        A short name for plots and tables.

    Examples
    --------
    >>> f = Quadratic([[0.1, 0.0], [0.0, 2.0]])   # the bowl x²/20 + y²
    >>> f.value(np.array([2.0, 1.0]))
    1.2
    >>> f.condition_number
    20.0
    """

    def __init__(self, hessian, name: str = "quadratic") -> None:
        H = np.array(hessian, dtype=float)
        if H.ndim != 2 or H.shape[0] != H.shape[1] or not np.allclose(H, H.T):
            raise ValueError(f"Quadratic: hessian must be a symmetric square matrix, got {H}")
        self.hessian = H
        self.name = name
        self.minimizers = (np.zeros(len(H)),)
        self.min_value = 0.0

    @property
    def eigenvalues(self) -> np.ndarray:
        """Curvatures along the principal axes, smallest first."""
        return np.linalg.eigvalsh(self.hessian)

    @property
    def L(self) -> float:
        """The largest curvature (the gradient's Lipschitz constant)."""
        return float(self.eigenvalues[-1])

    @property
    def condition_number(self) -> float:
        """Largest over smallest curvature, a measure of how stretched the bowl is."""
        return float(self.eigenvalues[-1] / self.eigenvalues[0])

    @property
    def best_sgd_lr(self) -> float:
        r"""The constant learning rate that makes plain gradient descent fastest.

        :math:`\eta = 2/(\lambda_{\min} + L)` shrinks the slowest and the fastest
        direction by the same factor, :math:`(\kappa - 1)/(\kappa + 1)` per step.
        """
        return float(2 / (self.eigenvalues[0] + self.L))

    def polyak_setting(self) -> tuple[float, float]:
        r"""Polyak's optimal heavy-ball setting :math:`(\eta^*, \mu^*)` for this quadratic.

        .. math::
            \eta^* = \frac{4}{(\sqrt{L} + \sqrt{\lambda_{\min}})^2}, \qquad
            \mu^* = \Bigl(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\Bigr)^2

        With it, the distance to the minimum shrinks by :math:`\sqrt{\mu^*}` per step
        (Polyak, 1964).

        >>> lr, momentum = Quadratic([[1.0, 0.0], [0.0, 9.0]]).polyak_setting()
        >>> lr, momentum   # 4 / (3 + 1)^2 and ((3 - 1) / (3 + 1))^2
        (0.25, 0.25)
        """
        smallest, largest = self.eigenvalues[0], self.L
        root_kappa = math.sqrt(largest / smallest)
        lr = 4 / (math.sqrt(largest) + math.sqrt(smallest)) ** 2
        momentum = ((root_kappa - 1) / (root_kappa + 1)) ** 2
        return float(lr), float(momentum)

    def value(self, theta):
        r""":math:`\tfrac12 \theta^\top H \theta` at each point (last axis: coordinates)."""
        theta = np.asarray(theta, dtype=float)
        return _scalar_or_array(0.5 * np.einsum("...i,ij,...j->...", theta, self.hessian, theta))

    def gradient(self, theta):
        r""":math:`H\theta` at each point."""
        return np.asarray(theta, dtype=float) @ self.hessian.T


def bowl() -> Quadratic:
    r"""The anisotropic bowl :math:`f(x, y) = x^2/20 + y^2` of *Deep Learning from Scratch*.

    Its curvatures are 1/10 along :math:`x` and 2 along :math:`y`: a condition
    number of 20, with the long axis aligned with a coordinate axis.
    """
    return Quadratic(np.diag([0.1, 2.0]), name="bowl")


def rotation(degrees: float) -> np.ndarray:
    r"""The 2-D rotation matrix :math:`R` that turns points by ``degrees`` (anticlockwise)."""
    a = math.radians(degrees)
    return np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])


def rotated_bowl(degrees: float = 45.0) -> Quadratic:
    r"""The same bowl turned by ``degrees``: equal difficulty, no preferred axis.

    :math:`f(\theta) = \mathrm{bowl}(R^\top \theta)` with :math:`R` the rotation by
    ``degrees``. Same curvatures, same condition number; only the axes move, so
    a method that treats coordinates separately can no longer line up with them.
    """
    R = rotation(degrees)
    H = R @ np.diag([0.1, 2.0]) @ R.T
    return Quadratic((H + H.T) / 2, name=f"bowl rotated {degrees:g}°")


class Rosenbrock:
    r"""Rosenbrock's banana valley :math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`.

    A curved, nearly flat valley floor leads to the minimiser :math:`(a, a^2)`.

    Examples
    --------
    >>> f = Rosenbrock()
    >>> f.value(np.array([1.0, 1.0])), f.value(np.array([0.0, 0.0]))
    (0.0, 1.0)
    """

    name = "Rosenbrock"

    def __init__(self, a: float = 1.0, b: float = 100.0) -> None:
        self.a, self.b = float(a), float(b)
        self.minimizers = (np.array([self.a, self.a**2]),)
        self.min_value = 0.0

    # Squares are written x * x: the square rounded once, the same for a NumPy scalar, a
    # NumPy array and descent.js (NumPy's scalar x**2 calls pow, which may round otherwise).
    def value(self, p):
        x, y = np.moveaxis(np.asarray(p, dtype=float), -1, 0)
        off_valley = y - x * x
        return _scalar_or_array((self.a - x) * (self.a - x) + self.b * off_valley * off_valley)

    def gradient(self, p):
        x, y = np.moveaxis(np.asarray(p, dtype=float), -1, 0)
        off_valley = y - x * x
        dx = -2 * (self.a - x) - 4 * self.b * x * off_valley
        dy = 2 * self.b * off_valley
        return np.stack([dx, dy], axis=-1)


class Beale:
    r"""Beale's function: flat plateaus and steep walls around the minimiser (3, 1/2).

    .. math::
        f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2

    Examples
    --------
    >>> f = Beale()
    >>> f.value(np.array([3.0, 0.5]))
    0.0
    """

    name = "Beale"
    _c = (1.5, 2.25, 2.625)

    def __init__(self) -> None:
        self.minimizers = (np.array([3.0, 0.5]),)
        self.min_value = 0.0

    def value(self, p):
        x, y = np.moveaxis(np.asarray(p, dtype=float), -1, 0)
        residuals = [c - x + x * y**k for k, c in enumerate(self._c, start=1)]
        return _scalar_or_array(sum(r * r for r in residuals))

    def gradient(self, p):
        x, y = np.moveaxis(np.asarray(p, dtype=float), -1, 0)
        dx = np.zeros_like(x)
        dy = np.zeros_like(y)
        for k, c in enumerate(self._c, start=1):
            r = c - x + x * y**k
            dx += 2 * r * (y**k - 1)
            dy += 2 * r * k * x * y ** (k - 1)
        return np.stack([dx, dy], axis=-1)


class Saddle:
    r"""A saddle between two valleys: :math:`f(x, y) = x^2/2 + y^4/4 - y^2/2`.

    The origin is a saddle point (curvature +1 along :math:`x`, −1 along
    :math:`y`); the minimisers are :math:`(0, \pm 1)` with value −1/4. A method
    started close to the line :math:`y = 0` lingers near the saddle before it
    falls into a valley.

    Examples
    --------
    >>> f = Saddle()
    >>> f.gradient(np.array([0.0, 0.0])), f.value(np.array([0.0, 1.0]))
    (array([0., 0.]), -0.25)
    """

    name = "saddle"

    def __init__(self) -> None:
        self.minimizers = (np.array([0.0, 1.0]), np.array([0.0, -1.0]))
        self.min_value = -0.25
        self.saddle_point = np.array([0.0, 0.0])

    def value(self, p):
        x, y = np.moveaxis(np.asarray(p, dtype=float), -1, 0)
        return _scalar_or_array(x * x / 2 + (y * y) * (y * y) / 4 - y * y / 2)

    def gradient(self, p):
        x, y = np.moveaxis(np.asarray(p, dtype=float), -1, 0)
        return np.stack([x, y * y * y - y], axis=-1)


class LongSlope:
    r"""A long, straight slope into a narrow valley: :math:`f(\theta) = \sum_i
    \bigl(\sqrt{1 + \theta_i^2} - 1\bigr)`.

    The minimiser is :math:`\theta = 0` with value 0. The gradient
    :math:`\theta_i / \sqrt{1 + \theta_i^2}` is almost exactly :math:`\pm 1` except
    within a few units of the minimum, so a method that shrinks its steps over time
    (AdaGrad) has far to go with steps that keep getting shorter.

    Examples
    --------
    >>> f = LongSlope()
    >>> f.value(np.array([0.75])), f.gradient(np.array([0.75]))  # √1.5625 = 1.25
    (0.25, array([0.6]))
    >>> f.gradient(np.array([100.0])).round(5)
    array([0.99995])
    """

    name = "long slope"

    def __init__(self, dimension: int = 1) -> None:
        self.minimizers = (np.zeros(dimension),)
        self.min_value = 0.0

    def value(self, theta):
        theta = np.asarray(theta, dtype=float)
        return _scalar_or_array(np.sum(np.sqrt(1 + theta**2) - 1, axis=-1))

    def gradient(self, theta):
        theta = np.asarray(theta, dtype=float)
        return theta / np.sqrt(1 + theta**2)


class ReddiOnline:
    r"""The online problem on which Adam fails to converge (Reddi, Kale & Kumar, 2018).

    At step :math:`t = 1, 2, \dots` the loss is linear on :math:`x \in [-1, 1]`:

    .. math::
        f_t(x) = \begin{cases} C\,x & t \bmod p = 1 \\ -x & \text{otherwise} \end{cases}

    Over one period of :math:`p` steps the losses add up to :math:`(C - p + 1)\,x`,
    so for :math:`C > p - 1` the best fixed point is :math:`x = -1`. The defaults
    are the construction of the paper's Theorem 1 (:math:`p = 3`, :math:`C > 2`):
    with :math:`\beta_1 = 0`, :math:`\beta_2 = 1/(1 + C^2)` and step size
    :math:`\alpha/\sqrt{t}`, Adam's average :math:`v` forgets the rare large
    gradient, the frequent gradients −1 win, and Adam drifts to +1; AMSGrad keeps
    the largest :math:`v` and converges to −1.

    Parameters
    ----------
    C : float, default 3
        The rare, large gradient.
    period : int, default 3
        Steps between two large gradients (:math:`p`).
    """

    name = "Reddi et al. online problem"
    bounds = (-1.0, 1.0)

    def __init__(self, C: float = 3.0, period: int = 3) -> None:
        if isinstance(period, bool) or not isinstance(period, int) or period < 2:
            raise ValueError(f"ReddiOnline: period must be an integer >= 2, got {period!r}")
        if not math.isfinite(C) or C <= period - 1:
            raise ValueError(
                f"ReddiOnline: C must be finite and exceed period - 1 = {period - 1}, got {C}"
            )
        self.C, self.period = float(C), period
        self.minimizers = (np.array([-1.0]),)
        self.min_value = -(self.C - period + 1) / period  # of the average loss, at x = -1

    def gradient(self, x, t: int):
        """Gradient of :math:`f_t` (the same at every ``x``)."""
        slope = self.C if t % self.period == 1 else -1.0
        return np.full_like(np.asarray(x, dtype=float), slope)

    def value(self, x, t: int):
        """The loss :math:`f_t(x)` of step ``t``."""
        return self.gradient(x, t) * np.asarray(x, dtype=float)

    def average_value(self, x):
        r"""The mean loss over one period, :math:`(C - p + 1)\,x / p`: minimised at −1."""
        return (self.C - self.period + 1) * np.asarray(x, dtype=float) / self.period

    def project(self, x: np.ndarray) -> None:
        """Clip ``x`` into the feasible interval [−1, 1], in place."""
        np.clip(x, *self.bounds, out=x)


class LeastSquares:
    r"""Least squares on data: :math:`f(\theta) = \frac{1}{2n}\,\|X\theta - y\|^2`.

    The loss of fitting ``targets`` :math:`y` by ``features @ theta``, averaged over the
    :math:`n` rows. It is a quadratic with Hessian :math:`H = X^\top X / n` and
    minimiser :math:`\theta^*`, the least-squares fit. A *minibatch* gradient uses a
    few rows only: :meth:`minibatches` gives an objective whose ``gradient`` draws the
    next minibatch at every call, so that :func:`descent.lab.runs.run` runs
    stochastic gradient descent on it.

    Parameters
    ----------
    features : array_like, shape (n, d)
        The matrix :math:`X`, one row per example.
    targets : array_like, shape (n,)
        The values :math:`y` to fit.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> problem = LeastSquares(X, [1.0, 2.0, 3.0])
    >>> problem.minimizers[0]            # the fit is exact: 1 and 2
    array([1., 2.])
    >>> round(problem.excess(np.zeros(2)), 12)   # θ*ᵀHθ*/2, H = [[2, 1], [1, 2]]/3: 7/3
    2.333333333333
    >>> problem.gradient(np.zeros(2))    # -Xᵀy/n
    array([-1.33333333, -1.66666667])
    """

    name = "least squares"

    def __init__(self, features, targets) -> None:
        X = np.array(features, dtype=float)
        y = np.array(targets, dtype=float)
        if X.ndim != 2 or y.shape != (len(X),):
            raise ValueError(
                f"LeastSquares: features must be (n, d) and targets (n,), got {X.shape} "
                f"and {y.shape}"
            )
        self.features, self.targets = X, y
        self.hessian = X.T @ X / len(X)
        fit = np.linalg.lstsq(X, y, rcond=None)[0]
        self.minimizers = (fit,)
        self.min_value = float(self.value(fit))

    def value(self, theta):
        """The mean squared error over all rows, halved, at each point."""
        residuals = np.asarray(theta, dtype=float) @ self.features.T - self.targets
        return _scalar_or_array(0.5 * np.mean(residuals**2, axis=-1))

    def gradient(self, theta, rows=None):
        r""":math:`X^\top (X\theta - y) / n` over all rows, or over ``rows`` (indices) only."""
        X = self.features if rows is None else self.features[rows]
        y = self.targets if rows is None else self.targets[rows]
        return X.T @ (X @ np.asarray(theta, dtype=float) - y) / len(y)

    def excess(self, theta):
        r"""The loss above the best fit, :math:`\tfrac12 (\theta - \theta^*)^\top H
        (\theta - \theta^*)`, computed without cancellation."""
        offset = np.asarray(theta, dtype=float) - self.minimizers[0]
        return _scalar_or_array(0.5 * np.einsum("...i,ij,...j->...", offset, self.hessian, offset))

    def steps_per_epoch(self, batch_size: int) -> int:
        """Minibatches in one pass over the rows (the last may be smaller)."""
        return math.ceil(len(self.targets) / batch_size)

    def minibatches(self, batch_size: int, seed: int = 0) -> MinibatchObjective:
        """This problem with a fresh minibatch of ``batch_size`` rows at every gradient.

        Rows are drawn without replacement: each pass over the data (epoch) is a new
        permutation from a generator seeded with ``seed``.
        """
        return MinibatchObjective(self, batch_size, seed)


class MinibatchObjective:
    """A :class:`LeastSquares` problem seen through minibatches (:meth:`LeastSquares.minibatches`).

    ``value`` is the loss on all rows; each call of ``gradient`` uses the next
    ``batch_size`` rows of the current epoch's permutation.
    """

    def __init__(self, problem: LeastSquares, batch_size: int, seed: int) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"minibatches: batch_size must be an int >= 1, got {batch_size!r}")
        self.problem, self.batch_size = problem, batch_size
        self.name = f"{problem.name}, batches of {batch_size}"
        self.minimizers, self.min_value = problem.minimizers, problem.min_value
        self._rng = np.random.default_rng(seed)
        self._batches = iter(())

    def value(self, theta):
        return self.problem.value(theta)

    def gradient(self, theta):
        rows = next(self._batches, None)
        if rows is None:
            # a new epoch, shuffled as descent.lab.data.minibatches shuffles it
            order = self._rng.permutation(len(self.problem.targets))
            size = self.batch_size
            self._batches = (order[start : start + size] for start in range(0, len(order), size))
            rows = next(self._batches)
        return self.problem.gradient(theta, rows)


class NoisyQuadratic(Quadratic):
    r"""A quadratic whose gradient carries Gaussian noise: a model of minibatch gradients.

    The loss is exact, :math:`f(\theta) = \tfrac12\, \theta^\top H \theta`, but every call
    of :meth:`gradient` returns the true gradient plus fresh noise,

    .. math::
        g = H\theta + \xi, \qquad \xi \sim \mathcal{N}\bigl(0,\ \Sigma / B\bigr),

    as if :math:`g` were the mean of :math:`B` per-example gradients whose covariance is
    :math:`\Sigma`. ``noise_std`` gives :math:`\Sigma = \operatorname{diag}(\sigma_1^2,
    \dots, \sigma_d^2)` along the coordinate axes, ``noise_covariance`` gives
    :math:`\Sigma` itself, and ``batch_size`` is :math:`B`. The noise comes from
    ``numpy.random.default_rng(seed)``, so runs are reproducible; an array of points of
    shape ``(n_runs, d)`` gets independent noise in every row, which runs many seeds of an
    optimizer at once.

    With a constant learning rate, gradient descent on this function does not converge:
    it settles into a stationary distribution around the minimum, whose mean loss is
    :meth:`noise_floor`.

    Parameters
    ----------
    hessian : array_like, shape (d, d)
        A symmetric matrix :math:`H`.
    noise_std : array_like, shape (d,), optional
        Per-example noise standard deviation along each coordinate axis.
    noise_covariance : array_like, shape (d, d), optional
        Per-example noise covariance :math:`\Sigma`, symmetric positive semi-definite.
        Give exactly one of ``noise_std`` and ``noise_covariance``.
    batch_size : int, default 1
        :math:`B`: the noise covariance of a gradient is :math:`\Sigma / B`.
    seed : int, default 0
        Seed of the noise generator.
    name : str
        A short name for plots and tables.

    Raises
    ------
    ValueError
        If the noise is given twice or not at all, has the wrong shape, is negative or
        not finite, if the covariance is not symmetric positive semi-definite, or if
        ``batch_size`` is not an integer >= 1.

    Examples
    --------
    >>> f = NoisyQuadratic([[1.0]], noise_std=[2.0], batch_size=4, seed=0)
    >>> f.value(np.array([3.0]))                    # exact: 3²/2
    4.5
    >>> round(float(f.gradient(np.zeros((10_000, 1))).std()), 1)   # σ/√B = 2/√4
    1.0
    >>> round(f.noise_floor(lr=0.1), 6)             # 0.1/(2·4) · 2²/(2 − 0.1·1)
    0.026316
    """

    def __init__(
        self,
        hessian,
        noise_std=None,
        noise_covariance=None,
        *,
        batch_size: int = 1,
        seed: int = 0,
        name: str = "noisy quadratic",
    ) -> None:
        super().__init__(hessian, name=name)
        d = len(self.hessian)
        if (noise_std is None) == (noise_covariance is None):
            raise ValueError("NoisyQuadratic: give exactly one of noise_std and noise_covariance")
        if noise_std is not None:
            std = np.array(noise_std, dtype=float)
            if std.shape != (d,) or not np.all(np.isfinite(std)) or np.any(std < 0):
                raise ValueError(
                    f"NoisyQuadratic: noise_std must be {d} finite numbers >= 0, got {noise_std!r}"
                )
            self.noise_covariance = np.diag(std**2)
            self._noise_factor = np.diag(std)
        else:
            covariance = np.array(noise_covariance, dtype=float)
            if (
                covariance.shape != (d, d)
                or not np.all(np.isfinite(covariance))
                or not np.allclose(covariance, covariance.T)
            ):
                raise ValueError(
                    f"NoisyQuadratic: noise_covariance must be a symmetric {d}x{d} matrix, "
                    f"got {covariance}"
                )
            weights, vectors = np.linalg.eigh((covariance + covariance.T) / 2)
            if weights.min() < -1e-12 * max(1.0, abs(weights).max()):
                raise ValueError(
                    "NoisyQuadratic: noise_covariance must be positive semi-definite, "
                    f"its eigenvalues are {weights}"
                )
            self.noise_covariance = covariance
            self._noise_factor = vectors * np.sqrt(np.clip(weights, 0.0, None))
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"NoisyQuadratic: batch_size must be an int >= 1, got {batch_size!r}")
        self.batch_size = batch_size
        self._rng = np.random.default_rng(seed)

    @property
    def noise_variances(self) -> np.ndarray:
        r"""Per-example noise variance :math:`\sigma_i^2 = u_i^\top \Sigma u_i` along each
        eigenvector :math:`u_i` of :math:`H`, in the order of :attr:`Quadratic.eigenvalues`."""
        vectors = np.linalg.eigh(self.hessian)[1]
        return np.einsum("ji,jk,ki->i", vectors, self.noise_covariance, vectors)

    def gradient(self, theta):
        r""":math:`H\theta` plus fresh noise of covariance :math:`\Sigma/B` at each point."""
        theta = np.asarray(theta, dtype=float)
        z = self._rng.standard_normal(theta.shape)
        noise = z @ self._noise_factor.T / math.sqrt(self.batch_size)
        return theta @ self.hessian.T + noise

    def noise_floor(self, lr: float, momentum: float = 0.0) -> float:
        r"""The mean loss of constant-rate SGD (or heavy ball) once it has settled.

        .. math::
            \mathbb{E}[f] = \frac{\eta}{2B\,(1 - \mu)} \sum_i
            \frac{\sigma_i^2}{2 - \eta\lambda_i / (1 + \mu)}
            \;\approx\; \frac{\eta}{1 - \mu}\, \frac{\operatorname{tr}\Sigma}{4B}
            \quad (\eta\lambda_i \ll 1)

        with :math:`\lambda_i` the eigenvalues of :math:`H`, :math:`\sigma_i^2` the
        :attr:`noise_variances`, :math:`\eta` = ``lr`` and :math:`\mu` = ``momentum``
        (0 for SGD, the heavy ball of :class:`descent.Momentum` otherwise). Along
        eigenvector :math:`i` the stationary variance is
        :math:`\eta\sigma_i^2 (1 + \mu) / \bigl(B \lambda_i (1 - \mu)(2(1 + \mu) -
        \eta\lambda_i)\bigr)` and the loss is :math:`\lambda_i/2` times it.

        Returns ``inf`` if some direction is unstable, :math:`\eta\lambda_i \ge 2(1+\mu)`.

        Raises
        ------
        ValueError
            If :math:`H` is not positive definite (no stationary distribution), ``lr`` is
            negative or ``momentum`` is outside [0, 1).

        Examples
        --------
        >>> f = NoisyQuadratic([[1.0, 0.0], [0.0, 4.0]], noise_std=[1.0, 1.0])
        >>> round(f.noise_floor(0.01), 6), 0.01 * 2 / 4      # close to η tr(Σ)/(4B)
        (0.005064, 0.005)
        >>> f.noise_floor(0.5)                              # 0.5 · 4 = 2: unstable
        inf
        """
        if not (math.isfinite(lr) and lr >= 0):
            raise ValueError(f"noise_floor: lr must be a finite number >= 0, got {lr!r}")
        if not 0 <= momentum < 1:
            raise ValueError(f"noise_floor: momentum must be in [0, 1), got {momentum!r}")
        curvatures = self.eigenvalues
        if curvatures[0] <= 0:
            raise ValueError(
                f"noise_floor: the hessian must be positive definite, its eigenvalues are "
                f"{curvatures}"
            )
        if np.any(lr * curvatures >= 2 * (1 + momentum)):
            return math.inf
        denominators = 2 - lr * curvatures / (1 + momentum)
        scale = lr / (2 * self.batch_size * (1 - momentum))
        return float(scale * np.sum(self.noise_variances / denominators))
