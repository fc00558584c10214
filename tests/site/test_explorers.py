"""The kernel-free explorers, used as a reader uses them: with the keyboard, offline.

On each page with an explorer, the test moves a slider with the arrow keys, reads the
path the page then draws (its SVG coordinates, converted back to the plot's), and
compares it with the trajectory that descent computes for the setting the sliders show.
"""

from __future__ import annotations

import numpy as np
import pytest

import descent
from book_facts import ARTIFACTS
from descent.lab.objectives import bowl, rotated_bowl
from descent.lab.runs import run

pytestmark = pytest.mark.browser

PAGES = ["momentum", "adagrad", "rmsprop", "adam", "race", "schedules", "beyond-adam"]
SURFACES = {"bowl": bowl(), "rotated": rotated_bowl(45)}

READ_STATE = """(root) => {
    const spec = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
    const svg = root.querySelector("svg.dx-paths");
    const [x0, x1] = svg.dataset.xlim.split(",").map(Number);
    const [y0, y1] = svg.dataset.ylim.split(",").map(Number);
    const [left, top, width, height] = svg.dataset.box.split(",").map(Number);
    const paths = {};
    for (const line of svg.querySelectorAll("polyline.dx-path")) {
        const points = line.getAttribute("points").trim().split(/\\s+/);
        paths[line.dataset.optimizer] = points.map((point) => {
            const [px, py] = point.split(",").map(Number);
            return [x0 + (px - left) / width * (x1 - x0), y1 - (py - top) / height * (y1 - y0)];
        });
    }
    const sliders = {};
    for (const input of root.querySelectorAll("input[type=range]")) {
        sliders[input.dataset.slider] = Number(input.value);
    }
    const select = root.querySelector("select");
    return {spec, paths, sliders, surface: select ? Number(select.value) : 0,
            status: root.querySelector(".dx-status").textContent};
}"""


def descent_paths(state) -> dict[str, np.ndarray]:
    """What descent computes for the setting the page's sliders show."""
    spec = state["spec"]
    surface = spec["surfaces"][state["surface"]]
    shown = state["sliders"]["steps"]
    paths = {}
    for contender in spec["contenders"]:
        settings = dict(contender["settings"])
        for slider in spec["sliders"]:
            value = slider["values"][state["sliders"][slider["name"]]]
            settings[slider["name"]] = (
                settings[slider["name"]] * value if slider["scales"] else value
            )
        optimizer = getattr(descent, contender["optimizer"])(**settings)
        trajectory = run(optimizer, SURFACES[surface["key"]], surface["start"], spec["steps"])
        paths[contender["name"]] = trajectory.points[: shown + 1]
    return paths


def assert_drawn_as_descent_computes(state):
    spec = state["spec"]
    surface = spec["surfaces"][state["surface"]]
    span = max(np.ptp(surface["xlim"]), np.ptp(surface["ylim"]))
    expected = descent_paths(state)
    assert set(state["paths"]) == set(expected)
    for name, drawn in state["paths"].items():
        drawn = np.array(drawn)
        assert drawn.shape == expected[name].shape, name
        # The page draws to a hundredth of a pixel: about 1e-4 of the plot's width.
        np.testing.assert_allclose(drawn, expected[name], atol=1e-3 * span, err_msg=name)


@pytest.fixture
def explorer_page(open_page):
    def visit(name):
        visit = open_page(f"book/{name}.html")
        root = visit.page.locator(".descent-explorer[data-mounted]").first
        root.wait_for()
        root.scroll_into_view_if_needed()
        return visit, root

    return visit


@pytest.mark.parametrize("name", PAGES)
def test_keyboard_moves_the_learning_rate_and_the_page_draws_descents_path(explorer_page, name):
    visit, root = explorer_page(name)
    before = root.evaluate(READ_STATE)
    assert_drawn_as_descent_computes(before)
    ARTIFACTS.mkdir(exist_ok=True)
    root.screenshot(path=str(ARTIFACTS / f"explorer-{name}-before.png"))

    slider = root.locator('input[data-slider="lr"]')
    slider.focus()
    key = "ArrowLeft" if before["sliders"]["lr"] > 0 else "ArrowRight"
    slider.press(key)
    slider.press(key)
    after = root.evaluate(READ_STATE)
    root.screenshot(path=str(ARTIFACTS / f"explorer-{name}-after.png"))

    assert after["sliders"]["lr"] != before["sliders"]["lr"]
    assert after["paths"] != before["paths"], "moving the slider redraws the path"
    assert after["status"] != before["status"], "the text alternative follows"
    assert_drawn_as_descent_computes(after)
    assert visit.console_errors == []
    assert visit.external_requests == []


@pytest.mark.parametrize("name", PAGES)
def test_every_control_is_labelled(explorer_page, name):
    _, root = explorer_page(name)
    unlabelled = root.evaluate(
        """(root) => [...root.querySelectorAll("input, select, button")].filter((control) =>
            !(control.labels && control.labels.length) && !control.getAttribute("aria-label")
            && !control.textContent.trim()).map((control) => control.outerHTML)"""
    )
    assert unlabelled == []
    assert root.locator("svg.dx-paths title").count() == 1
    assert root.locator("svg.dx-paths desc").text_content().startswith("On ")


def test_the_rotated_bowl_is_drawn_as_descent_computes_it(explorer_page):
    _, root = explorer_page("momentum")
    root.locator("select").select_option(label="the bowl turned by 45°")
    state = root.evaluate(READ_STATE)
    assert state["spec"]["surfaces"][state["surface"]]["key"] == "rotated"
    assert_drawn_as_descent_computes(state)


def test_the_race_animates_with_play_pause_and_step(explorer_page):
    visit, root = explorer_page("race")
    steps = root.locator('input[data-slider="steps"]')
    steps.focus()
    steps.press("Home")
    assert root.evaluate(READ_STATE)["sliders"]["steps"] == 1

    root.get_by_role("button", name="Step").click()
    state = root.evaluate(READ_STATE)
    assert state["sliders"]["steps"] == 2
    assert_drawn_as_descent_computes(state)

    play = root.locator("button[aria-pressed]")
    play.click()
    assert play.get_attribute("aria-pressed") == "true"
    assert play.inner_text() == "Pause"
    # Wait until the animation has moved on, then pause it wherever it is.
    visit.page.wait_for_function(
        "(input) => Number(input.value) > 2", arg=steps.element_handle(), timeout=10_000
    )
    if play.get_attribute("aria-pressed") == "true":
        play.click()
    assert play.inner_text() == "Play"
    state = root.evaluate(READ_STATE)
    assert 2 < state["sliders"]["steps"] <= state["spec"]["steps"]
    assert_drawn_as_descent_computes(state)
    assert visit.console_errors == []
