"""What one optimizer step costs: time and transient memory, next to ``torch.optim``.

For every optimizer in :data:`descent.OPTIMIZERS`, plus :class:`descent.fast.FastAdam`,
this script takes one ``update`` on a single float32 parameter of ``--size`` elements
(default 10 million, 40 MB) with a fixed random gradient and reports

* **time**: the best of ``--repeat`` timed steps, after one warm-up step that creates
  the optimizer's state (so state allocation is not counted);
* **transient memory**: the peak of what one step allocates on top of what already
  exists (parameter, gradient, state), measured with :mod:`tracemalloc` (NumPy reports
  its array buffers to it), in MB and as a multiple of the parameter's size. Memory is
  measured in a separate step, because tracing slows allocation down;
* **torch time**: one ``step()`` of the matching ``torch.optim`` class with the same
  hyperparameters and its default CPU implementation (no ``foreach``/``fused`` flags),
  measured in the same run: SGD, SGD with momentum, SGD with ``nesterov=True``,
  Adagrad, RMSprop, Adam and AdamW; FastAdam is compared with Adam. torch may use
  several threads (the count is printed); NumPy uses one. Without torch the column
  is left out.

Targets. The package's Adam should be at most as slow as torch's default CPU Adam, and a
step should allocate at most one parameter-sized temporary. :class:`descent.fast.FastAdam`
is the class meant to meet both. The readable classes (:mod:`descent.optimizers`) write
each equation as an expression, so every ``m / (1 - beta1**t)`` allocates a new
parameter-sized array: they trade memory (and some time) for code that reads like the
math. Every step also checks that the gradient is finite, which costs one boolean array
(a quarter of a float32 parameter).

Run from the repository root::

    .venv/bin/python benchmarks/step_cost.py
    .venv/bin/python benchmarks/step_cost.py --size 1_000_000 --repeat 10
"""

from __future__ import annotations

import argparse
import gc

import numpy as np

import descent
from descent.fast import FastAdam
from descent.lab.cost import best_time, transient_bytes

try:
    import torch
except ImportError:  # the comparison column is optional
    torch = None

MB = 1e6


def adam_keywords(hp: dict) -> dict:
    return {
        "lr": hp["lr"],
        "betas": (hp["beta1"], hp["beta2"]),
        "eps": hp["eps"],
        "amsgrad": hp["amsgrad"],
    }


# descent class → (torch.optim class, its label in the table, torch keywords made from
# descent's hyperparameters)
TORCH_EQUIVALENTS = {
    "SGD": ("SGD", "SGD", lambda hp: {"lr": hp["lr"]}),
    "Momentum": ("SGD", "SGD momentum", lambda hp: {"lr": hp["lr"], "momentum": hp["momentum"]}),
    "Nesterov": (
        "SGD",
        "SGD nesterov",
        lambda hp: {"lr": hp["lr"], "momentum": hp["momentum"], "nesterov": True},
    ),
    "AdaGrad": ("Adagrad", "Adagrad", lambda hp: {"lr": hp["lr"], "eps": hp["eps"]}),
    "RMSProp": (
        "RMSprop",
        "RMSprop",
        lambda hp: {"lr": hp["lr"], "alpha": hp["rho"], "eps": hp["eps"]},
    ),
    "Adam": ("Adam", "Adam", adam_keywords),
    "AdamW": (
        "AdamW",
        "AdamW",
        lambda hp: adam_keywords(hp) | {"weight_decay": hp["weight_decay"]},
    ),
    "FastAdam": ("Adam", "Adam", adam_keywords),
}


def measure_descent(optimizer, theta0: np.ndarray, g: np.ndarray, repeat: int):
    """(seconds per step, transient bytes per step) of a descent optimizer."""
    params, grads = {"theta": theta0.copy()}, {"theta": g}

    def step():
        optimizer.update(params, grads)

    seconds = best_time(step, repeat)  # its warm-up step creates the state
    return seconds, transient_bytes(step)


def measure_torch(name: str, hp: dict, theta0: np.ndarray, g: np.ndarray, repeat: int) -> float:
    """Seconds per ``step()`` of the equivalent torch optimizer."""
    param = torch.nn.Parameter(torch.from_numpy(theta0.copy()))
    param.grad = torch.from_numpy(g.copy())
    class_name, _, keywords = TORCH_EQUIVALENTS[name]
    optimizer = getattr(torch.optim, class_name)([param], **keywords(hp))
    return best_time(optimizer.step, repeat)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000_000, help="elements of the parameter")
    parser.add_argument("--repeat", type=int, default=5, help="timed steps (the best is kept)")
    args = parser.parse_args(argv)
    if args.size < 1 or args.repeat < 1:
        parser.error("--size and --repeat must be positive")

    rng = np.random.default_rng(0)
    theta0 = rng.standard_normal(args.size, dtype=np.float32)
    g = rng.standard_normal(args.size, dtype=np.float32)
    param_bytes = theta0.nbytes

    print(
        f"one update of a float32 parameter with {args.size:,} elements ({param_bytes / MB:.0f} MB)"
    )
    print(f"best of {args.repeat} steps after a warm-up step; numpy {np.__version__}", end="")
    if torch is None:
        print("\ntorch is not installed: no torch.optim column")
    else:
        print(f", torch {torch.__version__} on {torch.get_num_threads()} thread(s)")
    print()

    header = f"{'optimizer':<10} {'ms/step':>8} {'temp MB':>8} {'× param':>8}"
    if torch is not None:
        header += f"   {'torch.optim':<22} {'ms/step':>8} {'ratio':>6}"
    print(header)
    print("-" * len(header))

    results = {}
    for cls in (*descent.OPTIMIZERS, FastAdam):
        name, optimizer = cls.__name__, cls()
        seconds, temp = measure_descent(optimizer, theta0, g, args.repeat)
        row = f"{name:<10} {1e3 * seconds:8.1f} {temp / MB:8.1f} {temp / param_bytes:8.2f}"
        results[name] = (seconds, temp / param_bytes, None)
        if torch is not None:
            torch_seconds = measure_torch(name, optimizer.hyperparams, theta0, g, args.repeat)
            label = TORCH_EQUIVALENTS[name][1]
            row += f"   {label:<22} {1e3 * torch_seconds:8.1f} {seconds / torch_seconds:6.2f}"
            results[name] = (seconds, temp / param_bytes, torch_seconds)
        print(row, flush=True)
        del optimizer
        gc.collect()

    print()
    print("ratio = descent time / torch time (< 1: descent is faster).")
    print("Targets: Adam at most as slow as torch's Adam; at most 1 parameter-sized temporary.")
    for name in ("Adam", "FastAdam"):
        seconds, multiple, torch_seconds = results[name]
        speed = "" if torch_seconds is None else f"time {seconds / torch_seconds:.2f}× torch Adam"
        speed_ok = torch_seconds is None or seconds <= torch_seconds
        verdict = "meets both" if speed_ok and multiple <= 1 else "misses"
        print(f"  {name:<9} {speed:<24} temporaries {multiple:.2f}× param: {verdict}")


if __name__ == "__main__":
    main()
