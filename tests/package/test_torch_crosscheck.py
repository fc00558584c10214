"""Every optimizer against the torch.optim setting the design table says it equals.

float64, 60 steps, two keys (a 3×4 and a 5-vector), and gradients that depend on where
each run is (the non-quadratic landscape of ``gradient``), so a wrong step shows up in
all later steps. Both runs take their gradient from the same NumPy function.
"""

import numpy as np
import pytest

from descent import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSProp
from descent.fast import FastAdam

torch = pytest.importorskip(
    "torch",
    reason="torch is not installed; CI installs torch==2.13.0 (CPU) to run these cross-checks",
)

pytestmark = pytest.mark.torch

STEPS = 60

# descent class, its keywords  ==  torch.optim optimizer (params are passed in first)
CASES = [
    (SGD, {"lr": 0.1}, lambda p: torch.optim.SGD(p, lr=0.1)),
    (SGD, {"lr": 1.5}, lambda p: torch.optim.SGD(p, lr=1.5)),
    (Momentum, {"lr": 0.05, "momentum": 0.9}, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    (Momentum, {"lr": 0.3, "momentum": 0.5}, lambda p: torch.optim.SGD(p, lr=0.3, momentum=0.5)),
    (
        Nesterov,
        {"lr": 0.05, "momentum": 0.9},
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    ),
    (
        Nesterov,
        {"lr": 0.2, "momentum": 0.3},
        lambda p: torch.optim.SGD(p, lr=0.2, momentum=0.3, nesterov=True),
    ),
    (AdaGrad, {"lr": 0.5, "eps": 1e-10}, lambda p: torch.optim.Adagrad(p, lr=0.5, eps=1e-10)),
    (AdaGrad, {"lr": 0.1, "eps": 0.01}, lambda p: torch.optim.Adagrad(p, lr=0.1, eps=0.01)),
    (
        RMSProp,
        {"lr": 0.01, "rho": 0.99, "eps": 1e-8},
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.99, eps=1e-8),
    ),
    (
        RMSProp,
        {"lr": 0.05, "rho": 0.5, "eps": 1e-3},
        lambda p: torch.optim.RMSprop(p, lr=0.05, alpha=0.5, eps=1e-3),
    ),
    (
        Adam,
        {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8),
    ),
    (
        Adam,
        {"lr": 0.1, "beta1": 0.0, "beta2": 0.9, "eps": 1e-3},
        lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.0, 0.9), eps=1e-3),
    ),
    (
        Adam,
        {"lr": 0.05, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "amsgrad": True},
        lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.5, 0.9), eps=1e-6, amsgrad=True),
    ),
    (
        AdamW,
        {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
        lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01),
    ),
    (
        AdamW,
        {"lr": 0.1, "beta1": 0.8, "beta2": 0.95, "eps": 1e-6, "weight_decay": 0.5, "amsgrad": True},
        lambda p: torch.optim.AdamW(
            p, lr=0.1, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.5, amsgrad=True
        ),
    ),
    (
        FastAdam,
        {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "block_size": 5},
        lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8),
    ),
    (
        FastAdam,
        {"lr": 0.05, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "amsgrad": True, "block_size": 5},
        lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.5, 0.9), eps=1e-6, amsgrad=True),
    ),
]


@pytest.mark.parametrize(
    ("cls", "kwargs", "make_torch"), CASES, ids=[repr(cls(**kwargs)) for cls, kwargs, _ in CASES]
)
def test_matches_torch_optim(cls, kwargs, make_torch, start_params, gradient):
    ours, params = cls(**kwargs), start_params()
    tensors = {key: torch.tensor(theta, requires_grad=True) for key, theta in params.items()}
    theirs = make_torch(list(tensors.values()))
    for step in range(1, STEPS + 1):
        ours.update(params, gradient(params))
        grads = gradient({key: t.detach().numpy() for key, t in tensors.items()})
        for key, t in tensors.items():
            t.grad = torch.from_numpy(grads[key])
        theirs.step()
        for key, t in tensors.items():
            np.testing.assert_allclose(
                params[key], t.detach().numpy(), rtol=1e-12, atol=1e-14, err_msg=f"{key}, {step=}"
            )
