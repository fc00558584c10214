"""Shared fixtures for the package tests: one landscape, one set of settings, one comparison.

With ``--import-mode=importlib`` a conftest cannot be imported by the test modules, so
the helpers are handed out as session-scoped fixtures (session scope also keeps them
usable inside hypothesis tests).
"""

from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import settings

from descent import (
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
from descent.fast import FastAdam

# CI runs the property tests with a fixed sequence of examples, so that a failure there
# can be reproduced; locally hypothesis explores new examples on every run.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def _gradient(params):
    r"""∇f of f(θ) = Σ (θ²/20 − cos θ), element by element: ∂f/∂θ = θ/10 + sin θ.

    Not a quadratic, so every gradient depends on where the optimizer has got to
    (trajectories, not just constant inputs, are compared). Its curvature lies in
    [−0.9, 1.1], so every setting below stays bounded.
    """
    return {key: theta / 10 + np.sin(theta) for key, theta in params.items()}


def _start_params():
    """A fresh dict of two float64 arrays of different shapes (2-D and 1-D), no zeros."""
    return {
        "W": np.linspace(-3.0, 3.0, 12).reshape(3, 4),
        "b": np.array([0.5, -1.5, 2.5, -0.25, 4.0]),
    }


def _matrix_params():
    """start_params with every array a matrix, for Muon (2-D params only): b is a 5×1 column."""
    params = _start_params()
    params["b"] = params["b"].reshape(5, 1)
    return params


def _params_for(cls):
    """The start_params factory that fits ``cls``: matrices for Muon, mixed shapes otherwise."""
    return _matrix_params if cls is Muon else _start_params


def _assert_same_state_dict(a, b):
    """Two state dicts are equal bit for bit: hyperparameters, step, buffers, dtypes, values."""
    assert set(a) == set(b) == {"hyperparams", "step", "state"}
    assert a["hyperparams"] == b["hyperparams"]
    assert a["step"] == b["step"]
    assert a["state"].keys() == b["state"].keys()
    for key in a["state"]:
        assert a["state"][key].keys() == b["state"][key].keys(), key
        for name, buffer in a["state"][key].items():
            other = b["state"][key][name]
            assert buffer.dtype == other.dtype, (key, name)
            assert np.array_equal(buffer, other), (key, name)


def _assert_same_params(a, b):
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].dtype == b[key].dtype, key
        assert np.array_equal(a[key], b[key]), key


def _assert_lockstep(opt_a, params_a, opt_b, params_b, steps=5):
    """Both runs are identical now and stay bit-identical for ``steps`` more updates."""
    for _ in range(steps + 1):
        _assert_same_params(params_a, params_b)
        _assert_same_state_dict(opt_a.state_dict(), opt_b.state_dict())
        opt_a.update(params_a, _gradient(params_a))
        opt_b.update(params_b, _gradient(params_b))


@pytest.fixture(scope="session")
def gradient():
    return _gradient


@pytest.fixture(scope="session")
def start_params():
    return _start_params


@pytest.fixture(scope="session")
def params_for():
    return _params_for


@pytest.fixture(scope="session")
def assert_same_state_dict():
    return _assert_same_state_dict


@pytest.fixture(scope="session")
def assert_same_params():
    return _assert_same_params


@pytest.fixture(scope="session")
def assert_lockstep():
    return _assert_lockstep


class Setting(NamedTuple):
    """An optimizer class with non-default values for *all* of its hyperparameters."""

    cls: type
    kwargs: dict

    def make(self):
        return self.cls(**self.kwargs)

    def start_params(self):
        """Fresh params this optimizer can update (see ``params_for``)."""
        return _params_for(self.cls)()


ADAM_KWARGS = {"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 1e-7}

SETTINGS = {
    "SGD": Setting(SGD, {"lr": 0.1}),
    "Momentum": Setting(Momentum, {"lr": 0.05, "momentum": 0.8}),
    "Nesterov": Setting(Nesterov, {"lr": 0.05, "momentum": 0.7}),
    "AdaGrad": Setting(AdaGrad, {"lr": 0.3, "eps": 1e-6}),
    "RMSProp": Setting(RMSProp, {"lr": 0.02, "rho": 0.9, "eps": 1e-6}),
    "Adam": Setting(Adam, {**ADAM_KWARGS, "amsgrad": False}),
    "Adam-amsgrad": Setting(Adam, {**ADAM_KWARGS, "amsgrad": True}),
    "AdamW": Setting(AdamW, {**ADAM_KWARGS, "weight_decay": 0.1, "amsgrad": False}),
    "FastAdam-amsgrad": Setting(FastAdam, {**ADAM_KWARGS, "amsgrad": True, "block_size": 4}),
    "Lion": Setting(Lion, {"lr": 0.01, "beta1": 0.8, "beta2": 0.95, "weight_decay": 0.1}),
    "Muon": Setting(
        Muon,
        {
            "lr": 0.02,
            "momentum": 0.8,
            "nesterov": False,
            "weight_decay": 0.05,
            "ns_steps": 4,
            "eps": 1e-6,
            "ns_coefficients": (1.875, -1.25, 0.375),
        },
    ),
    "ScheduleFreeAdamW": Setting(
        ScheduleFreeAdamW,
        {
            **ADAM_KWARGS,
            "weight_decay": 0.01,
            "warmup_steps": 3,
            "r": 0.5,
            "weight_lr_power": 1.5,
        },
    ),
}


@pytest.fixture(scope="session", params=list(SETTINGS.values()), ids=list(SETTINGS))
def setting(request):
    """Every optimizer (plus AMSGrad and FastAdam) with non-default hyperparameters.

    Its params come from ``setting.start_params()`` (matrices only for Muon)."""
    return request.param
