"""The explorers describe to the page exactly what descent runs, and offer a page and a picture.

The page computes the runs itself (``descent.js``); whether it computes them as descent
does is tested in a browser (tests/site/test_descent_js.py). Here: the settings, sliders
and surfaces an explorer hands the page, the port's coverage of the package, the map's
arithmetic, the refusals, and the two versions a notebook shows.
"""

from __future__ import annotations

import base64
import json
import math
import re
from importlib import resources

import numpy as np
import pytest

import descent
from descent import SGD, Adam, AdamW, Momentum
from descent.book.explorer import (
    PORTED,
    SURFACES,
    Contender,
    Explorer,
    MomentumMap,
    Slider,
    describe_objective,
    describe_optimizer,
    line,
    page_script,
    sgd_threshold,
)
from descent.fast import FastAdam
from descent.lab.objectives import LongSlope, Quadratic, Rosenbrock, bowl
from descent.lab.runs import run

MOMENTUM = Explorer(
    [Contender(Momentum, {"lr": 0.1, "momentum": 0.9})],
    sliders=[
        Slider("lr", "learning rate η", (0.01, 0.05, 0.1, 0.5, 2.0), initial=0.1),
        Slider("momentum", "momentum μ", (0.0, 0.9, 0.99), initial=0.9),
    ],
    surfaces=["bowl", "rotated"],
    n_steps=12,
    title="test",
)
JS = resources.files("descent.book").joinpath("descent.js").read_text(encoding="utf-8")


# -- sliders -------------------------------------------------------------------------


def test_a_log_slider_is_a_fine_grid_with_its_values_and_initial_on_it():
    slider = Slider("lr", "lr", (0.01, 0.05, 0.1, 2.0), initial=0.137)
    grid = slider.grid()
    assert slider.spacing == "log"
    assert grid[0] == 0.01
    assert grid[-1] == 2.0
    assert {0.01, 0.05, 0.1, 2.0, 0.137} <= set(grid)
    assert list(grid) == sorted(set(grid))
    # sixty values a decade: neighbours about 4% apart, never more than 5%
    ratios = np.array(grid[1:]) / np.array(grid[:-1])
    assert len(grid) >= 60 * math.log10(200)
    assert ratios.max() < 1.05
    # three significant digits, so that every setting shown can be typed back
    assert all(float(f"{v:.3g}") == v for v in grid if v not in (0.137,))


def test_a_linear_slider_steps_by_a_round_number():
    grid = Slider("momentum", "μ", (0.0, 0.5, 0.98), initial=0.9, scale="linear").grid()
    assert grid[0] == 0.0
    assert grid[-1] == 0.98
    assert 0.9 in grid
    assert len(grid) >= 100
    assert np.allclose(np.diff(grid), 0.005)


def test_a_slider_near_one_is_spaced_in_log_of_one_minus_x():
    """β₂ from 0.9 to 0.999: 0.99 to 0.999 gets as much of the slider as 0.9 to 0.99."""
    slider = Slider("beta2", "β₂", (0.9, 0.99, 0.999), initial=0.999)
    grid = np.array(slider.grid())
    assert slider.spacing == "log(1-x)"
    assert {0.9, 0.99, 0.999} <= set(grid)
    low, middle, high = (np.flatnonzero(grid == v)[0] for v in (0.9, 0.99, 0.999))
    assert abs((middle - low) - (high - middle)) <= 2
    ratios = (1 - grid[:-1]) / (1 - grid[1:])
    assert ratios.min() > 1
    assert ratios.max() < 1.06


def test_a_slider_with_a_step_takes_exactly_those_values():
    slider = Slider("beta1", "β₁", min=0.0, max=0.9, step=0.1, initial=0.5)
    assert slider.grid() == (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    assert slider.spec()["initial"] == 5


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"values": (0.1, 0.2), "initial": 0.3}, r"initial 0\.3 is outside \[0\.1, 0\.2\]"),
        ({"values": (0.1, 0.2)}, "initial is missing"),
        ({"initial": 0.1}, "give values or min and max"),
        ({"min": 0.2, "max": 0.1, "initial": 0.1}, "min 0.2 must be below max 0.1"),
        ({"min": 0.0, "max": 1.0, "initial": 0.5, "scale": "log"}, "a log scale needs min > 0"),
        ({"min": 0.5, "max": 1.5, "initial": 1, "scale": "log(1-x)"}, r"needs \[min, max\] in"),
        ({"min": 0.5, "max": 1.5, "initial": 1, "scale": "cubic"}, "scale must be one of"),
    ],
)
def test_a_slider_that_cannot_work_is_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        Slider("lr", "lr", **arguments)


# -- what the page is given ----------------------------------------------------------


def test_each_contender_goes_to_the_page_with_all_its_hyperparameters():
    contender = MOMENTUM.spec["contenders"][0]
    assert contender["optimizer"] == "Momentum"
    assert contender["settings"] == Momentum(lr=0.1, momentum=0.9).hyperparams
    explorer = Explorer([Contender(Adam, {"lr": 0.3, "amsgrad": True})], n_steps=3)
    spec = explorer.spec["contenders"][0]
    assert spec["name"] == "AMSGrad"
    assert spec["dashed"] is True
    assert spec["settings"] == Adam(lr=0.3, amsgrad=True).hyperparams  # defaults included


def test_the_page_rebuilds_each_surface_from_its_description():
    for key, view in SURFACES.items():
        spec = next(s for s in _all_surfaces_explorer().spec["surfaces"] if s["key"] == key)
        assert spec["objective"] == describe_objective(view.objective)
        assert spec["start"] == list(view.start)
        assert spec["dim"] == len(view.start)
        low, high = spec["loss_range"]
        assert high - low == 12
        top = float(view.grid_values().max() - view.offset)
        assert 10 ** (high - 1) < top <= 10**high
        if spec["dim"] == 2:
            assert len(spec["levels"]) == 14
            assert spec["levels"] == sorted(spec["levels"])
    assert describe_objective(bowl()) == {"kind": "Quadratic", "hessian": [[0.1, 0.0], [0.0, 2.0]]}
    assert describe_objective(Rosenbrock(2, 50)) == {"kind": "Rosenbrock", "a": 2.0, "b": 50.0}


def _all_surfaces_explorer():
    return Explorer([Contender(SGD, {"lr": 0.01})], surfaces=list(SURFACES), n_steps=2)


def test_the_rotated_start_is_the_start_turned_with_the_bowl():
    # bowl(R^T p) at p = R (-7, 2) is bowl((-7, 2)): the same problem, turned.
    assert SURFACES["rotated"].objective.value(np.array(SURFACES["rotated"].start)) == (
        pytest.approx(bowl().value(np.array([-7.0, 2.0])))
    )


def test_a_scaling_slider_multiplies_each_contenders_own_setting():
    explorer = Explorer(
        [Contender(SGD, {"lr": 0.5}), Contender(Adam, {"lr": 0.2})],
        sliders=[Slider("lr", "multiplier", (0.5, 2.0), initial=2.0, scales=True)],
        n_steps=3,
    )
    assert explorer.settings(explorer.contenders[0], [2.0]) == {"lr": 1.0}
    assert explorer.settings(explorer.contenders[1], [0.5]) == {"lr": 0.1}
    runs = explorer.runs(values=[0.5])
    np.testing.assert_array_equal(runs["Adam"].points, run(Adam(lr=0.1), bowl(), (-7, 2), 3).points)


# -- the port covers the package -----------------------------------------------------


def test_every_optimizer_of_the_package_is_ported_but_muon():
    """A new optimizer in descent must be ported (or refused here on purpose): Muon
    updates matrices only, and the explorers move a point of the plane."""
    classes = {cls.__name__ for cls in (*descent.OPTIMIZERS, *descent.AFTER_ADAM)}
    assert classes - set(PORTED) == {"Muon"}
    for name in PORTED:
        assert re.search(rf"\n  class {name} extends \w+ \{{", JS), name


def _js_hyperparameters() -> dict[str, list[str]]:
    """``static hyperparameters = [...]`` of every class in descent.js, inheritance resolved."""
    declared, parents = {}, {}
    for name, parent, body in re.findall(r"class (\w+) extends (\w+) \{(.*?)\n  \}\n", JS, re.S):
        parents[name] = parent
        found = re.search(r"static hyperparameters = \[(.*?)\];", body, re.S)
        if found:
            spread = re.findall(r"\.\.\.(\w+)\.hyperparameters", found.group(1))
            own = re.findall(r'"(\w+)"', found.group(1))
            declared[name] = (spread[0] if spread else None, own)

    def resolve(name):
        if name not in declared:
            return resolve(parents[name])
        base, own = declared[name]
        return (resolve(base) if base else []) + own

    return {name: resolve(name) for name in parents if name in PORTED}


@pytest.mark.parametrize("name", PORTED)
def test_the_port_has_the_hyperparameters_of_the_class(name):
    assert _js_hyperparameters()[name] == list(getattr(descent, name).hyperparameters())


def test_only_ported_optimizers_and_objectives_are_described():
    assert describe_optimizer(AdamW(lr=0.1))["settings"]["weight_decay"] == 0.01
    with pytest.raises(ValueError, match="no port of Muon"):
        describe_optimizer(descent.Muon())
    with pytest.raises(ValueError, match="no port of LongSlope"):
        describe_objective(LongSlope())


# -- the three kinds -----------------------------------------------------------------


def test_the_sgd_threshold_explorer_stops_at_two_over_L():
    explorer = sgd_threshold(L=4.0)
    spec = explorer.spec
    assert spec["factors"] is True
    assert [s["key"] for s in spec["surfaces"]] == ["surface-0", "bowl"]
    assert spec["surfaces"][0]["curvatures"] == [4.0]
    assert spec["surfaces"][0]["dim"] == 1
    grid = explorer.sliders[0].grid()
    assert 0.5 in grid
    assert grid[0] == 0.0
    assert grid[-1] == 0.75
    # the line's start: (L/2) x² at x0
    assert line(4.0).objective.value(np.array([2.0])) == 8.0


def test_the_map_is_the_chapters_distance_ratio():
    """Each cell is the distance after n steps over the distance at the start, as a plain
    run of Momentum gives it; the map computes all cells at once, direction by direction."""
    for surface in ("bowl", "rotated"):
        explorer = MomentumMap(surface, n_steps=60, cells=(12, 9))
        ratios = explorer.ratios()
        lrs = np.linspace(*explorer.lr, 12)
        mus = np.linspace(*explorer.momentum, 9)
        for i, j in [(0, 0), (3, 8), (7, 4), (11, 2), (11, 8)]:
            expected = explorer.ratio(lrs[i], mus[j])
            if math.isfinite(expected) and expected < 1e6:
                assert ratios[j, i] == pytest.approx(expected, rel=1e-9, abs=1e-300)
            else:
                assert not ratios[j, i] <= 1  # grey: farther than it started


def test_the_map_marks_polyaks_setting_and_can_use_nesterov():
    spec = MomentumMap(marks={"DLfS": (0.1, 0.9)}).spec["map"]
    assert spec["polyak"] == pytest.approx(bowl().polyak_setting())
    assert spec["L"] == 2.0
    assert spec["marks"] == [{"label": "DLfS", "lr": 0.1, "momentum": 0.9}]
    assert len(spec["colormap"]) == 64
    assert spec["cells"] == [110, 99]
    lr_slider, _mu_slider = MomentumMap().sliders
    assert bowl().polyak_setting()[0] in lr_slider.grid()  # the star can be reached exactly
    nesterov = MomentumMap(optimizer="Nesterov", n_steps=30, cells=(5, 5))
    assert nesterov.spec["map"]["nesterov"] is True
    assert nesterov.ratios()[2, 3] == pytest.approx(
        nesterov.ratio(np.linspace(0.02, 2.2, 5)[3], np.linspace(0, 0.98, 5)[2]), rel=1e-9
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"surface": "rosenbrock"}, "needs a quadratic surface"),
        ({"optimizer": "Adam"}, "for Momentum or Nesterov, got 'Adam'"),
        ({"momentum": (0.0, 1.0)}, r"momentum range must lie in \[0, 1\)"),
        ({"n_steps": 0}, "n_steps must be >= 1"),
    ],
)
def test_a_map_that_cannot_be_drawn_is_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        MomentumMap(**arguments)


@pytest.mark.parametrize(
    ("contenders", "sliders", "extra", "message"),
    [
        ([Contender(SGD, {"lr": 0.1})], [], {"n_steps": 0}, r"n_steps must be >= 1, got 0"),
        (
            [Contender(SGD, {"lr": 0.1}), Contender(SGD, {"lr": 0.2})],
            [],
            {},
            r"distinct names, got \['SGD', 'SGD'\]",
        ),
        ([Contender(FastAdam, {"lr": 0.1})], [], {}, "no port of FastAdam"),
        (
            [Contender(SGD, {"lr": 0.1}), Contender(Momentum, {"momentum": 0.9})],
            [Slider("lr", "lr", (1.0, 2.0), initial=1.0, scales=True)],
            {},
            r"slider 'lr' scales a setting that Momentum does not have",
        ),
        (
            [Contender(SGD, {"lr": 0.1})],
            [Slider("momentum", "μ", (0.0, 0.9), initial=0.5)],
            {},
            r"slider 'momentum' sets a hyperparameter that SGD does not have",
        ),
        (
            [Contender(Momentum, {"lr": 0.1})],
            [Slider("momentum", "μ", (0.0, 1.0), initial=0.5)],
            {},
            r"Momentum: momentum must be in \[0, 1\), got 1\.0",
        ),
        ([Contender(SGD, {"lr": 0.1})], [], {"surfaces": ["moon"]}, "no surface 'moon'"),
        ([Contender(Adam, {"lr": 0.1})], [], {"factors": True}, "all contenders must be SGD"),
        (
            [Contender(SGD, {"lr": 0.1})],
            [],
            {"factors": True, "surfaces": ["beale"]},
            "need quadratic surfaces",
        ),
    ],
)
def test_an_explorer_that_cannot_be_drawn_is_refused(contenders, sliders, extra, message):
    with pytest.raises(ValueError, match=message):
        Explorer(contenders, sliders=sliders, **extra)


# -- the page version and the picture version ----------------------------------------


@pytest.mark.parametrize(
    "explorer",
    [MOMENTUM, sgd_threshold(), MomentumMap(n_steps=20, cells=(8, 6))],
    ids=["explore", "threshold", "map"],
)
def test_the_page_version_holds_the_settings_and_both_scripts(explorer):
    html = explorer._repr_mimebundle_()["text/html"]
    assert html.startswith(f'<div class="descent-explorer" data-kind="{explorer.spec["kind"]}">')
    data = re.search(r'<script type="application/json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(data) == json.loads(json.dumps(explorer.spec))
    assert "window.DescentMath" in html
    assert "window.DescentExplorer" in html
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # nothing fetched
    assert html.count("</script>") == 2  # no "</" of the data ends a script early


def test_the_page_carries_the_port_as_written():
    script = page_script()
    assert JS in script  # comments and all, for a reader of the page's source
    assert "</script" not in script.lower()
    assert "<!--" not in script
    assert len(script.encode()) < 60_000


@pytest.mark.parametrize(
    "explorer",
    [MOMENTUM, sgd_threshold(), MomentumMap(n_steps=20, cells=(8, 6))],
    ids=["explore", "threshold", "map"],
)
def test_the_picture_version_is_a_png(explorer):
    png = base64.b64decode(explorer._repr_mimebundle_()["image/png"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_a_surface_may_be_given_as_a_view():
    view = line(8.0, start=1.0)
    explorer = Explorer([Contender(SGD, {"lr": 0.2})], surfaces=[view, "bowl"], n_steps=4)
    assert explorer.spec["surfaces"][0]["objective"] == describe_objective(Quadratic([[8.0]]))
    # on f = 4x², SGD at 0.2 multiplies x by 1 - 0.2 * 8 = -0.6 each step
    np.testing.assert_allclose(explorer.runs()["SGD"].points[:, 0], (-0.6) ** np.arange(5))
