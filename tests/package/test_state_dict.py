"""state_dict / load_state_dict: layout, copies, pickling, bit-identical resumption, errors."""

import copy
import pickle

import numpy as np
import pytest

from descent import AFTER_ADAM, OPTIMIZERS, SGD, Adam, AdamW
from descent.fast import FastAdam

ALL_CLASSES = (*OPTIMIZERS, FastAdam, *AFTER_ADAM)

# The buffers each class keeps per parameter, as named in its docstring's equations.
BUFFERS = {
    "SGD": (),
    "Momentum": ("v",),
    "Nesterov": ("v",),
    "AdaGrad": ("h",),
    "RMSProp": ("h",),
    "Adam": ("m", "v"),
    "AdamW": ("m", "v"),
    "FastAdam": ("m", "v"),
    "Lion": ("m",),
    "Muon": ("m",),
    "ScheduleFreeAdamW": ("z", "v", "weight_sum", "lr_max"),
}


def buffer_names(cls, amsgrad=False):
    return BUFFERS[cls.__name__] + (("v_max",) if amsgrad else ())


def stepped(make, start_params, gradient, steps=3):
    """A new optimizer from ``make()`` and its params after ``steps`` updates."""
    opt, params = make(), start_params()
    for _ in range(steps):
        opt.update(params, gradient(params))
    return opt, params


# -- layout and copies ---------------------------------------------------------------


def test_layout_before_the_first_update(setting):
    hyperparams = {k: v for k, v in setting.kwargs.items() if k != "block_size"}
    assert setting.make().state_dict() == {"hyperparams": hyperparams, "step": 0, "state": {}}


def test_layout(setting, gradient):
    opt, params = stepped(setting.make, setting.start_params, gradient, steps=3)
    state = opt.state_dict()
    assert set(state) == {"hyperparams", "step", "state"}
    hyperparams = {k: v for k, v in setting.kwargs.items() if k != "block_size"}
    assert state["hyperparams"] == hyperparams
    assert type(state["step"]) is int
    assert state["step"] == 3
    assert set(state["state"]) == {"W", "b"}
    names = buffer_names(setting.cls, setting.kwargs.get("amsgrad", False))
    for key, buffers in state["state"].items():
        assert tuple(buffers) == names
        for buffer in buffers.values():
            assert type(buffer) is np.ndarray
            assert buffer.shape == params[key].shape
            assert buffer.dtype == params[key].dtype


def test_pickle_round_trip(setting, gradient, assert_same_state_dict):
    opt, _ = stepped(setting.make, setting.start_params, gradient)
    state = opt.state_dict()
    assert_same_state_dict(pickle.loads(pickle.dumps(state)), state)


def test_changing_the_saved_dict_never_touches_the_optimizer(setting, gradient, assert_lockstep):
    opt, params = stepped(setting.make, setting.start_params, gradient)
    twin, twin_params = stepped(setting.make, setting.start_params, gradient)
    state = opt.state_dict()
    state["hyperparams"]["lr"] = 123.0
    state["step"] = 99
    for buffers in state["state"].values():
        for buffer in buffers.values():
            buffer += 1000.0
        buffers.clear()
    state["state"].clear()
    assert_lockstep(opt, params, twin, twin_params)


def test_later_updates_never_change_a_saved_dict(setting, gradient, assert_same_state_dict):
    opt, params = stepped(setting.make, setting.start_params, gradient)
    state = opt.state_dict()
    frozen = copy.deepcopy(state)
    for _ in range(3):
        opt.update(params, gradient(params))
    assert_same_state_dict(state, frozen)


def test_loaded_dict_is_copied(setting, gradient, assert_lockstep):
    """After load_state_dict, changing the dict that was loaded does not reach the optimizer."""
    opt, params = stepped(setting.make, setting.start_params, gradient)
    state = opt.state_dict()
    loaded = setting.make()
    loaded.load_state_dict(state)
    state["hyperparams"]["lr"] = 123.0
    for buffers in state["state"].values():
        for buffer in buffers.values():
            buffer += 1000.0
    assert_lockstep(opt, params, loaded, copy.deepcopy(params))


# -- resuming ------------------------------------------------------------------------


def test_resuming_is_bit_identical_to_never_stopping(setting, gradient, assert_lockstep):
    """Run 7 steps and save; a fresh optimizer (built with *other* hyperparameters) loads the
    save and must then match the original, bit for bit, over 9 more steps."""
    opt, params = stepped(setting.make, setting.start_params, gradient, steps=7)
    saved, saved_params = pickle.loads(pickle.dumps((opt.state_dict(), params)))
    same_kind = {k: v for k, v in setting.kwargs.items() if k in ("amsgrad", "block_size")}
    fresh = setting.cls(**same_kind)
    assert fresh.hyperparams != opt.hyperparams
    fresh.load_state_dict(saved)
    assert fresh.hyperparams == opt.hyperparams
    assert_lockstep(opt, params, fresh, saved_params, steps=9)


@pytest.mark.parametrize("cls", [Adam, AdamW, FastAdam])
@pytest.mark.parametrize("amsgrad", [True, False], ids=["saved-amsgrad", "saved-plain"])
def test_load_takes_amsgrad_from_the_saved_dict(
    cls, amsgrad, start_params, gradient, assert_lockstep
):
    """amsgrad is a saved hyperparameter like lr: loading it into an optimizer built with the
    other value must switch it and accept the buffers that go with it (v_max or not)."""
    opt, params = stepped(lambda: cls(amsgrad=amsgrad), start_params, gradient)
    other = cls(amsgrad=not amsgrad)
    other.load_state_dict(opt.state_dict())
    assert other.amsgrad is amsgrad
    assert_lockstep(opt, params, other, copy.deepcopy(params))


@pytest.mark.parametrize("cls", [Adam, AdamW, FastAdam])
@pytest.mark.parametrize("built_with", [True, False], ids=["into-amsgrad", "into-plain"])
def test_load_refuses_amsgrad_state_without_v_max(
    cls, built_with, start_params, gradient, assert_same_state_dict
):
    """A saved dict that says amsgrad=True but holds only m and v cannot be resumed."""
    plain, _ = stepped(cls, start_params, gradient)
    state = plain.state_dict()
    state["hyperparams"]["amsgrad"] = True
    target = cls(amsgrad=built_with)
    before = target.state_dict()
    with pytest.raises(ValueError, match=r"state for param 'W' must hold m, v, v_max; got m, v"):
        target.load_state_dict(state)
    assert_same_state_dict(target.state_dict(), before)


# -- load errors ---------------------------------------------------------------------


def test_loading_an_adam_state_into_sgd_names_both_sets_of_hyperparameters(start_params, gradient):
    adam, _ = stepped(Adam, start_params, gradient)
    with pytest.raises(
        ValueError,
        match=r"^SGD\.load_state_dict: hyperparams must be lr; got amsgrad, beta1, beta2, eps, lr$",
    ):
        SGD().load_state_dict(adam.state_dict())


def foreign_hyperparams(state):
    """Hyperparameters of another class: SGD's, or Adam's if this one is SGD."""
    other = Adam() if set(state["hyperparams"]) == {"lr"} else SGD()
    return {**state, "hyperparams": other.hyperparams}


def extra_name(state):
    """A hyperparameter name the saved optimizer does not have."""
    return "dampening" if "nesterov" in state["hyperparams"] else "nesterov"


def rename_buffers(state):
    buffers = state["state"]["W"]
    return {**state, "state": {**state["state"], "W": {"momentum_buffer": buffers.get("v")}}}


# Corruptions that apply to every optimizer: (corrupt(saved) -> bad dict, message after owner)
LOAD_ERRORS = [
    pytest.param(
        lambda s: {k: s[k] for k in ("hyperparams", "step")},
        r"expected keys hyperparams, state, step; got hyperparams, step$",
        id="missing-top-level-key",
    ),
    pytest.param(
        lambda s: {**s, "lr_schedule": None},
        r"expected keys hyperparams, state, step; got hyperparams, lr_schedule, state, step$",
        id="extra-top-level-key",
    ),
    pytest.param(foreign_hyperparams, r"hyperparams must be .*; got ", id="foreign-hyperparams"),
    pytest.param(
        # nesterov is torch's SGD keyword, which none of ours but Muon takes (Muon gets one
        # that no optimizer has).
        lambda s: {**s, "hyperparams": {**s["hyperparams"], extra_name(s): True}},
        r"hyperparams must be .*; got .*(nesterov|dampening)",
        id="extra-hyperparameter",
    ),
    pytest.param(
        lambda s: {**s, "hyperparams": {k: v for k, v in s["hyperparams"].items() if k != "lr"}},
        r"hyperparams must be .*\blr\b.*; got (?!.*\blr\b)",  # not weight_lr_power's lr
        id="missing-hyperparameter",
    ),
    pytest.param(
        lambda s: {**s, "hyperparams": {**s["hyperparams"], "lr": -1.0}},
        r"^\w+\.load_state_dict: lr must be >= 0, got -1\.0$",
        id="negative-lr",
    ),
    pytest.param(
        lambda s: {**s, "hyperparams": {**s["hyperparams"], "lr": float("nan")}},
        r"^\w+\.load_state_dict: lr must be finite, got nan$",
        id="nan-lr",
    ),
    pytest.param(
        lambda s: {**s, "step": -1}, r"step must be an integer >= 0, got -1$", id="negative-step"
    ),
    pytest.param(
        lambda s: {**s, "step": 2.5}, r"step must be an integer >= 0, got 2\.5$", id="float-step"
    ),
    pytest.param(
        lambda s: {**s, "step": True}, r"step must be an integer >= 0, got True$", id="bool-step"
    ),
    pytest.param(
        lambda s: {**s, "step": 0}, r"step is 0 but state holds buffers for W, b;", id="step-zero"
    ),
    pytest.param(
        lambda s: {**s, "state": {}}, r"step is 3 but state holds buffers for none;", id="no-state"
    ),
    pytest.param(
        lambda s: {**s, "state": [s["state"]]}, r"state must be a dict, got list$", id="state-list"
    ),
    pytest.param(
        rename_buffers,
        r"state for param 'W' must hold .*; got momentum_buffer$",
        id="wrong-buffer-names",
    ),
]


@pytest.mark.parametrize(("corrupt", "message"), LOAD_ERRORS)
def test_bad_load_is_refused_and_changes_nothing(
    setting, corrupt, message, gradient, assert_same_state_dict
):
    source, _ = stepped(setting.make, setting.start_params, gradient, steps=3)
    target, _ = stepped(setting.make, setting.start_params, gradient, steps=1)
    before = target.state_dict()
    with pytest.raises(ValueError, match=message):
        target.load_state_dict(corrupt(source.state_dict()))
    assert_same_state_dict(target.state_dict(), before)


def test_a_state_dict_that_is_not_a_dict_is_a_type_error(setting, gradient, assert_same_state_dict):
    target, _ = stepped(setting.make, setting.start_params, gradient, steps=1)
    before = target.state_dict()
    with pytest.raises(TypeError, match=r"load_state_dict: expected a dict, got list$"):
        target.load_state_dict(list(before.items()))
    assert_same_state_dict(target.state_dict(), before)


def with_buffer(state, key, name, value):
    """A copy of a saved dict with one buffer replaced."""
    buffers = {**state["state"][key], name: value}
    return {**state, "state": {**state["state"], key: buffers}}


WITH_BUFFERS = [cls for cls in ALL_CLASSES if BUFFERS[cls.__name__]]
WITH_TWO_BUFFERS = [cls for cls in ALL_CLASSES if len(BUFFERS[cls.__name__]) >= 2]


@pytest.mark.parametrize("cls", WITH_BUFFERS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize(
    ("bad_buffer", "message"),
    [
        pytest.param(lambda b: b.tolist(), r"must be a float array, got list$", id="list"),
        pytest.param(lambda b: b.astype(np.int64), r"must be a float array", id="int-array"),
        pytest.param(lambda b: 0.5, r"must be a float array, got float$", id="python-float"),
    ],
)
def test_load_refuses_a_buffer_that_is_not_a_float_array(
    cls, bad_buffer, message, params_for, gradient, assert_same_state_dict
):
    opt, _ = stepped(cls, params_for(cls), gradient)
    state = opt.state_dict()
    name = BUFFERS[cls.__name__][0]
    bad = with_buffer(state, "W", name, bad_buffer(state["state"]["W"][name]))
    target = cls()
    with pytest.raises(ValueError, match=rf"state\['W'\]\['{name}'\] {message}"):
        target.load_state_dict(bad)
    assert_same_state_dict(target.state_dict(), cls().state_dict())


@pytest.mark.parametrize("cls", WITH_TWO_BUFFERS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda b: b.reshape(4, 3), id="shape"),
        pytest.param(lambda b: b.astype(np.float32), id="dtype"),
    ],
)
def test_load_refuses_buffers_of_one_param_that_disagree(
    cls, change, params_for, gradient, assert_same_state_dict
):
    opt, _ = stepped(cls, params_for(cls), gradient)
    state = opt.state_dict()
    bad = with_buffer(state, "W", "v", change(state["state"]["W"]["v"]))
    target = cls()
    with pytest.raises(ValueError, match=r"buffers of param 'W' disagree: '\w+' has shape"):
        target.load_state_dict(bad)
    assert_same_state_dict(target.state_dict(), cls().state_dict())


# -- state that loads but does not fit the params: refused by the next update ---------


def rename_key(state):
    """The saved state for "W" filed under "weights"."""
    renamed = {("weights" if key == "W" else key): bufs for key, bufs in state["state"].items()}
    return {**state, "state": renamed}


def change_all_buffers_of_W(change):
    def corrupt(state):
        buffers = {name: change(buffer) for name, buffer in state["state"]["W"].items()}
        return {**state, "state": {**state["state"], "W": buffers}}

    return corrupt


MISFITS = [
    pytest.param(
        ALL_CLASSES,
        rename_key,
        r"params must have the keys .* \(state: b, weights; params: W, b\)",
        id="keys",
    ),
    pytest.param(
        WITH_BUFFERS,
        change_all_buffers_of_W(lambda b: b.reshape(4, 3)),
        r"param 'W' has shape \(3, 4\) and dtype float64, but its state '\w+' has shape \(4, 3\)",
        id="shapes",
    ),
    pytest.param(
        WITH_BUFFERS,
        change_all_buffers_of_W(lambda b: b.astype(np.float32)),
        r"param 'W' has shape \(3, 4\) and dtype float64, but its state '\w+' has shape "
        r"\(3, 4\) and dtype float32",
        id="dtypes",
    ),
]

MISFIT_CASES = [
    pytest.param(cls, corrupt, message, id=f"{cls.__name__}-{case.id}")
    for case in MISFITS
    for classes, corrupt, message in [case.values]
    for cls in classes
]


@pytest.mark.parametrize(("cls", "corrupt", "message"), MISFIT_CASES)
def test_next_update_refuses_state_that_does_not_fit_the_params(
    cls, corrupt, message, params_for, gradient, assert_same_state_dict, assert_same_params
):
    opt, params = stepped(cls, params_for(cls), gradient)
    bad = corrupt(opt.state_dict())
    loaded = cls()
    loaded.load_state_dict(bad)
    before, before_params = loaded.state_dict(), copy.deepcopy(params)
    with pytest.raises(ValueError, match=rf"^{cls.__name__}\.update: {message}"):
        loaded.update(params, gradient(params))
    assert_same_state_dict(loaded.state_dict(), before)
    assert_same_params(params, before_params)
