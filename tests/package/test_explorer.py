"""The explorer stores exactly the runs descent computes, and offers a page and a picture."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from descent import SGD, Adam, Momentum
from descent.book.explorer import SURFACES, Contender, Explorer, Slider
from descent.lab.objectives import bowl, rotated_bowl
from descent.lab.runs import run

MOMENTUM = Explorer(
    [Contender(Momentum, {"lr": 0.1, "momentum": 0.9})],
    sliders=[
        Slider("lr", "learning rate", (0.05, 0.1, 0.5), initial=0.1),
        Slider("momentum", "momentum", (0.0, 0.9), initial=0.9),
    ],
    surfaces=["bowl", "rotated"],
    n_steps=12,
    title="test",
)


@pytest.mark.parametrize("surface", [0, 1])
@pytest.mark.parametrize(
    ("key", "lr", "momentum"), [("0,0", 0.05, 0.0), ("1,1", 0.1, 0.9), ("2,1", 0.5, 0.9)]
)
def test_every_stored_run_is_descents_run(surface, key, lr, momentum):
    spec = MOMENTUM.spec["surfaces"][surface]
    objective = {"bowl": bowl(), "rotated": rotated_bowl(45)}[spec["key"]]
    expected = run(Momentum(lr=lr, momentum=momentum), objective, spec["start"], 12)
    stored = spec["runs"][key]["Momentum"]
    np.testing.assert_allclose(stored["x"], expected.points[:, 0], rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(stored["y"], expected.points[:, 1], rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(stored["loss"], expected.losses, rtol=1e-3)


def test_one_run_per_combination_of_slider_values():
    runs = MOMENTUM.spec["surfaces"][0]["runs"]
    assert sorted(runs) == ["0,0", "0,1", "1,0", "1,1", "2,0", "2,1"]


def test_the_rotated_start_is_the_start_turned_with_the_bowl():
    # bowl(R^T p) at p = R (-7, 2) is bowl((-7, 2)): the same problem, turned.
    assert SURFACES["rotated"].objective.value(np.array(SURFACES["rotated"].start)) == (
        pytest.approx(bowl().value(np.array([-7.0, 2.0])))
    )


def test_a_scaling_slider_multiplies_each_contenders_own_setting():
    explorer = Explorer(
        [Contender(SGD, {"lr": 0.5}), Contender(Adam, {"lr": 0.2})],
        sliders=[Slider("lr", "multiplier", (0.5, 2.0), initial=2.0, scales=True)],
        surfaces=["bowl"],
        n_steps=3,
        title="race",
    )
    assert explorer.settings(explorer.contenders[0], [2.0]) == {"lr": 1.0}
    assert explorer.settings(explorer.contenders[1], [0.5]) == {"lr": 0.1}
    stored = explorer.spec["surfaces"][0]["runs"]["0"]["Adam"]
    expected = run(Adam(lr=0.1), bowl(), (-7.0, 2.0), 3)
    np.testing.assert_allclose(stored["x"], expected.points[:, 0], rtol=1e-5)


def test_a_diverging_run_is_stored_up_to_where_it_diverged():
    explorer = Explorer(
        [Contender(SGD, {"lr": 1.5})],
        sliders=[Slider("lr", "lr", (1.5,), initial=1.5)],
        surfaces=["bowl"],
        n_steps=200,
        title="divergence",
    )
    stored = explorer.spec["surfaces"][0]["runs"]["0"]["SGD"]
    # |1 - 2 * 1.5| = 2: y doubles each step until the loss passes 1e12.
    assert stored["diverged"] is True
    assert 10 < len(stored["x"]) < 200


def test_initial_value_must_be_one_of_the_slider_values():
    with pytest.raises(ValueError, match=r"initial 0\.3 is not one of its values"):
        Slider("lr", "lr", (0.1, 0.2), initial=0.3)


def test_the_page_version_holds_parseable_data_and_the_script():
    html = MOMENTUM._repr_mimebundle_()["text/html"]
    data = re.search(r'<script type="application/json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(data) == json.loads(json.dumps(MOMENTUM.spec))
    assert "DescentExplorer" in html
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # nothing fetched


def test_the_picture_version_is_a_png():
    png = base64.b64decode(MOMENTUM._repr_mimebundle_()["image/png"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(
    ("contenders", "slider", "n_steps", "message"),
    [
        (
            [Contender(SGD, {"lr": 0.1})],
            Slider("lr", "lr", (0.1,), initial=0.1),
            0,
            r"n_steps must be >= 1, got 0",
        ),
        (
            [Contender(SGD, {"lr": 0.1}), Contender(SGD, {"lr": 0.2})],
            Slider("lr", "lr", (0.1,), initial=0.1),
            3,
            r"distinct names, got \['SGD', 'SGD'\]",
        ),
        (
            [Contender(SGD, {"lr": 0.1}), Contender(Momentum, {"momentum": 0.9})],
            Slider("lr", "lr", (1.0,), initial=1.0, scales=True),
            3,
            r"slider 'lr' scales a setting that Momentum does not have",
        ),
    ],
)
def test_an_explorer_that_cannot_be_drawn_is_refused(contenders, slider, n_steps, message):
    with pytest.raises(ValueError, match=message):
        Explorer(contenders, sliders=[slider], surfaces=["bowl"], n_steps=n_steps, title="x")
