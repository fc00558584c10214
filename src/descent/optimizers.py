r"""Seven optimizers, each a transcription of its update equation.

Every class updates a dictionary of NumPy arrays in place::

    opt = Adam(lr=0.001)
    opt.update(params, grads)   # params["W1"] etc. change in place

Inside each class, ``_step(theta, g, state)`` updates one parameter array
``theta`` given its gradient ``g``; it uses the names of the docstring's equations
(``m``, ``v``, ``m_hat``, ``v_hat``, ...). Checking input, creating the state and
counting steps are done once, in :class:`descent.base.Optimizer`.

Each class produces, step for step, the parameters of the ``torch.optim``
setting named in its Notes (float64, constant learning rate); the test suite
checks this.
"""

from __future__ import annotations

import numpy as np

from descent.base import Hyperparameter, Optimizer
from descent.checks import flag, non_negative, unit_interval

__all__ = ["SGD", "AdaGrad", "Adam", "AdamW", "Momentum", "Nesterov", "RMSProp"]


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
