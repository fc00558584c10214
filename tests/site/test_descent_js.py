"""The page computes what descent computes: descent.js against descent.lab.runs.run.

The explorers run the optimizers in the reader's browser with ``descent.js``, a port of
the package. This test opens a built chapter page in headless Chromium, runs the page's
own ``DescentMath.run`` over a few hundred random settings (every ported optimizer,
random hyperparameters, every surface, random starts and lengths, diverging settings
included) and requires the trajectories of ``descent.lab.runs.run``: every point and
every loss within 1e-9 of descent's, relative to its size (float64 both), and the same
length with divergence detected after the same step.

Why not bit for bit, and which steps are compared. NumPy computes Hθ with a fused
multiply-add where the CPU has one, and Adam's β^t and Beale's y^k come from C's ``pow``
in Python and from V8's in the page (squares are written x·x on both sides, and agree);
so a gradient or a step can differ in its last bit. Most runs forgive
that; a chaotic one (Adam bouncing at a large rate, Rosenbrock's walls) amplifies it
until no two implementations with different rounding agree, descent included. So each
run is also repeated in Python with every gradient taken one unit in the last place
away from the point (a model of the rounding difference), and the comparison covers
the steps where that nudged run still agrees with descent to 1e-10: the whole run for
most settings (at least 200 are required), the stable prefix of the others. A change to
an update rule is not a rounding difference: it fails at once
(``test_a_change_in_descent_that_the_port_does_not_follow_fails``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

import descent
from descent.book.explorer import PORTED, describe_objective, describe_optimizer
from descent.lab.objectives import Beale, Quadratic, Rosenbrock, Saddle, bowl, rotated_bowl
from descent.lab.runs import run

pytestmark = pytest.mark.browser

PAGE = "book/race.html"  # any chapter page with an explorer carries descent.js
N_SETTINGS = 300
TOLERANCE = 1e-9
STABLE = 1e-10  # a nudged descent run within this of descent's: a step worth comparing

SURFACES = {
    "bowl": (bowl(), (-10, 10), (-4, 4)),
    "rotated": (rotated_bowl(45), (-10, 10), (-8, 8)),
    "rotated 30°": (rotated_bowl(30), (-10, 10), (-8, 8)),
    "rosenbrock": (Rosenbrock(), (-2, 2), (-1, 3)),
    "beale": (Beale(), (-4.5, 4.5), (-3, 3)),
    "saddle": (Saddle(), (-1.5, 1.5), (-1.5, 1.5)),
    "line": (Quadratic([[2.0]]), (-3, 3), None),
    "steep line": (Quadratic([[50.0]]), (-3, 3), None),
}


def log_uniform(rng, low, high):
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def random_hyperparameters(rng, name: str) -> dict:
    """Settings of optimizer ``name``, wide enough that some runs diverge."""
    settings = {"lr": log_uniform(rng, 1e-3, 5.0)}
    if name in ("Momentum", "Nesterov"):
        settings["momentum"] = float(rng.choice([0.0, rng.uniform(0, 0.999)]))
    if name in ("AdaGrad", "RMSProp", "Adam", "AdamW", "ScheduleFreeAdamW"):
        settings["eps"] = float(rng.choice([0.0, log_uniform(rng, 1e-12, 1e-2)]))
    if name == "RMSProp":
        settings["rho"] = float(rng.uniform(0, 0.9999))
    if name in ("Adam", "AdamW"):
        settings["beta1"] = float(rng.choice([0.0, rng.uniform(0, 0.99)]))
        settings["beta2"] = float(rng.uniform(0.5, 0.9999))
        settings["amsgrad"] = bool(rng.integers(2))
    if name in ("AdamW", "Lion", "ScheduleFreeAdamW"):
        settings["weight_decay"] = float(rng.choice([0.0, rng.uniform(0, 0.5)]))
    if name == "Lion":
        settings["beta1"] = float(rng.uniform(0, 0.99))
        settings["beta2"] = float(rng.uniform(0, 0.999))
    if name == "ScheduleFreeAdamW":
        settings["beta1"] = float(rng.uniform(0, 0.99))
        settings["beta2"] = float(rng.uniform(0.5, 0.9999))
        settings["warmup_steps"] = int(rng.choice([0, rng.integers(1, 50)]))
        settings["r"] = float(rng.choice([0.0, rng.uniform(0, 2)]))
        settings["weight_lr_power"] = float(rng.choice([2.0, rng.uniform(0, 3)]))
    return settings


def random_settings(seed: int = 20240613, n: int = N_SETTINGS) -> list[dict]:
    rng = np.random.default_rng(seed)
    settings = []
    for _ in range(n):
        name = str(rng.choice(PORTED))
        surface = str(rng.choice(list(SURFACES)))
        objective, xlim, ylim = SURFACES[surface]
        start = [float(rng.uniform(*xlim))] + ([float(rng.uniform(*ylim))] if ylim else [])
        optimizer = getattr(descent, name)(**random_hyperparameters(rng, name))
        settings.append(
            {
                **describe_optimizer(optimizer),
                "objective": describe_objective(objective),
                "start": start,
                "n_steps": int(rng.integers(1, 201)),
                "surface": surface,
            }
        )
    return settings


def descent_run(setting: dict):
    optimizer = getattr(descent, setting["optimizer"])(**setting["settings"])
    objective = SURFACES[setting["surface"]][0]
    return run(optimizer, objective, setting["start"], setting["n_steps"])


RUN_ALL = "(settings) => settings.map((setting) => DescentMath.runSetting(setting))"


def relative(a, b) -> np.ndarray:
    """|a - b| / |b|, by point (norm over coordinates) or by loss."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if b.ndim == 2:
        return np.linalg.norm(a - b, axis=1) / np.maximum(np.linalg.norm(b, axis=1), 1e-300)
    return np.abs(a - b) / np.maximum(np.abs(b), 1e-300)


class Nudged:
    """An objective whose gradient is taken one unit in the last place from the point."""

    def __init__(self, objective, seed: int):
        self.objective, self.rng = objective, np.random.default_rng(seed)

    def value(self, point):
        return self.objective.value(point)

    def gradient(self, point):
        point = np.asarray(point, dtype=float)
        away = self.rng.choice([-np.inf, np.inf], size=point.shape)
        return self.objective.gradient(np.nextafter(point, away))


def stable_length(setting: dict, expected) -> int:
    """How many points of descent's run survive rounding: the nudged runs agree to STABLE."""
    length = len(expected.points)
    for seed in (1, 2):
        optimizer = getattr(descent, setting["optimizer"])(**setting["settings"])
        objective = Nudged(SURFACES[setting["surface"]][0], seed)
        nudged = run(optimizer, objective, setting["start"], setting["n_steps"])
        n = min(len(nudged.points), len(expected.points))
        error = np.maximum(
            relative(nudged.points[:n], expected.points[:n]),
            relative(nudged.losses[:n], expected.losses[:n]),
        )
        unstable = np.flatnonzero(error > STABLE)
        length = min(length, int(unstable[0]) if unstable.size else n)
    return length


@dataclass
class Comparison:
    problems: list[str]
    largest: float  # the largest relative difference over the compared steps
    complete: int  # settings compared over their whole run, divergence included
    diverged: int  # of those, runs that diverged
    steps: int  # points compared, over all settings
    points: int  # points descent computed, over all settings


def compare(page_runs: list[dict], settings: list[dict]) -> Comparison:
    """Each page run against descent's, over the steps that survive rounding."""
    result = Comparison([], 0.0, 0, 0, 0, 0)
    for setting, page_run in zip(settings, page_runs, strict=True):
        expected = descent_run(setting)
        where = (
            f"{setting['optimizer']}({setting['settings']}) on {setting['surface']} from "
            f"{setting['start']}, {setting['n_steps']} steps"
        )
        n = stable_length(setting, expected)
        result.points += len(expected.points)
        result.steps += n
        if n == len(expected.points):
            result.complete += 1
            result.diverged += expected.diverged
            if (len(page_run["points"]), page_run["diverged"]) != (n, expected.diverged):
                result.problems.append(
                    f"{where}: the page ran {len(page_run['points']) - 1} steps "
                    f"(diverged: {page_run['diverged']}), descent {n - 1} "
                    f"(diverged: {expected.diverged})"
                )
                continue
        if len(page_run["points"]) < n:
            result.problems.append(f"{where}: the page stopped after {len(page_run['points'])}")
            continue
        point_error = relative(page_run["points"][:n], expected.points[:n]).max(initial=0)
        loss_error = relative(page_run["losses"][:n], expected.losses[:n]).max(initial=0)
        result.largest = max(result.largest, point_error, loss_error)
        if not (point_error <= TOLERANCE and loss_error <= TOLERANCE):
            result.problems.append(f"{where}: relative difference {point_error:.2e} (points), "
                                   f"{loss_error:.2e} (losses) over {n} points")  # fmt: skip
    return result


@pytest.fixture(scope="module")
def math_page(browser, site_url):
    """A built chapter page with an explorer, opened offline."""
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site_url}/{PAGE}", wait_until="load")
    assert page.evaluate("() => typeof window.DescentMath") == "object", (
        f"{PAGE} carries no descent.js: is the book built with the live explorers?"
    )
    yield page
    assert errors == []
    context.close()


def test_the_sample_covers_every_optimizer_surface_and_divergence():
    settings = random_settings()
    assert len(settings) >= 200
    assert {s["optimizer"] for s in settings} == set(PORTED)
    assert {s["surface"] for s in settings} == set(SURFACES)
    assert any(s["settings"].get("amsgrad") for s in settings)
    diverged = [s for s in settings if descent_run(s).diverged]
    assert len(diverged) >= 20, "the sample must include diverging runs"
    assert len({s["optimizer"] for s in diverged}) >= 3


def test_the_page_runs_every_optimizer_as_descent_does(math_page):
    assert sorted(math_page.evaluate("() => Object.keys(DescentMath.optimizers)")) == sorted(PORTED)
    settings = random_settings()
    result = compare(math_page.evaluate(RUN_ALL, settings), settings)
    print(
        f"\n{len(settings)} settings, {result.complete} compared over the whole run "
        f"({result.diverged} diverged), {result.steps} of {result.points} points; "
        f"largest relative difference {result.largest:.3g}"
    )
    assert result.problems == [], "\n".join(result.problems[:20])
    assert result.complete >= 200
    assert result.diverged >= 20
    assert result.steps >= 0.9 * result.points


def test_divergence_is_detected_after_the_same_step(math_page):
    # SGD on the bowl at lr 1.5: y is multiplied by 1 - 3 = -2 each step, so the loss
    # y² passes 1e12 after about 20 steps: that step is not recorded.
    setting = {
        **describe_optimizer(descent.SGD(lr=1.5)),
        "objective": describe_objective(bowl()),
        "start": [-7.0, 2.0],
        "n_steps": 200,
        "surface": "bowl",
    }
    page_run = math_page.evaluate(RUN_ALL, [setting])[0]
    expected = descent_run(setting)
    assert expected.diverged
    assert page_run["diverged"]
    assert len(page_run["points"]) == len(expected.points) < 30
    np.testing.assert_array_equal(page_run["points"], expected.points)
    # and a gradient that overflows stops the run before the update (Beale's walls)
    setting = {
        **describe_optimizer(descent.SGD(lr=1.0)),
        "objective": describe_objective(Beale()),
        "start": [4.0, 3.0],
        "n_steps": 50,
        "surface": "beale",
    }
    page_run = math_page.evaluate(RUN_ALL, [setting])[0]
    expected = descent_run(setting)
    assert expected.diverged
    assert page_run["diverged"]
    assert len(page_run["points"]) == len(expected.points)


def test_a_change_in_descent_that_the_port_does_not_follow_fails(math_page, monkeypatch):
    """The comparison can fail: give descent the Nesterov step of the Korean DLfS code
    (velocity updated before it is used, see the book's errata); the page, unchanged, no
    longer agrees wherever the momentum is not zero."""

    def velocity_first(self, theta, g, state):
        v = state["v"]
        v *= self.momentum
        v -= self.lr * g
        theta += self.momentum * self.momentum * v
        theta -= (1 + self.momentum) * self.lr * g

    settings = [s for s in random_settings() if s["optimizer"] == "Nesterov"]
    page_runs = math_page.evaluate(RUN_ALL, settings)
    assert compare(page_runs, settings).problems == []
    monkeypatch.setattr(descent.Nesterov, "_step", velocity_first)
    changed = [s for s in settings if s["settings"]["momentum"] > 0.01]
    assert len(changed) >= 10
    problems = compare(page_runs, settings).problems
    assert len(problems) >= 0.8 * len(changed)


def test_objectives_agree_at_single_points(math_page):
    """Values and gradients of every surface at random points, to the last few digits."""
    rng = np.random.default_rng(7)
    cases = []
    for surface, (objective, xlim, ylim) in SURFACES.items():
        for _ in range(50):
            point = [float(rng.uniform(*xlim))] + ([float(rng.uniform(*ylim))] if ylim else [])
            cases.append((surface, describe_objective(objective), point))
    page = math_page.evaluate(
        """(cases) => cases.map(([, description, point]) => {
            const f = DescentMath.objective(description);
            return [f.value(point), Array.from(f.gradient(point))];
        })""",
        cases,
    )
    for (surface, _, point), (value, gradient) in zip(cases, page, strict=True):
        objective = SURFACES[surface][0]
        assert math.isclose(value, objective.value(np.array(point)), rel_tol=1e-14, abs_tol=1e-300)
        np.testing.assert_allclose(
            gradient, objective.gradient(np.array(point)), rtol=1e-13, atol=1e-13, err_msg=surface
        )
