"""The MLP: backprop against numerical gradients, the softmax head, shared parameters, training."""

import math

import numpy as np
import pytest

from descent import SGD
from descent.lab.nn import MLP, ReLU, SoftmaxCrossEntropy, numerical_gradients


def tiny_batch(sizes=(5, 4, 3), n=6, seed=0):
    """A network and a random batch whose labels cover every class."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, sizes[0]))
    labels = np.arange(n) % sizes[-1]
    return MLP(list(sizes), seed=seed), x, labels


def distance_to_kinks(mlp, x):
    """The smallest |input| of any ReLU on the batch ``x``.

    Central differences are wrong where a nudge of h moves a ReLU input across 0. With
    zero-initialised biases that is not rare: a sample whose hidden units are all off gives
    the next layer inputs exactly b = 0.
    """
    smallest = math.inf
    for layer in mlp.layers:
        if isinstance(layer, ReLU):
            smallest = min(smallest, float(np.abs(x).min()))
        x = layer.forward(x)
    return smallest


def relative_error(a, b):
    """max |a - b| over the larger of max |a| and max |b|: the error on the scale of the gradient.

    (Entry-wise ratios blow up for entries that are zero up to rounding.)
    """
    return np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max())


def blobs(n_per_class=30, seed=0):
    """Three well separated Gaussian clusters in the plane (std 0.3, centres 3 apart)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0]])
    x = np.concatenate([c + 0.3 * rng.normal(size=(n_per_class, 2)) for c in centres])
    labels = np.repeat(np.arange(3), n_per_class)
    return x, labels


# -- backpropagation -------------------------------------------------------------


@pytest.mark.parametrize("sizes", [(5, 4, 3), (3, 6, 5, 4), (4, 2)])
def test_backprop_matches_numerical_gradients(sizes):
    mlp, x, labels = tiny_batch(sizes)
    rng = np.random.default_rng(1)
    for key, value in mlp.params.items():
        if key.startswith("b"):  # non-zero biases: check their gradients in general
            value += rng.normal(0.0, 0.5, value.shape)
    assert distance_to_kinks(mlp, x) > 1e-3, "the batch sits on a ReLU kink: pick another seed"
    _, grads = mlp.loss_and_gradients(x, labels)
    numeric = numerical_gradients(lambda: mlp.loss(x, labels), mlp.params)
    assert set(grads) == set(numeric) == set(mlp.params)
    for key in mlp.params:
        assert grads[key].shape == mlp.params[key].shape
        assert np.abs(grads[key]).max() > 1e-3, f"{key}: gradient too small to check"
        assert relative_error(grads[key], numeric[key]) < 1e-6, key


def test_numerical_gradients_restore_params():
    mlp, x, labels = tiny_batch()
    before = {key: value.copy() for key, value in mlp.params.items()}
    arrays = dict(mlp.params)
    numerical_gradients(lambda: mlp.loss(x, labels), mlp.params)
    for key in before:
        assert mlp.params[key] is arrays[key]
        np.testing.assert_array_equal(mlp.params[key], before[key])


def test_numerical_gradients_of_a_quadratic():
    # Central differences are exact for a quadratic up to rounding: d/dθ Σθ² = 2θ.
    params = {"a": np.array([1.0, -2.0, 0.5]), "b": np.array([[3.0]])}

    def loss():
        return sum(float((p**2).sum()) for p in params.values())

    numeric = numerical_gradients(loss, params)
    np.testing.assert_allclose(numeric["a"], [2.0, -4.0, 1.0], rtol=1e-8)
    np.testing.assert_allclose(numeric["b"], [[6.0]], rtol=1e-8)


# -- the softmax cross-entropy head ------------------------------------------------


@pytest.mark.parametrize("K", [2, 3, 10])
@pytest.mark.parametrize("level", [0.0, 7.5, -1e4])
def test_uniform_scores_cost_log_k(K, level):
    # Equal scores give p = 1/K for every class, so -log p_t = log K whatever the label,
    # and the gradient (p - onehot)/N is (1/K - 1)/N at the label, 1/(KN) elsewhere.
    N = 4
    head = SoftmaxCrossEntropy()
    labels = np.arange(N) % K
    loss = head.forward(np.full((N, K), level), labels)
    assert loss == pytest.approx(math.log(K), rel=1e-12)
    expected = np.full((N, K), 1 / (K * N))
    expected[np.arange(N), labels] -= 1 / N
    np.testing.assert_allclose(head.backward(), expected, atol=1e-15)


def test_huge_scores_give_a_finite_exact_loss():
    # Scores (1000, 0, -1000): p_0 = 1/(1 + e^-1000 + e^-2000) rounds to 1, so the loss for
    # label 0 is 0; log p_2 = -2000 - log(1 + e^-1000 + ...) = -2000, so label 2 costs 2000.
    # exp(1000) overflows: only a shifted softmax gets these right (and warns about nothing).
    head = SoftmaxCrossEntropy()
    scores = np.array([[1000.0, 0.0, -1000.0]])
    assert head.forward(scores, np.array([0])) == 0.0
    assert head.forward(scores, np.array([2])) == pytest.approx(2000.0, rel=1e-15)
    assert np.isfinite(head.backward()).all()


# -- parameters, accuracy, construction --------------------------------------------


def test_params_are_shared_with_the_layers():
    mlp, x, labels = tiny_batch()
    loss, grads = mlp.loss_and_gradients(x, labels)
    arrays = dict(mlp.params)
    SGD(lr=0.01).update(mlp.params, grads)
    assert all(mlp.params[key] is arrays[key] for key in arrays)
    # A small step against the gradient lowers the loss by about η‖g‖².
    assert mlp.loss(x, labels) < loss


def test_training_reduces_the_loss_on_separable_data():
    x, labels = blobs()
    mlp = MLP([2, 8, 3], seed=0)
    opt = SGD(lr=0.1)
    first = mlp.loss(x, labels)
    for _ in range(300):
        _, grads = mlp.loss_and_gradients(x, labels)
        opt.update(mlp.params, grads)
    assert mlp.loss(x, labels) < 0.1 * first
    assert mlp.accuracy(x, labels) == 1.0


def test_accuracy_of_a_zero_network_is_the_share_of_class_zero():
    # All-zero weights give all-zero scores; argmax picks the first class, so the accuracy is
    # the fraction of labels equal to 0: 2 of 6 here.
    mlp, x, _ = tiny_batch()
    for value in mlp.params.values():
        value[...] = 0.0
    assert mlp.accuracy(x, np.array([0, 1, 2, 0, 2, 1])) == pytest.approx(2 / 6)


@pytest.mark.parametrize("seed", [0, 1])
def test_evaluate_gives_the_loss_and_accuracy_of_one_forward_pass(seed):
    mlp, x, labels = tiny_batch(seed=seed)
    assert mlp.evaluate(x, labels) == (mlp.loss(x, labels), mlp.accuracy(x, labels))


@pytest.mark.parametrize("sizes", [[5], []])
def test_mlp_needs_two_sizes(sizes):
    with pytest.raises(ValueError, match="sizes needs an input and an output width"):
        MLP(sizes)


def test_parameter_names_and_shapes():
    mlp = MLP([5, 4, 3], seed=0)
    shapes = {key: value.shape for key, value in mlp.params.items()}
    assert shapes == {"W1": (5, 4), "b1": (4,), "W2": (4, 3), "b2": (3,)}


def test_same_seed_same_network_other_seed_other_network():
    a, b, c = MLP([5, 4, 3], seed=1), MLP([5, 4, 3], seed=1), MLP([5, 4, 3], seed=2)
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])
    assert not np.array_equal(a.params["W1"], c.params["W1"])


def test_he_initialisation():
    # Weights ~ N(0, 2/fan_in): with 400 × 300 draws the sample std is within 1% of √(2/400).
    mlp = MLP([400, 300, 2], seed=0)
    assert mlp.params["W1"].std() == pytest.approx(math.sqrt(2 / 400), rel=0.01)
    assert abs(mlp.params["W1"].mean()) < 0.005
    np.testing.assert_array_equal(mlp.params["b1"], 0.0)


def test_float32_network_stays_float32():
    mlp = MLP([5, 4, 3], seed=0, dtype=np.float32)
    x = np.ones((2, 5), dtype=np.float32)
    _, grads = mlp.loss_and_gradients(x, np.array([0, 2]))
    assert {value.dtype for value in mlp.params.values()} == {np.dtype(np.float32)}
    assert {value.dtype for value in grads.values()} == {np.dtype(np.float32)}
