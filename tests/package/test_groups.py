"""ParamGroups: several optimizers as one (Muon for matrices, AdamW for the rest).

Known answers by hand, agreement with the groups' optimizers run separately, atomic
updates and loads, errors that name the key, and the training loop with a schedule.
"""

import pickle

import numpy as np
import pytest

from descent import SGD, AdamW, Momentum, Muon
from descent.lab.data import load_digits
from descent.lab.groups import ParamGroups, by_ndim
from descent.lab.training import train
from descent.schedules import constant, cosine


def network_params(seed=0):
    """A small network's parameters: two weight matrices and two biases."""
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((4, 3)),
        "b1": rng.standard_normal(3),
        "W2": rng.standard_normal((3, 2)),
        "b2": rng.standard_normal(2),
    }


def network_grads(step, seed=1):
    """A fixed, different gradient for each step."""
    rng = np.random.default_rng([seed, step])
    return {key: rng.standard_normal(value.shape) for key, value in network_params().items()}


def snapshot(params, opt):
    """Copies of everything an update may change."""
    return pickle.dumps((params, opt.state_dict()))


# -- known answers ---------------------------------------------------------------------


def test_each_group_takes_its_own_sgd_step():
    """SGD: θ ← θ − η g, with η = 0.1 for the 'slow' group and 0.5 for the 'fast' one."""
    opt = ParamGroups({"slow": SGD(lr=0.1), "fast": SGD(lr=0.5)}, rule={"w": "slow", "b": "fast"})
    params = {"w": np.array([1.0, 2.0]), "b": np.array([3.0])}
    opt.update(params, {"w": np.array([1.0, -1.0]), "b": np.array([2.0])})
    np.testing.assert_array_equal(params["w"], [0.9, 2.1])
    np.testing.assert_array_equal(params["b"], [3.0 - 0.5 * 2.0])
    assert opt.t == 1
    assert opt.groups["slow"].t == opt.groups["fast"].t == 1


def test_lr_is_a_factor_on_every_groups_rate():
    """With lr = s the step is s·η·g in every group; the groups' own lr stays η."""
    opt = ParamGroups({"slow": SGD(lr=0.1), "fast": SGD(lr=0.5)}, rule={"w": "slow", "b": "fast"})
    opt.set_hyperparams({"lr": 0.5})
    params = {"w": np.array([1.0]), "b": np.array([1.0])}
    opt.update(params, {"w": np.array([1.0]), "b": np.array([1.0])})
    np.testing.assert_allclose(params["w"], [1.0 - 0.5 * 0.1])
    np.testing.assert_allclose(params["b"], [1.0 - 0.5 * 0.5])
    assert (opt.groups["slow"].lr, opt.groups["fast"].lr) == (0.1, 0.5)
    assert opt.hyperparams == {"lr": 0.5}


def test_groups_agree_bit_for_bit_with_their_optimizers_run_alone():
    """ParamGroups only routes: Muon on the matrices and AdamW on the biases, called
    separately on the same gradients, give the same numbers to the last bit."""
    grouped = by_ndim(matrices=Muon(lr=0.02), others=AdamW(lr=0.01))
    muon, adamw = Muon(lr=0.02), AdamW(lr=0.01)
    params, matrices, biases = network_params(), {}, {}
    for key, value in network_params().items():
        (matrices if value.ndim == 2 else biases)[key] = value
    for step in range(5):
        grads = network_grads(step)
        grouped.update(params, grads)
        muon.update(matrices, {key: grads[key] for key in matrices})
        adamw.update(biases, {key: grads[key] for key in biases})
    for key in params:
        np.testing.assert_array_equal(params[key], (matrices | biases)[key])
    assert grouped.t == 5
    assert sorted(grouped.state) == ["W1", "W2", "b1", "b2"]
    np.testing.assert_array_equal(grouped.state["W1"]["m"], muon.state["W1"]["m"])


def test_by_ndim_puts_matrices_and_the_rest_in_their_groups():
    opt = by_ndim(matrices=Momentum(lr=0.1), others=SGD(lr=0.1))
    opt.update(network_params(), network_grads(0))
    assert sorted(opt.groups["matrices"].state) == ["W1", "W2"]
    assert sorted(opt.groups["others"].state) == ["b1", "b2"]
    assert opt.groups["others"].t == 1


def test_a_group_without_params_takes_no_step():
    opt = by_ndim(matrices=SGD(lr=0.1), others=SGD(lr=0.1))
    opt.update({"b": np.ones(2)}, {"b": np.ones(2)})
    assert (opt.t, opt.groups["matrices"].t, opt.groups["others"].t) == (1, 0, 1)


# -- atomicity and bad input -----------------------------------------------------------


def muon_and_adamw():
    return by_ndim(matrices=Muon(lr=0.02), others=AdamW(lr=0.01))


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        # the matrices group passes its checks; the biases group fails: nothing may change
        (lambda p, g: g.__setitem__("b2", np.array([np.nan, 0.0])), ValueError, "'b2'"),
        (lambda p, g: g.__setitem__("b1", np.ones(4)), ValueError, "'b1'"),
        (lambda p, g: p.__setitem__("b1", np.ones(3, dtype=int)), TypeError, "'b1'"),
        (lambda p, g: g.pop("W2"), ValueError, "'W2'"),
        (lambda p, g: g.__setitem__("W9", np.ones(2)), ValueError, "'W9'"),
    ],
)
def test_a_failing_update_changes_nothing_and_names_the_key(change, error, message):
    opt = muon_and_adamw()
    params = network_params()
    opt.update(params, network_grads(0))  # state exists in both groups
    grads = network_grads(1)
    change(params, grads)
    before = snapshot(params, opt)
    with pytest.raises(error, match=message):
        opt.update(params, grads)
    assert snapshot(params, opt) == before
    assert opt.t == 1


def test_muon_refuses_a_bias_routed_to_it_and_nothing_moves():
    """A rule that sends everything to Muon: the 1-D bias is refused before W1 moves."""
    opt = ParamGroups({"muon": Muon(lr=0.02)}, rule=lambda key, param: "muon")
    params = network_params()
    before = pickle.dumps(params)
    with pytest.raises(ValueError, match=r"param 'b1' has shape \(3,\).*2-D"):
        opt.update(params, network_grads(0))
    assert pickle.dumps(params) == before
    assert opt.t == 0
    assert opt.groups["muon"].state == {}


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"W1": "matrices", "b1": "others", "W2": "matrices"}, "param 'b2' has no group"),
        ({"W1": "m", "b1": "o", "W2": "m", "b2": "o", "W3": "m"}, "'W3', which is not in params"),
        (lambda key, param: "biases", "param 'W1' in group 'biases'"),
    ],
)
def test_a_param_without_a_group_is_refused_by_name(rule, message):
    groups = {"matrices": SGD(), "others": SGD()}
    if isinstance(rule, dict) and "m" in rule.values():
        groups = {"m": SGD(), "o": SGD()}
    opt = ParamGroups(groups, rule=rule)
    params = network_params()
    before = pickle.dumps(params)
    with pytest.raises(ValueError, match=message):
        opt.update(params, network_grads(0))
    assert pickle.dumps(params) == before


def stepped(optimizer):
    optimizer.update({"w": np.ones(2)}, {"w": np.ones(2)})
    return optimizer


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: ParamGroups({}, rule={}), ValueError, "groups is empty"),
        (lambda: ParamGroups([SGD()], rule={}), TypeError, "groups must be a dict"),
        (lambda: ParamGroups({"a": "SGD"}, rule={}), TypeError, "group 'a' must be an optimizer"),
        (lambda: ParamGroups({1: SGD()}, rule={}), TypeError, "group names must be strings"),
        (lambda: ParamGroups({"a": SGD()}, rule={"w": "b"}), ValueError, "group 'b'"),
        (lambda: ParamGroups({"a": SGD()}, rule="a"), TypeError, "rule must be"),
        (lambda: ParamGroups({"a": stepped(SGD())}, rule={}), ValueError, "already taken 1"),
        (lambda: ParamGroups({"a": SGD()}, rule={}, lr=-1.0), ValueError, "lr must be >= 0"),
    ],
)
def test_bad_construction_is_a_clear_error(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_one_optimizer_in_two_groups_is_refused():
    shared = SGD()
    with pytest.raises(ValueError, match="groups 'a' and 'b' share one optimizer"):
        ParamGroups({"a": shared, "b": shared}, rule={})


def test_only_the_lr_factor_can_be_scheduled():
    opt = by_ndim(matrices=Muon(), others=AdamW())
    with pytest.raises(ValueError, match=r"only lr.*got 'eps'"):
        opt.set_hyperparams({"eps": 1e-6})
    with pytest.raises(ValueError, match="lr must be >= 0"):
        opt.set_hyperparams({"lr": -0.5})
    assert opt.lr == 1.0


# -- saving and resuming ---------------------------------------------------------------


def test_resuming_from_a_state_dict_is_bit_identical():
    """Run A takes 6 steps; run B takes 3, is saved, loaded into a fresh ParamGroups and
    takes the other 3 on the same gradients: same parameters to the last bit."""
    params_a, params_b = network_params(), network_params()
    a = muon_and_adamw()
    b = muon_and_adamw()
    for step in range(3):
        a.update(params_a, network_grads(step))
        b.update(params_b, network_grads(step))
    saved = pickle.loads(pickle.dumps(b.state_dict()))
    resumed = muon_and_adamw()
    resumed.load_state_dict(saved)
    assert resumed.t == 3
    for step in range(3, 6):
        a.update(params_a, network_grads(step))
        resumed.update(params_b, network_grads(step))
    for key in params_a:
        np.testing.assert_array_equal(params_a[key], params_b[key])


def test_state_dict_is_made_of_copies():
    opt = muon_and_adamw()
    opt.update(network_params(), network_grads(0))
    saved = opt.state_dict()
    saved["groups"]["matrices"]["state"]["W1"]["m"][...] = 99.0
    assert not np.any(opt.groups["matrices"].state["W1"]["m"] == 99.0)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda s: s.pop("lr"), "expected keys groups, lr, step"),
        (lambda s: s.__setitem__("step", -1), "step must be an integer >= 0"),
        (lambda s: s["groups"].pop("others"), "groups must be matrices, others"),
        # the matrices group is fine, the others group is not: neither may change
        (lambda s: s["groups"]["others"].__setitem__("step", "x"), "group 'others'"),
        (lambda s: s["groups"]["others"]["state"]["b1"].pop("v"), "group 'others'.*'b1'"),
    ],
)
def test_a_bad_state_dict_changes_nothing(spoil, message):
    source = muon_and_adamw()
    for step in range(2):
        source.update(network_params(), network_grads(step))
    saved = source.state_dict()
    spoil(saved)
    target = muon_and_adamw()
    target.update(network_params(), network_grads(7))
    before = pickle.dumps(target.state_dict())
    with pytest.raises((ValueError, TypeError), match=message):
        target.load_state_dict(saved)
    assert pickle.dumps(target.state_dict()) == before


# -- the training loop -----------------------------------------------------------------


@pytest.fixture(scope="module")
def digits():
    return load_digits(seed=0)


def test_train_takes_param_groups_and_a_schedule_scales_every_group(digits):
    """A constant schedule of 0.5 is the same run, bit for bit, as groups whose rates
    are halved; and the groups' rates are as they were after training."""
    settings = {"hidden": (8,), "epochs": 2, "batch_size": 128, "seed": 3}
    scheduled = by_ndim(matrices=Muon(lr=0.04), others=AdamW(lr=0.02))
    halved = by_ndim(matrices=Muon(lr=0.02), others=AdamW(lr=0.01))
    a = train(scheduled, digits, schedule=constant(0.5), **settings)
    b = train(halved, digits, **settings)
    np.testing.assert_array_equal(a.train_loss, b.train_loss)
    assert not a.diverged
    assert scheduled.lr == 1.0
    assert (scheduled.groups["matrices"].lr, scheduled.groups["others"].lr) == (0.04, 0.02)


def test_train_with_groups_learns_and_refuses_a_used_optimizer(digits):
    opt = by_ndim(matrices=Muon(lr=0.02), others=AdamW(lr=0.01))
    history = train(opt, digits, hidden=(16,), epochs=5, seed=0, schedule=cosine(1.0, 120))
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.test_accuracy[-1] > 0.8
    with pytest.raises(ValueError, match="already taken"):
        train(opt, digits, hidden=(16,), epochs=1)
