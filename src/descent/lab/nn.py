r"""A small multilayer perceptron with backpropagation, for training experiments.

Each layer writes its backward pass next to its forward pass. The parameters of
the whole network live in one dictionary, ``mlp.params = {"W1": ..., "b1": ...}``,
whose arrays the layers share; an optimizer's ``update(mlp.params, grads)``
changes them in place and the network sees the change.

>>> import numpy as np
>>> mlp = MLP([4, 8, 3], seed=0)
>>> sorted(mlp.params)
['W1', 'W2', 'b1', 'b2']
>>> x, labels = np.ones((5, 4)), np.array([0, 1, 2, 0, 1])
>>> loss, grads = mlp.loss_and_gradients(x, labels)
>>> grads["W1"].shape
(4, 8)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["MLP", "Affine", "ReLU", "SoftmaxCrossEntropy", "numerical_gradients"]


class Affine:
    r"""Fully connected layer :math:`y = xW + b`.

    Backward, for an upstream gradient :math:`\partial L/\partial y`:
    :math:`\partial L/\partial W = x^\top\, \partial L/\partial y`,
    :math:`\partial L/\partial b = \sum_{\text{rows}} \partial L/\partial y`,
    :math:`\partial L/\partial x = \partial L/\partial y\; W^\top`.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W, self.b = W, b

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return x @ self.W + self.b

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self.dW = self.x.T @ dy
        self.db = dy.sum(axis=0)
        return dy @ self.W.T


class ReLU:
    r""":math:`y = \max(x, 0)`; the gradient passes where :math:`x > 0` and is 0 elsewhere."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.positive = x > 0
        return np.where(self.positive, x, 0)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return np.where(self.positive, dy, 0)


class SoftmaxCrossEntropy:
    r"""Mean cross-entropy of softmax probabilities against integer labels.

    Forward: :math:`p = \mathrm{softmax}(s)`, :math:`L = -\frac1N \sum_n \log
    p_{n, t_n}`. Backward: :math:`\partial L/\partial s = (p - \mathrm{onehot}(t))/N`.
    """

    def forward(self, scores: np.ndarray, labels: np.ndarray) -> float:
        shifted = scores - scores.max(axis=1, keepdims=True)  # exp cannot overflow
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.p, self.labels = np.exp(log_p), labels
        return float(-log_p[np.arange(len(labels)), labels].mean())

    def backward(self) -> np.ndarray:
        ds = self.p.copy()
        ds[np.arange(len(self.labels)), self.labels] -= 1
        return ds / len(self.labels)


class MLP:
    """Affine → ReLU → … → Affine → softmax cross-entropy.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from input to output, e.g. ``[64, 100, 10]``.
    seed : int
        Seed of the He initialisation (weights ~ N(0, 2/fan_in), biases 0).
    dtype : numpy dtype, default float64
        Dtype of every parameter.
    """

    def __init__(self, sizes: Sequence[int], seed: int = 0, dtype=np.float64) -> None:
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs an input and an output width, got {sizes}")
        rng = np.random.default_rng(seed)
        self.params: dict[str, np.ndarray] = {}
        self.layers: list = []
        for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes), start=1):
            W = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out)).astype(dtype)
            b = np.zeros(fan_out, dtype=dtype)
            self.params[f"W{i}"], self.params[f"b{i}"] = W, b
            self.layers.append(Affine(W, b))
            if i < len(sizes) - 1:
                self.layers.append(ReLU())
        self.head = SoftmaxCrossEntropy()

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Class scores (logits) for a batch ``x`` of shape (N, sizes[0])."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def loss(self, x: np.ndarray, labels: np.ndarray) -> float:
        """Mean softmax cross-entropy of the batch ``x`` against integer ``labels``."""
        return self.head.forward(self.scores(x), labels)

    def loss_and_gradients(
        self, x: np.ndarray, labels: np.ndarray
    ) -> tuple[float, dict[str, np.ndarray]]:
        """The loss on a batch and its gradient for every parameter (backpropagation)."""
        loss = self.loss(x, labels)
        dy = self.head.backward()
        for layer in reversed(self.layers):
            dy = layer.backward(dy)
        grads = {}
        affines = [layer for layer in self.layers if isinstance(layer, Affine)]
        for i, layer in enumerate(affines, start=1):
            grads[f"W{i}"], grads[f"b{i}"] = layer.dW, layer.db
        return loss, grads

    def accuracy(self, x: np.ndarray, labels: np.ndarray) -> float:
        """Fraction of the batch whose highest score is the right label."""
        return self.evaluate(x, labels)[1]

    def evaluate(self, x: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
        """Loss and accuracy on a batch, from one forward pass."""
        scores = self.scores(x)
        accuracy = float((scores.argmax(axis=1) == labels).mean())
        return self.head.forward(scores, labels), accuracy


def numerical_gradients(
    loss: Callable[[], float], params: dict[str, np.ndarray], h: float = 1e-5
) -> dict[str, np.ndarray]:
    r"""Central differences :math:`(L(\theta + h e_i) - L(\theta - h e_i)) / 2h` for every entry.

    ``loss()`` is called with the entries of ``params`` nudged in place; each
    entry is restored afterwards. Slow (two calls per entry): for checking
    backpropagation on small networks only.
    """
    grads = {}
    for key, theta in params.items():
        g = np.zeros_like(theta)
        for i in np.ndindex(theta.shape):
            saved = theta[i]
            theta[i] = saved + h
            plus = loss()
            theta[i] = saved - h
            minus = loss()
            theta[i] = saved
            g[i] = (plus - minus) / (2 * h)
        grads[key] = g
    return grads
