r"""Ten optimizers, each a transcription of its update equation.

Every class updates a dictionary of NumPy arrays in place::

    opt = Adam(lr=0.001)
    opt.update(params, grads)   # params["W1"] etc. change in place

Inside each class, ``_step(theta, g, state)`` updates one parameter array
``theta`` given its gradient ``g``; it uses the names of the docstring's equations
(``m``, ``v``, ``m_hat``, ``v_hat``, ...). Checking input, creating the state and
counting steps are done once, in :class:`descent.base.Optimizer`.

Each class produces, step for step, the parameters of the ``torch.optim``
setting named in its Notes (float64, constant learning rate); the test suite
checks this. The three methods that came after Adam (:class:`~descent.Lion`,
:class:`~descent.Muon`, :class:`~descent.ScheduleFreeAdamW`) are checked the same way against
``lion_pytorch``, ``torch.optim.Muon`` and ``schedulefree``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from descent.base import Hyperparameter, Optimizer
from descent.checks import (
    flag,
    listing,
    non_negative,
    non_negative_int,
    positive_int,
    three_reals,
    unit_interval,
)

__all__ = [
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "Lion",
    "Momentum",
    "Muon",
    "Nesterov",
    "RMSProp",
    "ScheduleFreeAdamW",
    "newton_schulz",
]


class SGD(Optimizer):
    r"""Stochastic gradient descent: step against the gradient.

    .. math::
        \theta_t = \theta_{t-1} - \eta\, g_t

    ``lr`` is the learning rate :math:`\eta`; :math:`g_t` is the gradient at
    step :math:`t`.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta \ge 0`.

    Raises
    ------
    ValueError
        If ``lr`` is negative or not finite.

    Notes
    -----
    Identical to ``torch.optim.SGD(lr=lr)``. On a quadratic with curvature
    :math:`L` it converges only for :math:`\eta < 2/L`.

    References
    ----------
    H. Robbins and S. Monro, "A stochastic approximation method",
    *Annals of Mathematical Statistics* 22(3), 1951.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"w": np.array([1.0, -2.0])}
    >>> SGD(lr=0.1).update(params, {"w": np.array([0.5, 0.5])})
    >>> params["w"]
    array([ 0.95, -2.05])
    """

    lr = Hyperparameter(non_negative)

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__()
        self.lr = lr

    def _step(self, theta, g, state):
        theta -= self.lr * g


class Momentum(Optimizer):
    r"""Heavy-ball momentum: a velocity that accumulates past gradients.

    .. math::
        v_t = \mu\, v_{t-1} - \eta\, g_t, \qquad
        \theta_t = \theta_{t-1} + v_t, \qquad v_0 = 0

    ``lr`` is :math:`\eta`, ``momentum`` is :math:`\mu`; the velocity :math:`v` is
    kept for every parameter in ``state[key]["v"]``.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta \ge 0`.
    momentum : float, default 0.9
        Momentum coefficient :math:`\mu \in [0, 1)`.

    Raises
    ------
    ValueError
        If ``lr`` is negative or ``momentum`` is outside [0, 1).

    Notes
    -----
    This is the form of *Deep Learning from Scratch* and of the Korean blog post
    the book grew from.
    ``torch.optim.SGD(lr=lr, momentum=momentum)`` keeps :math:`b_t = \mu
    b_{t-1} + g_t` and steps :math:`\theta_t = \theta_{t-1} - \eta b_t`; with a
    constant learning rate :math:`v_t = -\eta b_t`, so both produce the same
    parameters. (They differ when :math:`\eta` changes during training.) On a
    constant gradient the velocity tends to :math:`-\eta g / (1 - \mu)`.

    References
    ----------
    B. T. Polyak, "Some methods of speeding up the convergence of iteration
    methods", *USSR Computational Mathematics and Mathematical Physics* 4(5), 1964.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"w": np.array([1.0])}
    >>> opt = Momentum(lr=0.1, momentum=0.5)
    >>> for _ in range(2):
    ...     opt.update(params, {"w": np.array([1.0])})
    >>> opt.state["w"]["v"]  # -0.1, then 0.5 * -0.1 - 0.1
    array([-0.15])
    """

    lr = Hyperparameter(non_negative)
    momentum = Hyperparameter(unit_interval)
    state_names = ("v",)

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__()
        self.lr = lr
        self.momentum = momentum

    def _step(self, theta, g, state):
        v = state["v"]
        v *= self.momentum
        v -= self.lr * g
        theta += v


class Nesterov(Momentum):
    r"""Nesterov momentum: correct the step with the gradient *after* the velocity.

    .. math::
        v_t = \mu\, v_{t-1} - \eta\, g_t, \qquad
        \theta_t = \theta_{t-1} + \mu\, v_t - \eta\, g_t, \qquad v_0 = 0

    ``lr`` is :math:`\eta`, ``momentum`` is :math:`\mu`; ``state[key]["v"]`` is
    :math:`v`. This is Nesterov's look-ahead step rewritten so that the gradient
    is taken at the current parameters (Sutskever et al., 2013).

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta \ge 0`.
    momentum : float, default 0.9
        Momentum coefficient :math:`\mu \in [0, 1)`.

    Raises
    ------
    ValueError
        If ``lr`` is negative or ``momentum`` is outside [0, 1).

    Notes
    -----
    Identical to ``torch.optim.SGD(lr=lr, momentum=momentum, nesterov=True)``,
    which steps :math:`\theta_t = \theta_{t-1} - \eta (g_t + \mu b_t)` with
    :math:`b_t = -v_t/\eta`. The Nesterov class in the code of *Deep Learning from
    Scratch* (``common/optimizer.py``) updates :math:`v` *before* using it in the
    step; that multiplies the old velocity by :math:`\mu^3` instead of
    :math:`\mu^2` and is not this method.

    References
    ----------
    Y. Nesterov, "A method for solving the convex programming problem with
    convergence rate O(1/k²)", *Soviet Mathematics Doklady* 27, 1983.
    I. Sutskever, J. Martens, G. Dahl and G. Hinton, "On the importance of
    initialization and momentum in deep learning", ICML 2013.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"w": np.array([1.0])}
    >>> Nesterov(lr=0.1, momentum=0.5).update(params, {"w": np.array([1.0])})
    >>> params["w"]  # v = -0.1; w = 1 + 0.5 * (-0.1) - 0.1
    array([0.85])
    """

    def _step(self, theta, g, state):
        v = state["v"]
        v *= self.momentum
        v -= self.lr * g
        theta += self.momentum * v - self.lr * g


class AdaGrad(Optimizer):
    r"""AdaGrad: divide each coordinate's step by the root of its summed squared gradients.

    .. math::
        h_t = h_{t-1} + g_t \odot g_t, \qquad
        \theta_t = \theta_{t-1} - \eta\, \frac{g_t}{\sqrt{h_t} + \epsilon},
        \qquad h_0 = 0

    ``lr`` is :math:`\eta`, ``eps`` is :math:`\epsilon`; ``state[key]["h"]`` is
    :math:`h`. Operations are element-wise. :math:`h` only grows, so the
    effective step :math:`\eta / (\sqrt{h_t} + \epsilon)` only shrinks.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta \ge 0`.
    eps : float, default 1e-10
        :math:`\epsilon \ge 0`, added to :math:`\sqrt{h_t}` to avoid dividing by zero.

    Raises
    ------
    ValueError
        If ``lr`` or ``eps`` is negative or not finite.

    Notes
    -----
    Identical to ``torch.optim.Adagrad(lr=lr, eps=eps)``: :math:`\epsilon` is
    added *outside* the square root, as in the paper and in *Deep Learning from
    Scratch* (which fixes :math:`\epsilon = 10^{-7}`). Keras, and the Korean blog
    post the book grew from, write :math:`\sqrt{h_t + \epsilon}`, which shrinks the first steps of
    coordinates whose gradients are smaller than about :math:`\sqrt{\epsilon}`.
    As in torch, ``eps=0`` is allowed; a coordinate whose gradients have all been
    zero then divides 0 by 0 and becomes NaN.

    References
    ----------
    J. Duchi, E. Hazan and Y. Singer, "Adaptive subgradient methods for online
    learning and stochastic optimization", *JMLR* 12, 2011.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"w": np.array([1.0, 1.0])}
    >>> AdaGrad(lr=0.5, eps=0.0).update(params, {"w": np.array([4.0, -0.01])})
    >>> params["w"]  # the first step is lr * sign(g), whatever the size of g
    array([0.5, 1.5])
    """

    lr = Hyperparameter(non_negative)
    eps = Hyperparameter(non_negative)
    state_names = ("h",)

    def __init__(self, lr: float = 0.01, eps: float = 1e-10) -> None:
        super().__init__()
        self.lr = lr
        self.eps = eps

    def _step(self, theta, g, state):
        h = state["h"]
        h += g * g
        theta -= self.lr * g / (np.sqrt(h) + self.eps)


class RMSProp(Optimizer):
    r"""RMSProp: divide the gradient by a running average of its recent magnitude.

    .. math::
        h_t = \rho\, h_{t-1} + (1 - \rho)\, g_t \odot g_t, \qquad
        \theta_t = \theta_{t-1} - \eta\, \frac{g_t}{\sqrt{h_t} + \epsilon},
        \qquad h_0 = 0

    ``lr`` is :math:`\eta`, ``rho`` is the decay rate :math:`\rho`, ``eps`` is
    :math:`\epsilon`; ``state[key]["h"]`` is :math:`h`. The average remembers
    roughly the last :math:`1/(1-\rho)` steps.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta \ge 0`.
    rho : float, default 0.99
        Decay rate :math:`\rho \in [0, 1)` of the squared-gradient average.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`, added to :math:`\sqrt{h_t}`.

    Raises
    ------
    ValueError
        If ``lr`` or ``eps`` is negative, or ``rho`` is outside [0, 1).

    Notes
    -----
    Identical to ``torch.optim.RMSprop(lr=lr, alpha=rho, eps=eps)``; torch calls
    :math:`\rho` ``alpha``, Keras calls it ``rho``. Because :math:`h_0 = 0` and
    there is no bias correction, the first step is about
    :math:`\eta/\sqrt{1-\rho}` (10η at ρ = 0.99). As in torch, ``eps=0`` is
    allowed; a coordinate whose gradients have all been zero then becomes NaN.

    References
    ----------
    T. Tieleman and G. Hinton, Lecture 6.5 "rmsprop: divide the gradient by a
    running average of its recent magnitude", *COURSERA: Neural Networks for
    Machine Learning*, 2012.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"w": np.array([0.0])}
    >>> RMSProp(lr=0.01, rho=0.99, eps=0.0).update(params, {"w": np.array([3.0])})
    >>> params["w"].round(6)  # -0.01 / sqrt(1 - 0.99) = -0.1
    array([-0.1])
    """

    lr = Hyperparameter(non_negative)
    rho = Hyperparameter(unit_interval)
    eps = Hyperparameter(non_negative)
    state_names = ("h",)

    def __init__(self, lr: float = 0.01, rho: float = 0.99, eps: float = 1e-8) -> None:
        super().__init__()
        self.lr = lr
        self.rho = rho
        self.eps = eps

    def _step(self, theta, g, state):
        h = state["h"]
        h *= self.rho
        h += (1 - self.rho) * g * g
        theta -= self.lr * g / (np.sqrt(h) + self.eps)


class Adam(Optimizer):
    r"""Adam: momentum on the gradient, RMSProp on its square, both bias-corrected.

    .. math::
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t \odot g_t \\
        \hat m_t &= m_t / (1 - \beta_1^t), \qquad
        \hat v_t = v_t / (1 - \beta_2^t) \\
        \theta_t &= \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    with :math:`m_0 = v_0 = 0`. ``lr`` is :math:`\eta`, ``beta1`` and ``beta2``
    are :math:`\beta_1, \beta_2`, ``eps`` is :math:`\epsilon`; ``state[key]``
    holds ``"m"`` and ``"v"``. With ``amsgrad=True`` it also keeps
    :math:`v^{\max}_t = \max(v^{\max}_{t-1}, v_t)` in ``"v_max"`` and uses
    :math:`\hat v_t = v^{\max}_t / (1 - \beta_2^t)`, so the denominator never
    shrinks.

    Parameters
    ----------
    lr : float, default 0.001
        Learning rate :math:`\eta \ge 0`.
    beta1 : float, default 0.9
        Decay rate :math:`\beta_1 \in [0, 1)` of the gradient average.
    beta2 : float, default 0.999
        Decay rate :math:`\beta_2 \in [0, 1)` of the squared-gradient average.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`, added to :math:`\sqrt{\hat v_t}`.
    amsgrad : bool, default False
        Use the AMSGrad maximum of Reddi et al. (2018).

    Raises
    ------
    ValueError
        If ``lr`` or ``eps`` is negative, or a beta is outside [0, 1).
    TypeError
        If ``amsgrad`` is not a bool.

    Notes
    -----
    Algorithm 1 of Kingma & Ba, identical to ``torch.optim.Adam(lr=lr,
    betas=(beta1, beta2), eps=eps, amsgrad=amsgrad)``. *Deep Learning from
    Scratch* folds the bias corrections into :math:`\eta_t = \eta
    \sqrt{1-\beta_2^t}/(1-\beta_1^t)` and adds a constant :math:`\hat\epsilon` to
    the uncorrected :math:`\sqrt{v_t}`; that is the paper's "ε̂" variant, and it acts
    like this class with :math:`\epsilon = \hat\epsilon/\sqrt{1-\beta_2^t}`,
    about 30 times larger at the first step for :math:`\beta_2 = 0.999`. AMSGrad
    as in torch: the paper's :math:`\hat v` has no bias correction. The first
    step is :math:`\eta\, g_1/(|g_1| + \epsilon) \approx \eta\,
    \mathrm{sign}(g_1)`.

    References
    ----------
    D. P. Kingma and J. Ba, "Adam: A method for stochastic optimization", ICLR 2015.
    S. J. Reddi, S. Kale and S. Kumar, "On the convergence of Adam and beyond",
    ICLR 2018.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"w": np.array([1.0, 1.0])}
    >>> Adam(lr=0.1).update(params, {"w": np.array([0.5, -50.0])})
    >>> params["w"].round(6)  # the first step is lr * sign(g)
    array([0.9, 1.1])
    """

    lr = Hyperparameter(non_negative)
    beta1 = Hyperparameter(unit_interval)
    beta2 = Hyperparameter(unit_interval)
    eps = Hyperparameter(non_negative)
    amsgrad = Hyperparameter(flag)

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        amsgrad: bool = False,
    ) -> None:
        super().__init__()
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.amsgrad = amsgrad

    @property
    def state_names(self):
        return ("m", "v", "v_max") if self.amsgrad else ("m", "v")

    def _step(self, theta, g, state):
        m, v = state["m"], state["v"]
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1**self.t)
        if self.amsgrad:
            v_max = state["v_max"]
            np.maximum(v_max, v, out=v_max)
            v_hat = v_max / (1 - self.beta2**self.t)
        else:
            v_hat = v / (1 - self.beta2**self.t)
        theta -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamW(Adam):
    r"""AdamW: Adam with weight decay applied to the parameters, not the gradient.

    .. math::
        \theta_{t-1}' = (1 - \eta\lambda)\, \theta_{t-1}, \qquad
        \theta_t = \theta_{t-1}' - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    where :math:`\hat m_t, \hat v_t` are Adam's (see :class:`Adam`), computed from
    the gradient alone. ``weight_decay`` is :math:`\lambda`; the other arguments
    are Adam's.

    Parameters
    ----------
    lr : float, default 0.001
        Learning rate :math:`\eta \ge 0`.
    beta1, beta2 : float, default 0.9, 0.999
        Decay rates in [0, 1), as in :class:`Adam`.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`.
    weight_decay : float, default 0.01
        Decoupled weight decay :math:`\lambda \ge 0`.
    amsgrad : bool, default False
        Use the AMSGrad maximum, as in :class:`Adam`.

    Raises
    ------
    ValueError
        If ``lr``, ``eps`` or ``weight_decay`` is negative, or a beta is outside [0, 1).

    Notes
    -----
    Identical to ``torch.optim.AdamW(lr=lr, betas=(beta1, beta2), eps=eps,
    weight_decay=weight_decay)``: the decay is multiplied by the learning rate,
    as in torch and optax. Loshchilov & Hutter write the decay with a schedule
    multiplier instead. Adam with an L2 penalty :math:`\tfrac{\lambda}{2}
    \|\theta\|^2` added to the loss is *not* the same method: there the decay
    term passes through Adam's division by :math:`\sqrt{\hat v_t}`.

    References
    ----------
    Ilya Loshchilov and Frank Hutter, "Decoupled weight decay regularization", ICLR 2019.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"w": np.array([2.0])}
    >>> opt = AdamW(lr=0.1, weight_decay=0.5)
    >>> opt.update(params, {"w": np.array([0.0])})  # zero gradient: only the decay acts
    >>> params["w"]  # 2 * (1 - 0.1 * 0.5)
    array([1.9])
    """

    weight_decay = Hyperparameter(non_negative)

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.01,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps, amsgrad=amsgrad)
        self.weight_decay = weight_decay

    def _step(self, theta, g, state):
        theta *= 1 - self.lr * self.weight_decay
        super()._step(theta, g, state)


class Lion(Optimizer):
    r"""Lion: step by the *sign* of an interpolation between momentum and gradient.

    .. math::
        c_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
        \theta_t &= (1 - \eta\lambda)\, \theta_{t-1} - \eta\, \mathrm{sign}(c_t) \\
        m_t &= \beta_2 m_{t-1} + (1 - \beta_2)\, g_t

    with :math:`m_0 = 0`. ``lr`` is :math:`\eta`, ``beta1`` and ``beta2`` are
    :math:`\beta_1, \beta_2`, ``weight_decay`` is :math:`\lambda`;
    ``state[key]["m"]`` is :math:`m`. Every coordinate moves by exactly
    :math:`\eta` (plus the decay), whatever the size of its gradient: the update
    is the sign of :math:`c_t`, and :math:`\mathrm{sign}(0) = 0`.

    Parameters
    ----------
    lr : float, default 1e-4
        Learning rate :math:`\eta \ge 0`. The sign update is larger than Adam's
        (every coordinate moves by :math:`\eta`), so Lion's learning rate is
        usually 3–10 times smaller than AdamW's.
    beta1 : float, default 0.9
        Weight :math:`\beta_1 \in [0, 1)` of the momentum in the step direction.
    beta2 : float, default 0.99
        Decay rate :math:`\beta_2 \in [0, 1)` of the momentum itself.
    weight_decay : float, default 0.0
        Decoupled weight decay :math:`\lambda \ge 0`.

    Raises
    ------
    ValueError
        If ``lr`` or ``weight_decay`` is negative or not finite, or a beta is
        outside [0, 1).

    Notes
    -----
    Identical to ``lion_pytorch.Lion(params, lr=lr, betas=(beta1, beta2),
    weight_decay=weight_decay)`` (Phil Wang's implementation, the one the paper's
    authors point to). The decay comes *first*, as in that code and in the paper's
    :math:`\theta_t = \theta_{t-1} - \eta(\mathrm{sign}(c_t) + \lambda\theta_{t-1})`;
    it is decoupled and multiplied by :math:`\eta`, as in :class:`AdamW`. The
    momentum :math:`m` is updated *after* the step with its own rate
    :math:`\beta_2`, so the direction uses a shorter memory (:math:`\beta_1`) than
    the momentum keeps (:math:`\beta_2`). ``lion_pytorch`` refuses ``lr=0`` and
    accepts betas equal to 1; this class accepts ``lr=0`` and, like every other
    class here, wants betas in [0, 1).

    References
    ----------
    X. Chen, C. Liang, D. Huang, E. Real, K. Wang, H. Pham, X. Dong, T. Luong,
    C.-J. Hsieh, Y. Lu and Q. V. Le, "Symbolic discovery of optimization
    algorithms", NeurIPS 2023.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"w": np.array([1.0, -2.0])}
    >>> Lion(lr=0.1, weight_decay=0.5).update(params, {"w": np.array([30.0, 0.002])})
    >>> params["w"].round(6)  # (1 - 0.1 * 0.5) * w - 0.1 * sign(g): the size of g is ignored
    array([ 0.85, -2.  ])
    """

    lr = Hyperparameter(non_negative)
    beta1 = Hyperparameter(unit_interval)
    beta2 = Hyperparameter(unit_interval)
    weight_decay = Hyperparameter(non_negative)
    state_names = ("m",)

    def __init__(
        self,
        lr: float = 1e-4,
        beta1: float = 0.9,
        beta2: float = 0.99,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__()
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.weight_decay = weight_decay

    def _step(self, theta, g, state):
        m = state["m"]
        c = self.beta1 * m + (1 - self.beta1) * g
        theta *= 1 - self.lr * self.weight_decay
        theta -= self.lr * np.sign(c)
        m *= self.beta2
        m += (1 - self.beta2) * g


MUON_COEFFICIENTS = (3.4445, -4.775, 2.0315)
"""Keller Jordan's quintic Newton–Schulz coefficients :math:`(a, b, c)`, torch's default."""


def newton_schulz(
    u: np.ndarray,
    ns_steps: int = 5,
    ns_coefficients: tuple[float, float, float] = MUON_COEFFICIENTS,
    eps: float = 1e-7,
) -> np.ndarray:
    r"""Push every singular value of the matrix ``u`` towards 1: Muon's orthogonalization.

    .. math::
        X_0 = \frac{u}{\max(\lVert u \rVert_F, \epsilon)}, \qquad
        P_j = X_j X_j^\top, \qquad
        X_{j+1} = a X_j + (b P_j + c P_j^2)\, X_j,

    and :math:`\mathrm{NS}_k(u) = X_k`. ``ns_steps`` is :math:`k`, ``ns_coefficients``
    is :math:`(a, b, c)`, ``eps`` is :math:`\epsilon`. If :math:`u = U \Sigma V^\top`,
    every iteration keeps :math:`U` and :math:`V` and maps each singular value
    :math:`\sigma` through :math:`p(\sigma) = a\sigma + b\sigma^3 + c\sigma^5`, so
    :math:`X_k = U\, p^{(k)}(\Sigma / \lVert u \rVert_F)\, V^\top`. Dividing by the
    Frobenius norm puts every :math:`\sigma` in [0, 1]. The classical coefficients
    :math:`(15/8, -10/8, 3/8)` make :math:`p^{(k)}(\sigma) \to 1` for every
    :math:`\sigma > 0`, so :math:`X_k \to U V^\top`, the orthogonal matrix nearest
    to :math:`u`; Keller Jordan's default :math:`(3.4445, -4.775, 2.0315)` grow small
    singular values much faster (slope 3.4445 at 0) and do not converge: after 5 steps
    every :math:`\sigma \ge \lVert u \rVert_F / 500` ends between 0.68 and 1.21, a band
    around 1 that is good enough for a step direction and far cheaper than an SVD.

    A matrix with more rows than columns is transposed first and back at the end, as in
    torch, so that :math:`P_j` is the smaller of the two Gram matrices.

    Parameters
    ----------
    u : numpy.ndarray
        A 2-D float array; the result has its shape and dtype.
    ns_steps : int, default 5
        Number of iterations :math:`k`.
    ns_coefficients : tuple of three floats, default (3.4445, -4.775, 2.0315)
        The coefficients :math:`(a, b, c)` of the odd polynomial :math:`p`.
    eps : float, default 1e-7
        Lower bound :math:`\epsilon` of the norm divided by (a zero ``u`` gives zero).

    Raises
    ------
    ValueError
        If ``u`` is not 2-D.

    Examples
    --------
    >>> import numpy as np
    >>> u = np.array([[3.0, 0.0], [0.0, 0.03]])  # singular values 100 times apart
    >>> np.linalg.svd(newton_schulz(u), compute_uv=False).round(2)  # both end near 0.7
    array([0.7, 0.7])
    >>> np.linalg.svd(newton_schulz(u, 30, (15 / 8, -10 / 8, 3 / 8)), compute_uv=False)
    array([1., 1.])
    """
    if u.ndim != 2:
        raise ValueError(f"newton_schulz: u must be a 2-D array, got shape {u.shape}")
    a, b, c = ns_coefficients
    tall = u.shape[0] > u.shape[1]
    X = u.T if tall else u
    X = X / max(np.linalg.norm(X), eps)
    for _ in range(ns_steps):
        P = X @ X.T
        X = a * X + (b * P + c * P @ P) @ X
    return X.T if tall else X


class Muon(Optimizer):
    r"""Muon: momentum whose update matrix is orthogonalized by Newton–Schulz.

    .. math::
        m_t &= \mu\, m_{t-1} + (1 - \mu)\, g_t \\
        u_t &= (1 - \mu)\, g_t + \mu\, m_t
            \quad \text{(with nesterov; otherwise } u_t = m_t \text{)} \\
        O_t &= \mathrm{NS}_k(u_t) \\
        \theta_t &= (1 - \eta\lambda)\, \theta_{t-1}
            - \eta \sqrt{\max(1, A/B)}\; O_t

    with :math:`m_0 = 0`, for a parameter matrix :math:`\theta` of shape
    :math:`A \times B`. :math:`\mathrm{NS}_k` is
    :func:`~descent.optimizers.newton_schulz`: it replaces every singular value of
    :math:`u_t` by a number close to 1, so the step moves the same amount along every
    direction the momentum has, however differently scaled they were. ``lr`` is
    :math:`\eta`, ``momentum`` is :math:`\mu`, ``weight_decay`` is :math:`\lambda`,
    ``ns_steps`` is :math:`k`, and ``ns_coefficients`` and ``eps`` are those of
    :func:`~descent.optimizers.newton_schulz`; ``state[key]["m"]`` is :math:`m`.

    Parameters
    ----------
    lr : float, default 1e-3
        Learning rate :math:`\eta \ge 0`.
    momentum : float, default 0.95
        Momentum coefficient :math:`\mu \in [0, 1)`.
    nesterov : bool, default True
        Orthogonalize the Nesterov combination :math:`u_t` instead of :math:`m_t`.
    weight_decay : float, default 0.1
        Decoupled weight decay :math:`\lambda \ge 0`.
    ns_steps : int, default 5
        Newton–Schulz iterations :math:`k \ge 1`.
    eps : float, default 1e-7
        :math:`\epsilon \ge 0` in the normalization :math:`u / \max(\lVert u
        \rVert_F, \epsilon)`.
    ns_coefficients : tuple of three floats, default (3.4445, -4.775, 2.0315)
        Coefficients :math:`(a, b, c)` of the Newton–Schulz polynomial.

    Raises
    ------
    ValueError
        If ``lr``, ``eps`` or ``weight_decay`` is negative or not finite,
        ``momentum`` is outside [0, 1), ``ns_steps`` is below 1,
        ``ns_coefficients`` is not three finite numbers, or (in
        :meth:`~descent.base.Optimizer.update`) a parameter is not 2-D; nothing is
        updated then.
    TypeError
        If ``nesterov`` is not a bool or ``ns_steps`` is not an int.

    Notes
    -----
    The same steps as ``torch.optim.Muon(params, lr=lr, weight_decay=weight_decay,
    momentum=momentum, nesterov=nesterov, ns_coefficients=ns_coefficients, eps=eps,
    ns_steps=ns_steps)`` (``adjust_lr_fn=None``, which is its ``"original"``
    adjustment :math:`\eta\sqrt{\max(1, A/B)}`, Keller Jordan's), with one
    difference: torch runs the Newton–Schulz iteration in bfloat16 (8 bits of
    mantissa, relative error about :math:`4 \times 10^{-3}`), this class in the
    parameter's dtype. With the cast removed, the two agree to rounding in float64.
    The weight decay uses the unadjusted :math:`\eta`, as in torch.
    ``adjust_lr_fn="match_rms_adamw"`` (Liu et al., 2025) would scale by
    :math:`0.2\sqrt{\max(A, B)}` instead, so that Muon can reuse AdamW's learning
    rate and weight decay; it is not provided here.

    The momentum is an exponential average (torch and Keller Jordan's code use
    ``lerp``); torch's docstring writes :math:`B_t = \mu B_{t-1} + g_t`, which
    differs by the factor :math:`1-\mu` that the normalization in
    :math:`\mathrm{NS}_k` removes anyway (except through :math:`\epsilon`).

    Muon is meant for the 2-D weight matrices of hidden layers. Biases, gains and
    other non-matrix parameters, and by convention the input embedding and the
    output layer, are trained with AdamW alongside it (two optimizers, each with
    its own dict of params). This class refuses any parameter that is not 2-D, as
    torch does. As in torch, ``eps=0`` is allowed; a zero :math:`u_t` then divides
    0 by 0 and becomes NaN.

    References
    ----------
    K. Jordan, Y. Jin, V. Boza, J. You, F. Cesista, L. Newhouse and J. Bernstein,
    "Muon: an optimizer for hidden layers in neural networks", blog post, 2024,
    https://kellerjordan.github.io/posts/muon/.
    J. Liu, J. Su, X. Yao, Z. Jiang, G. Lai, Y. Du, Y. Qin, W. Xu, E. Lu, J. Yan
    et al., "Muon is scalable for LLM training", arXiv:2502.16982, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"W": np.zeros((2, 2))}
    >>> opt = Muon(lr=0.1, weight_decay=0.0)
    >>> opt.update(params, {"W": np.array([[100.0, 0.0], [0.0, 1.0]])})
    >>> params["W"].round(3)  # g's two directions differ 100-fold; the step's do not
    array([[-0.07,  0.  ],
           [ 0.  , -0.07]])
    """

    lr = Hyperparameter(non_negative)
    momentum = Hyperparameter(unit_interval)
    nesterov = Hyperparameter(flag)
    weight_decay = Hyperparameter(non_negative)
    ns_steps = Hyperparameter(positive_int)
    eps = Hyperparameter(non_negative)
    ns_coefficients = Hyperparameter(three_reals)
    state_names = ("m",)

    def __init__(
        self,
        lr: float = 1e-3,
        momentum: float = 0.95,
        nesterov: bool = True,
        weight_decay: float = 0.1,
        ns_steps: int = 5,
        eps: float = 1e-7,
        ns_coefficients: tuple[float, float, float] = MUON_COEFFICIENTS,
    ) -> None:
        super().__init__()
        self.lr = lr
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        self.ns_steps = ns_steps
        self.eps = eps
        self.ns_coefficients = ns_coefficients

    def check_param(self, key: str, theta: np.ndarray) -> None:
        """Refuse a parameter that is not a matrix: Muon orthogonalizes 2-D updates only."""
        if theta.ndim != 2:
            raise ValueError(
                f"{type(self).__name__}.update: param {key!r} has shape {theta.shape}, but "
                "Muon updates only 2-D params (matrices); train the others with AdamW"
            )

    def _step(self, theta, g, state):
        m = state["m"]
        m *= self.momentum
        m += (1 - self.momentum) * g
        u = (1 - self.momentum) * g + self.momentum * m if self.nesterov else m
        O = newton_schulz(u, self.ns_steps, self.ns_coefficients, self.eps)  # noqa: E741
        A, B = theta.shape
        theta *= 1 - self.lr * self.weight_decay
        theta -= self.lr * math.sqrt(max(1, A / B)) * O


class ScheduleFreeAdamW(Optimizer):
    r"""Schedule-Free AdamW: take gradients between a fast sequence and its running average.

    .. math::
        \gamma_t &= \eta \min(1, t/T_w), \qquad
        \gamma^{\max}_t = \max(\gamma^{\max}_{t-1}, \gamma_t), \qquad
        w_t = t^r\, (\gamma^{\max}_t)^p, \qquad
        S_t = S_{t-1} + w_t, \qquad c_t = w_t / S_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t \odot g_t, \qquad
        \hat g_t = \frac{g_t}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}
            + \lambda\, y_{t-1} \\
        z_t &= z_{t-1} - \gamma_t\, \hat g_t \\
        x_t &= (1 - c_t)\, x_{t-1} + c_t\, z_t \\
        y_t &= (1 - \beta_1)\, z_t + \beta_1 x_t

    with :math:`z_0 = x_0 = y_0 = \theta_0`, :math:`v_0 = 0`, :math:`S_0 = 0`,
    :math:`\gamma^{\max}_0 = 0` (:math:`\gamma_t = \eta` when :math:`T_w = 0`, and
    :math:`c_t = 0` while :math:`S_t = 0`). The gradient :math:`g_t` is taken at
    :math:`y_{t-1}`. Three sequences: :math:`z` takes plain AdamW-like steps with a
    constant rate, :math:`x` is their weighted running average (with :math:`r = 0`
    and no warm-up, :math:`c_t = 1/t`: the uniform average), and :math:`y`, where the
    gradient is evaluated, interpolates between them. The params hold :math:`y`;
    eliminating :math:`x` gives the update that is computed,

    .. math::
        y_t = y_{t-1} + c_t (z_{t-1} - y_{t-1})
            + \gamma_t \bigl(\beta_1 (1 - c_t) - 1\bigr)\, \hat g_t,

    and :meth:`averaged` returns :math:`x_t = y_t + (1 - 1/\beta_1)(z_t - y_t)`, the
    point to evaluate and to keep at the end of training. ``lr`` is :math:`\eta`,
    ``beta1`` and ``beta2`` are :math:`\beta_1, \beta_2`, ``eps`` is :math:`\epsilon`,
    ``weight_decay`` is :math:`\lambda`, ``warmup_steps`` is :math:`T_w`, ``r`` is
    :math:`r` and ``weight_lr_power`` is :math:`p`. ``state[key]`` holds ``"z"``,
    ``"v"``, ``"weight_sum"`` (:math:`S_t`) and ``"lr_max"``
    (:math:`\gamma^{\max}_t`).

    Parameters
    ----------
    lr : float, default 0.0025
        Learning rate :math:`\eta \ge 0` (after warm-up).
    beta1 : float, default 0.9
        Interpolation :math:`\beta_1 \in [0, 1)` between :math:`z` and :math:`x`; it
        plays the part of Adam's momentum. :meth:`averaged` needs :math:`\beta_1 > 0`.
    beta2 : float, default 0.999
        Decay rate :math:`\beta_2 \in [0, 1)` of the squared-gradient average.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`, added to the root.
    weight_decay : float, default 0.0
        Weight decay :math:`\lambda \ge 0`, computed at :math:`y`.
    warmup_steps : int, default 0
        Length :math:`T_w \ge 0` of the linear warm-up of :math:`\gamma_t` (0: none).
    r : float, default 0.0
        Power :math:`r \ge 0` of the polynomial weights :math:`t^r` of the average.
    weight_lr_power : float, default 2.0
        Power :math:`p \ge 0` of :math:`\gamma^{\max}_t` in the weights, which gives
        the warm-up's small steps little weight in the average (0: none).

    Raises
    ------
    ValueError
        If ``lr``, ``eps``, ``weight_decay``, ``r`` or ``weight_lr_power`` is
        negative or not finite, a beta is outside [0, 1), or ``warmup_steps`` is
        negative.
    TypeError
        If ``warmup_steps`` is not an int.

    Notes
    -----
    Identical, step for step, to ``schedulefree.AdamWScheduleFree(params, lr=lr,
    betas=(beta1, beta2), eps=eps, weight_decay=weight_decay,
    warmup_steps=warmup_steps, r=r, weight_lr_power=weight_lr_power)`` (version
    1.4) in train mode, whose params hold :math:`y`; after its ``.eval()`` they hold
    :math:`x`, which :meth:`averaged` returns here as a new dict instead of
    overwriting the params.

    Bias correction: that release divides :math:`v_t` by :math:`1 - \beta_2^t`, as
    Adam does. The paper's Algorithm 1 (and ``schedulefree``'s
    ``AdamWScheduleFreePaper``) instead leaves :math:`v_t` uncorrected and scales
    the rate, :math:`\gamma_t = \eta \min(1, t/T_w) \sqrt{1 - \beta_2^t}`, which
    moves :math:`\epsilon` (as in Adam's ε̂ variant) and also changes the weights
    :math:`w_t`, which are computed from :math:`\gamma_t`. The paper's weights are
    :math:`\gamma_t^2`; the code's :math:`(\gamma^{\max}_t)^2` are the same while
    the rate only grows (warm-up, then constant). Weight decay is computed at
    :math:`y` and goes through the same step as the gradient (``decay_at_z=False``
    in the reference implementation).

    :math:`S_t` and :math:`\gamma^{\max}_t` are one number per optimizer in
    ``schedulefree``; here every parameter keeps a copy of them, as arrays of its
    own shape (every entry the same), so that the state of each parameter is
    complete and ``state_dict`` keeps the layout of every other optimizer.

    Schedule-Free replaces the learning-rate *schedule* (and needs no total number
    of steps): averaging the :math:`z` iterates does what a decaying rate would.
    Use a constant ``lr`` with it; warm-up is built in. With :math:`\beta_1 = 0`
    the params :math:`y` equal :math:`z` and the average cannot be recovered from
    them (``schedulefree``'s ``.eval()`` divides by zero), so :meth:`averaged`
    raises.

    References
    ----------
    A. Defazio, X. Yang, H. Mehta, K. Mishchenko, A. Khaled and A. Cutkosky, "The
    road less scheduled", NeurIPS 2024.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"w": np.array([1.0, -1.0])}
    >>> opt = ScheduleFreeAdamW(lr=0.1)
    >>> for _ in range(2):
    ...     opt.update(params, {"w": np.array([0.5, -50.0])})
    >>> params["w"].round(4)  # y = 0.1 z + 0.9 x, where the gradients are taken
    array([ 0.845, -0.845])
    >>> opt.averaged(params)["w"].round(4)  # x, the average of z_1 = 0.9 and z_2 = 0.8
    array([ 0.85, -0.85])
    """

    lr = Hyperparameter(non_negative)
    beta1 = Hyperparameter(unit_interval)
    beta2 = Hyperparameter(unit_interval)
    eps = Hyperparameter(non_negative)
    weight_decay = Hyperparameter(non_negative)
    warmup_steps = Hyperparameter(non_negative_int)
    r = Hyperparameter(non_negative)
    weight_lr_power = Hyperparameter(non_negative)
    state_names = ("z", "v", "weight_sum", "lr_max")

    def __init__(
        self,
        lr: float = 0.0025,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        warmup_steps: int = 0,
        r: float = 0.0,
        weight_lr_power: float = 2.0,
    ) -> None:
        super().__init__()
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weight_decay = weight_decay
        self.warmup_steps = warmup_steps
        self.r = r
        self.weight_lr_power = weight_lr_power

    def _step(self, theta, g, state):
        y, z, v = theta, state["z"], state["v"]
        weight_sum, lr_max = state["weight_sum"], state["lr_max"]  # S, γ_max: arrays, one value
        t = self.t
        if t == 1:
            z[...] = y  # z_0 = x_0 = y_0 = θ_0
        gamma = self.lr * min(1, t / self.warmup_steps) if self.warmup_steps else self.lr
        np.maximum(lr_max, gamma, out=lr_max)
        w = t**self.r * lr_max**self.weight_lr_power
        weight_sum += w
        c = np.divide(w, weight_sum, out=np.zeros_like(w), where=weight_sum > 0)
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        g_hat = g / (np.sqrt(v / (1 - self.beta2**t)) + self.eps) + self.weight_decay * y
        y += c * (z - y)
        y += gamma * (self.beta1 * (1 - c) - 1) * g_hat
        z -= gamma * g_hat

    def averaged(self, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        r"""The averaged points :math:`x_t = y_t + (1 - 1/\beta_1)(z_t - y_t)`, as a new dict.

        This is what ``schedulefree``'s ``.eval()`` writes into the params: the point
        to evaluate (test loss, accuracy) and to keep when training ends. ``params``
        (the :math:`y` that :meth:`~descent.base.Optimizer.update` changed) and the
        state are left as they are.
        Before the first update :math:`x = y`, and the result holds copies of ``params``.

        Raises
        ------
        TypeError
            If ``params`` is not a dict of float arrays.
        ValueError
            If ``params`` does not fit the state (keys, shapes, dtypes), or
            ``beta1`` is 0 (then :math:`y = z` and :math:`x` cannot be recovered).
        """
        owner = f"{type(self).__name__}.averaged"
        if not isinstance(params, Mapping):
            raise TypeError(f"{owner}: params must be a dict, got {type(params).__name__}")
        if self.state and set(params) != set(self.state):
            raise ValueError(
                f"{owner}: params must have the keys this optimizer has state for "
                f"(state: {listing(self.state)}; params: {listing(params)})"
            )
        for key, y in params.items():
            if not isinstance(y, np.ndarray) or not np.issubdtype(y.dtype, np.floating):
                got = getattr(y, "dtype", type(y).__name__)
                raise TypeError(f"{owner}: param {key!r} must be a float array, got {got}")
            z = self.state.get(key, {}).get("z", y)
            if z.shape != y.shape or z.dtype != y.dtype:
                raise ValueError(
                    f"{owner}: param {key!r} has shape {y.shape} and dtype {y.dtype}, but "
                    f"its state 'z' has shape {z.shape} and dtype {z.dtype}"
                )
        if not self.state:
            return {key: y.copy() for key, y in params.items()}
        if self.beta1 == 0:
            raise ValueError(
                f"{owner}: beta1 is 0.0, so the params y equal z and the average x cannot "
                "be recovered from them; use beta1 > 0"
            )
        return {
            key: y + (1 - 1 / self.beta1) * (self.state[key]["z"] - y) for key, y in params.items()
        }
