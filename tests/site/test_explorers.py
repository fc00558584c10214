"""The explorers, used as readers use them: mouse, touch, keyboard, offline, phone and desktop.

Every explorer computes its runs in the page (``descent.js``). After each interaction the
test reads what the page shows (the SVG polylines, converted back to the plot's
coordinates, and the runs the page computed) and compares it with the trajectory that
``descent`` computes for the setting the controls show: the drawn path to a thousandth
of the plot's width, the computed one to 1e-9. Screenshots before and after go to
tests/artifacts for people to look at.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import numpy as np
import pytest

import descent
from book_facts import ARTIFACTS
from descent.lab.objectives import Beale, Quadratic, Rosenbrock, Saddle
from descent.lab.runs import run

pytestmark = pytest.mark.browser

KINDS = {
    "sgd": ["threshold"],
    "momentum": ["explore", "map", "explore"],
    "adagrad": ["explore", "explore"],
    "rmsprop": ["explore", "explore"],
    "adam": ["explore", "explore"],
    "race": ["explore", "explore"],
    "schedules": ["explore"],
    "beyond-adam": ["explore"],
}
"""The explorers each chapter must have, in page order: one at the top of every optimizer
chapter (SGD's threshold in sgd) and the full one near the end, the (η, μ) map in
momentum, the race, Part IV's."""
OPTIMIZER_CHAPTERS = ["sgd", "momentum", "adagrad", "rmsprop", "adam"]
PAGES = list(KINDS)
EXPLORE = [page for page, kinds in KINDS.items() if "explore" in kinds]

READ_STATE = """(root) => {
    const x = root.descentExplorer;
    const svg = root.querySelector("svg.dx-paths");
    const [x0, x1] = svg.dataset.xlim.split(",").map(Number);
    const [y0, y1] = svg.dataset.ylim.split(",").map(Number);
    const [left, top, width, height] = svg.dataset.box.split(",").map(Number);
    const paths = {};
    for (const line of svg.querySelectorAll("polyline.dx-path")) {
        const points = (line.getAttribute("points") || "").trim().split(/\\s+/).filter(Boolean);
        paths[line.dataset.optimizer] = points.map((point) => {
            const [px, py] = point.split(",").map(Number);
            return [x0 + (px - left) / width * (x1 - x0), y1 - (py - top) / height * (y1 - y0),
                    Math.abs(px) >= 1e5 || Math.abs(py) >= 1e5];
        });
    }
    return {
        spec: x.spec,
        surface: x.state.surface,
        indices: x.state.indices.slice(),
        start: x.state.starts[x.state.surface].slice(),
        shown: x.state.shown,
        dragging: x.state.dragging,
        paths,
        runs: x.runs(),
        settings: x.settings(),
        status: root.querySelector(".dx-status").textContent,
        announced: Number(root.dataset.announced || 0),
        steps: Number(root.querySelector('input[data-slider="steps"]').value),
        span: [x1 - x0, y1 - y0],
    };
}"""


def objective_from(description: dict):
    """The descent objective a page's surface describes."""
    kind = description["kind"]
    if kind == "Quadratic":
        return Quadratic(description["hessian"])
    if kind == "Rosenbrock":
        return Rosenbrock(description["a"], description["b"])
    return {"Beale": Beale, "Saddle": Saddle}[kind]()


def expected_runs(state: dict) -> dict:
    """What descent computes for the setting the page's controls show."""
    spec = state["spec"]
    surface = spec["surfaces"][state["surface"]]
    runs = {}
    for index, contender in enumerate(spec["contenders"]):
        settings = dict(contender["settings"])
        for slider, position in zip(spec["sliders"], state["indices"], strict=True):
            value = slider["values"][position]
            settings[slider["name"]] = (
                settings[slider["name"]] * value if slider["scales"] else value
            )
        assert state["settings"][index] == pytest.approx(settings), "the page's settings"
        optimizer = getattr(descent, contender["optimizer"])(**settings)
        objective = objective_from(surface["objective"])
        runs[contender["name"]] = run(optimizer, objective, state["start"], spec["steps"])
    return runs


def assert_shows_what_descent_computes(state: dict) -> None:
    spec = state["spec"]
    surface = spec["surfaces"][state["surface"]]
    expected = expected_runs(state)
    assert set(state["paths"]) == set(expected)
    for index, (name, trajectory) in enumerate(expected.items()):
        computed = state["runs"][index]
        assert len(computed["points"]) == len(trajectory.points), name
        assert computed["diverged"] == trajectory.diverged, name
        scale = np.maximum(np.linalg.norm(trajectory.points, axis=1), 1e-300)
        difference = np.linalg.norm(np.array(computed["points"]) - trajectory.points, axis=1)
        assert (difference / scale).max() <= 1e-9, f"{name}: the page computed another run"
        # what is drawn: the first `shown` steps, to the precision of the drawing
        shown = min(state["shown"], len(trajectory.points) - 1)
        drawn = np.array([p[:2] for p in state["paths"][name]])
        clamped = np.array([p[2] for p in state["paths"][name]], dtype=bool)
        if surface["dim"] == 2:
            target = trajectory.points[: shown + 1]
        else:
            target = np.column_stack([trajectory.points[:, 0], trajectory.losses])[: shown + 1]
        assert drawn.shape == target.shape, name
        tolerance = 1e-3 * np.array(state["span"])
        np.testing.assert_array_less(
            np.abs(drawn - target)[~clamped], np.broadcast_to(tolerance, drawn.shape)[~clamped]
        )


def kind_of(spec: dict) -> str:
    return "threshold" if spec.get("factors") else spec["kind"]


def prepare(page):
    """Jump instead of gliding when scrolling (the theme scrolls smoothly)."""
    page.evaluate("() => { document.documentElement.style.scrollBehavior = 'auto'; }")


def scroll_to(locator) -> None:
    """Bring an element to the middle of the screen, as a reader scrolling there would.

    (Playwright's own scroll_into_view_if_needed measures the element before the
    sections around it have been laid out, content-visibility: auto, and can overshoot.)
    """
    locator.evaluate("(e) => e.scrollIntoView({block: 'center'})")
    locator.page.wait_for_timeout(100)


def mount_all(page):
    """Scroll past every explorer, as a reader would (each is built when it comes near),
    wait until all are drawn and go back to the top."""
    page.locator(".descent-explorer").first.wait_for(state="attached")
    prepare(page)
    roots = page.locator(".descent-explorer")
    for k in range(roots.count()):
        scroll_to(roots.nth(k))
        roots.nth(k).locator("xpath=self::*[@data-ready]").wait_for(state="attached")
    page.evaluate("() => scrollTo(0, 0)")
    return roots


def explorers(visit):
    return mount_all(visit.page)


def settle(page, root, before: int) -> dict:
    """Wait until the text summary has been rewritten after an interaction, then read."""
    page.wait_for_function(
        "([root, before]) => Number(root.dataset.announced || 0) > before",
        arg=[root.element_handle(), before],
        timeout=5_000,
    )
    page.wait_for_timeout(700)  # and make sure it is rewritten only once
    return root.evaluate(READ_STATE)


def handle_centre(root) -> tuple[float, float]:
    scroll_to(root.locator("svg.dx-paths"))
    box = root.locator(".dx-handle circle").last.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def page_point(root, client: tuple[float, float]) -> list[float]:
    """The plot coordinates (unrounded) of a point of the screen."""
    return root.evaluate(
        """(root, [cx, cy]) => {
            const svg = root.querySelector("svg.dx-paths");
            const p = new DOMPoint(cx, cy).matrixTransform(svg.getScreenCTM().inverse());
            const [x0, x1] = svg.dataset.xlim.split(",").map(Number);
            const [y0, y1] = svg.dataset.ylim.split(",").map(Number);
            const [left, top, width, height] = svg.dataset.box.split(",").map(Number);
            return [x0 + (p.x - left) / width * (x1 - x0), y1 - (p.y - top) / height * (y1 - y0)];
        }""",
        list(client),
    )


def shoot(root, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    root.screenshot(path=str(ARTIFACTS / f"explorer-{name}.png"))


@pytest.fixture
def touch_page(browser, site_url):
    """A phone: 390 × 844, touch events, the network cut off as in open_page."""
    contexts = []

    def visit(path: str):
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
        )
        contexts.append(context)
        page = context.new_page()
        errors, external = [], []
        local = urlsplit(site_url).netloc

        def route(route):
            if urlsplit(route.request.url).netloc == local:
                route.continue_()
            else:
                external.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{site_url}/{path}", wait_until="load")
        return page, errors, external

    yield visit
    for context in contexts:
        context.close()


def touch_drag(page, start, end, steps: int = 12) -> None:
    cdp = page.context.new_cdp_session(page)
    (x0, y0), (x1, y1) = start, end
    cdp.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]}
    )
    for k in range(1, steps + 1):
        point = {"x": x0 + (x1 - x0) * k / steps, "y": y0 + (y1 - y0) * k / steps}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


# -- what each chapter has -----------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_each_chapter_has_its_explorers_and_they_draw_what_descent_computes(open_page, name):
    visit = open_page(f"book/{name}.html")
    roots = explorers(visit)
    states = [roots.nth(k).evaluate(READ_STATE) for k in range(roots.count())]
    assert [kind_of(state["spec"]) for state in states] == KINDS[name]
    for k, state in enumerate(states):
        assert_shows_what_descent_computes(state)
        assert state["status"].startswith(("On ", "Map: "))
        shoot(roots.nth(k), f"{name}-{k}-desktop")
    assert visit.console_errors == []
    assert visit.external_requests == []


# -- the start point: mouse, touch, keyboard ------------------------------------------


@pytest.mark.parametrize("name", EXPLORE)
def test_dragging_the_start_with_the_mouse_redraws_every_path(open_page, name):
    visit = open_page(f"book/{name}.html")
    page = visit.page
    root = explorers(visit).first
    before = root.evaluate(READ_STATE)
    shoot(root, f"{name}-before-drag")
    x, y = handle_centre(root)
    target = (x + 90, y + 25)
    timings_before = len(root.evaluate("(root) => root.descentExplorer.timings"))
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(*target, steps=15)
    during = root.evaluate(READ_STATE)
    page.mouse.up()
    wanted = page_point(root, target)  # before a screenshot scrolls the page
    after = settle(page, root, before["announced"])
    shoot(root, f"{name}-after-drag")

    assert during["dragging"] is not None, "the pointer holds the start"
    assert during["announced"] == before["announced"], "the summary waits for the release"
    assert after["announced"] == before["announced"] + 1, "one summary per gesture"
    for axis in range(2):
        assert abs(after["start"][axis] - wanted[axis]) <= after["span"][axis] / 400
    assert after["paths"] != before["paths"]
    assert after["status"] != before["status"]
    assert_shows_what_descent_computes(after)
    # the pointer's moves were drawn as it moved (how fast: benchmarks/explorers.py)
    timings = root.evaluate("(root) => root.descentExplorer.timings")[timings_before:]
    assert len(timings) >= 5
    assert visit.console_errors == []


@pytest.mark.parametrize("name", ["race", "momentum"])
def test_a_finger_drags_the_start_without_scrolling_the_page(touch_page, name):
    page, errors, external = touch_page(f"book/{name}.html")
    mount_all(page)
    root = page.locator(".descent-explorer").first
    before = root.evaluate(READ_STATE)
    shoot(root, f"{name}-before-touch")  # (a screenshot may scroll the page: take it first)
    x, y = handle_centre(root)
    scrolled = page.evaluate("() => scrollY")
    touch_drag(page, (x, y), (x + 25, y + 60))
    wanted = page_point(root, (x + 25, y + 60))
    after = settle(page, root, before["announced"])
    assert page.evaluate("() => scrollY") == scrolled, "dragging the start scrolled the page"
    shoot(root, f"{name}-after-touch")

    assert after["start"] != before["start"]
    for axis in range(2):
        assert abs(after["start"][axis] - wanted[axis]) <= after["span"][axis] / 400
    assert after["announced"] == before["announced"] + 1
    assert_shows_what_descent_computes(after)
    assert errors == []
    assert external == []


def test_a_finger_elsewhere_on_the_plot_scrolls_the_page_and_leaves_the_start(touch_page):
    """Only the start point holds a finger: a swipe up over the plot scrolls the page, and
    the start, which moved where the finger landed, goes back when the page takes over."""
    page, errors, _ = touch_page("book/adam.html")
    mount_all(page)
    root = page.locator(".descent-explorer").first
    plot = root.locator("svg.dx-paths")
    scroll_to(plot)
    page.evaluate("() => scrollBy(0, -100)")  # room to scroll both ways
    before = root.evaluate(READ_STATE)
    box = plot.bounding_box()
    left, top, width, height = map(float, plot.get_attribute("data-box").split(","))
    scale = box["width"] / float(plot.get_attribute("viewBox").split()[2])
    x = box["x"] + (left + 0.8 * width) * scale  # far from the start at the left
    y = box["y"] + (top + 0.8 * height) * scale
    scrolled = page.evaluate("() => scrollY")
    touch_drag(page, (x, y), (x, y - 120), steps=8)
    page.wait_for_timeout(800)
    after = root.evaluate(READ_STATE)
    assert page.evaluate("() => scrollY") != scrolled, "the page did not scroll"
    assert after["start"] == before["start"]
    assert errors == []


def test_a_finger_picks_a_setting_on_the_map(touch_page):
    page, errors, _ = touch_page("book/momentum.html")
    mount_all(page)
    root = page.locator('.descent-explorer[data-kind="map"]')
    scroll_to(root.locator("svg.dx-overlay"))
    before = root.evaluate(READ_STATE)
    geometry = root.evaluate(READ_MAP)
    scrolled = page.evaluate("() => scrollY")
    touch_drag(page, map_client_point(geometry, 0.4, 0.2), map_client_point(geometry, 1.2, 0.7))
    after = settle(page, root, before["announced"])
    lr_values, mu_values = (s["values"] for s in after["spec"]["sliders"])
    assert lr_values[after["indices"][0]] == pytest.approx(1.2, abs=0.03)
    assert mu_values[after["indices"][1]] == pytest.approx(0.7, abs=0.015)
    assert page.evaluate("() => scrollY") == scrolled
    assert_shows_what_descent_computes(after)
    shoot(root, "map-after-touch")
    assert errors == []


@pytest.mark.parametrize("name", ["adam", "sgd"])
def test_arrow_keys_move_the_start_and_home_puts_it_back(open_page, name):
    visit = open_page(f"book/{name}.html")
    page = visit.page
    root = explorers(visit).first
    before = root.evaluate(READ_STATE)
    surface = before["spec"]["surfaces"][before["surface"]]
    plot = root.locator("svg.dx-paths")
    plot.focus()
    assert plot.evaluate("(svg) => svg.matches(':focus-visible')")
    assert plot.evaluate("(svg) => parseFloat(getComputedStyle(svg).outlineWidth)") >= 2
    for key in ("ArrowRight", "ArrowRight", "ArrowUp"):
        page.keyboard.press(key)
    after = settle(page, root, before["announced"])
    shoot(root, f"{name}-after-keys")

    step = [
        (surface["xlim"][1] - surface["xlim"][0]) / 40,
        (surface["ylim"][1] - surface["ylim"][0]) / 40,
    ]
    assert after["start"][0] == pytest.approx(before["start"][0] + 2 * step[0], abs=0.01)
    if surface["dim"] == 2:
        assert after["start"][1] == pytest.approx(before["start"][1] + step[1], abs=0.01)
    assert after["announced"] == before["announced"] + 1, "three keys, one summary"
    assert_shows_what_descent_computes(after)

    page.keyboard.press("Home")
    home = settle(page, root, after["announced"])
    assert home["start"] == surface["start"]
    assert visit.console_errors == []


# -- sliders ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPLORE)
def test_a_slider_moves_through_fine_steps_and_the_page_follows(open_page, name):
    visit = open_page(f"book/{name}.html")
    page = visit.page
    root = explorers(visit).first
    before = root.evaluate(READ_STATE)
    assert len(before["spec"]["sliders"][0]["values"]) >= 50, "a fine grid, not a handful"
    slider = root.locator("input[type=range]").first
    slider.focus()
    key = "ArrowLeft" if before["indices"][0] > 0 else "ArrowRight"
    for _ in range(3):
        page.keyboard.press(key)
    after = settle(page, root, before["announced"])

    assert abs(after["indices"][0] - before["indices"][0]) == 3
    assert after["announced"] == before["announced"] + 1
    assert after["paths"] != before["paths"]
    assert_shows_what_descent_computes(after)
    assert visit.console_errors == []


@pytest.mark.parametrize("name", PAGES)
def test_every_control_is_labelled_and_the_summary_is_polite(open_page, name):
    visit = open_page(f"book/{name}.html")
    roots = explorers(visit)
    for k in range(roots.count()):
        root = roots.nth(k)
        unlabelled = root.evaluate(
            """(root) => [...root.querySelectorAll("input, select, button, [tabindex]")].filter(
                (control) => !(control.labels && control.labels.length)
                && !control.getAttribute("aria-label") && !control.getAttribute("aria-labelledby")
                && !control.textContent.trim()).map((control) => control.outerHTML.slice(0, 80))"""
        )
        assert unlabelled == []
        assert root.locator(".dx-status").get_attribute("aria-live") == "polite"
        assert root.locator("svg.dx-paths title").count() == 1
        assert root.locator("svg.dx-paths desc").text_content().startswith(("On ", "Map: "))
        legend = root.evaluate(
            "(root) => [...root.querySelectorAll('.dx-legend li')].map((li) => li.textContent)"
        )
        assert legend == [c["name"] for c in root.evaluate(READ_STATE)["spec"]["contenders"]]


def test_optimizers_that_share_a_hue_differ_in_marker(open_page):
    visit = open_page("book/race.html")
    spec = explorers(visit).first.evaluate(READ_STATE)["spec"]
    looks = [(c["color"], c["marker"], c["dashed"]) for c in spec["contenders"]]
    assert len(set(looks)) == len(looks)
    assert len({marker for _, marker, _ in looks}) == len(looks)


# -- the race ------------------------------------------------------------------------


def test_one_multiplier_and_one_start_drive_the_whole_race(open_page):
    visit = open_page("book/race.html")
    page = visit.page
    root = explorers(visit).first
    before = root.evaluate(READ_STATE)
    assert [s["scales"] for s in before["spec"]["sliders"]] == [True]
    slider = root.locator('input[data-slider="lr"]')
    slider.focus()
    page.keyboard.press("PageUp")
    page.keyboard.press("ArrowRight")
    after = settle(page, root, before["announced"])
    multiplier = after["spec"]["sliders"][0]["values"][after["indices"][0]]
    assert multiplier > 1
    for contender, settings in zip(after["spec"]["contenders"], after["settings"], strict=True):
        assert settings["lr"] == pytest.approx(contender["settings"]["lr"] * multiplier)
    assert_shows_what_descent_computes(after)

    root.locator("select").select_option(index=1)  # the turned bowl
    x, y = handle_centre(root)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 40, y + 30, steps=6)
    page.mouse.up()
    moved = settle(page, root, after["announced"])
    assert moved["surface"] == 1
    assert moved["start"] != moved["spec"]["surfaces"][moved["surface"]]["start"]
    assert_shows_what_descent_computes(moved)
    shoot(root, "race-turned-dragged")
    assert visit.console_errors == []


def test_the_race_animates_with_play_pause_and_step(open_page):
    visit = open_page("book/race.html")
    page = visit.page
    root = explorers(visit).first
    steps = root.locator('input[data-slider="steps"]')
    steps.focus()
    page.keyboard.press("Home")
    assert root.evaluate(READ_STATE)["shown"] == 1

    root.get_by_role("button", name="Step").click()
    state = root.evaluate(READ_STATE)
    assert state["shown"] == 2
    assert_shows_what_descent_computes(state)

    play = root.locator("button[aria-pressed]")
    announced = root.evaluate(READ_STATE)["announced"]
    play.click()
    assert play.get_attribute("aria-pressed") == "true"
    assert play.inner_text() == "Pause"
    page.wait_for_function(
        "(input) => Number(input.value) > 4", arg=steps.element_handle(), timeout=10_000
    )
    assert root.evaluate(READ_STATE)["announced"] <= announced + 1, "quiet while it plays"
    if play.get_attribute("aria-pressed") == "true":
        play.click()
    assert play.inner_text() == "Play"
    state = root.evaluate(READ_STATE)
    assert 4 < state["shown"] <= state["spec"]["steps"]
    assert_shows_what_descent_computes(state)
    assert visit.console_errors == []


# -- the momentum map ----------------------------------------------------------------

READ_MAP = """(root) => {
    const overlay = root.querySelector("svg.dx-overlay");
    const [left, top, width, height] = overlay.dataset.area.split(",").map(Number);
    const [l0, l1] = overlay.dataset.lr.split(",").map(Number);
    const [m0, m1] = overlay.dataset.momentum.split(",").map(Number);
    const box = overlay.getBoundingClientRect();
    const scale = box.width / overlay.viewBox.baseVal.width;
    return {left, top, width, height, l0, l1, m0, m1, x: box.x, y: box.y, scale,
            cells: root.descentExplorer.mapCells};
}"""


def map_client_point(geometry: dict, lr: float, momentum: float) -> tuple[float, float]:
    g = geometry
    px = g["left"] + (lr - g["l0"]) / (g["l1"] - g["l0"]) * g["width"]
    py = g["top"] + (g["m1"] - momentum) / (g["m1"] - g["m0"]) * g["height"]
    return g["x"] + px * g["scale"], g["y"] + py * g["scale"]


def the_map(visit):
    roots = explorers(visit)
    for k in range(roots.count()):
        if roots.nth(k).get_attribute("data-kind") == "map":
            return roots.nth(k)
    pytest.fail("the momentum chapter has no (η, μ) map")


def test_clicking_and_dragging_on_the_map_runs_that_setting(open_page):
    visit = open_page("book/momentum.html")
    page = visit.page
    root = the_map(visit)
    scroll_to(root.locator("svg.dx-overlay"))
    before = root.evaluate(READ_STATE)
    shoot(root, "map-before")
    geometry = root.evaluate(READ_MAP)
    page.mouse.click(*map_client_point(geometry, 1.0, 0.5))
    clicked = settle(page, root, before["announced"])
    lr_values, mu_values = (s["values"] for s in clicked["spec"]["sliders"])
    lr, mu = lr_values[clicked["indices"][0]], mu_values[clicked["indices"][1]]
    assert lr == pytest.approx(1.0, abs=0.02)
    assert mu == pytest.approx(0.5, abs=0.01)
    assert clicked["settings"][0] == {"lr": lr, "momentum": mu}
    assert_shows_what_descent_computes(clicked)
    assert "η = 1" in clicked["status"]

    page.mouse.move(*map_client_point(geometry, 0.5, 0.2))
    page.mouse.down()
    page.mouse.move(*map_client_point(geometry, 1.6, 0.6), steps=10)
    page.mouse.up()
    dragged = settle(page, root, clicked["announced"])
    assert dragged["announced"] == clicked["announced"] + 1
    lr, mu = lr_values[dragged["indices"][0]], mu_values[dragged["indices"][1]]
    assert (lr, mu) == (pytest.approx(1.6, abs=0.02), pytest.approx(0.6, abs=0.01))
    assert_shows_what_descent_computes(dragged)
    shoot(root, "map-after")

    root.locator("svg.dx-overlay").focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowUp")
    keyed = settle(page, root, dragged["announced"])
    assert keyed["indices"] == [dragged["indices"][0] - 1, dragged["indices"][1] + 1]
    assert visit.console_errors == []


def test_the_map_is_descents_distance_ratio_and_follows_the_start(open_page):
    visit = open_page("book/momentum.html")
    root = the_map(visit)
    state = root.evaluate(READ_STATE)
    surface = state["spec"]["surfaces"][0]
    objective = objective_from(surface["objective"])
    cells = root.evaluate(READ_MAP)["cells"]
    n = state["spec"]["steps"]
    optimizer = descent.Nesterov if state["spec"]["map"]["nesterov"] else descent.Momentum
    for start in ([-7.0, 2.0], [3.0, -1.5]):
        root.evaluate("(root, start) => root.descentExplorer.setStart(start)", start)
        for i, j in [(0, 0), (10, 90), (60, 40), (100, 10), (109, 98), (80, 30)]:
            page_ratio = root.evaluate(
                "(root, [i, j]) => root.descentExplorer.ratioAt(i, j)", [i, j]
            )
            trajectory = run(
                optimizer(lr=cells["lr"][i], momentum=cells["momentum"][j]),
                objective,
                start,
                n,
                divergence_threshold=np.inf,
            )
            ratio = np.linalg.norm(trajectory.final) / np.linalg.norm(start)
            if trajectory.diverged or ratio > 1:
                assert not page_ratio <= 1, (i, j)  # grey on both
            elif ratio > 1e-13:
                assert np.log10(page_ratio) == pytest.approx(np.log10(ratio), abs=1e-3), (i, j)
            else:
                assert page_ratio < 1e-12


# -- SGD's threshold ---------------------------------------------------------------


def test_crossing_two_over_l_turns_shrinking_into_growing(open_page):
    visit = open_page("book/sgd.html")
    page = visit.page
    root = explorers(visit).first
    state = root.evaluate(READ_STATE)
    surface = state["spec"]["surfaces"][state["surface"]]
    (L,) = surface["curvatures"]
    values = state["spec"]["sliders"][0]["values"]
    at = values.index(2 / L)
    slider = root.locator('input[data-slider="lr"]')
    factors = root.locator(".dx-factors-text")

    def set_slider(index):
        slider.evaluate(
            "(input, i) => { input.value = String(i); "
            "input.dispatchEvent(new Event('input', {bubbles: true})); "
            "input.dispatchEvent(new Event('change', {bubbles: true})); }",
            index,
        )
        page.wait_for_timeout(100)
        return root.evaluate(READ_STATE)

    for index, verdict in ((at - 1, "shrinks"), (at, "never shrinks"), (at + 1, "grows")):
        shown = set_slider(index)
        lr = values[index]
        factor = 1 - lr * L
        assert f"= {factor:.3g}".replace("-", "−") in factors.text_content()
        assert verdict in factors.text_content()
        xs = np.abs(np.array(shown["runs"][0]["points"])[:, 0])
        if verdict == "shrinks":
            assert xs[-1] < xs[0]
        elif verdict == "grows":
            assert xs[-1] > xs[0]
        else:
            np.testing.assert_allclose(xs, xs[0])  # x, −x, x, ...: the threshold itself
        assert_shows_what_descent_computes(shown)
    shoot(root, "sgd-threshold-crossed")
    root.locator("select").select_option(index=1)  # the bowl: both factors
    page.wait_for_timeout(100)
    assert factors.text_content().count("1 − ηλ") == 2
    assert visit.console_errors == []


@pytest.mark.parametrize("name", OPTIMIZER_CHAPTERS)
def test_an_optimizer_chapter_puts_an_explorer_in_its_first_two_screens(open_page, name):
    visit = open_page(f"book/{name}.html", width=1280, height=800)
    first = explorers(visit).first
    top = first.evaluate("(root) => root.getBoundingClientRect().top + window.scrollY")
    assert top < 2 * 800, f"the first explorer starts {top:.0f} px down the page"


def test_a_page_loads_the_explorer_script_once(open_page):
    visit = open_page("book/momentum.html")
    explorers(visit)
    sources = visit.page.evaluate(
        "() => [...document.scripts].map((s) => s.src || s.textContent.slice(0, 80))"
    )
    shared = [s for s in sources if s.split("?")[0].endswith("_static/descent-explorer.js")]
    inline = [s for s in sources if "DescentMath" in s or "DescentExplorer" in s]
    assert len(shared) == 1, sources
    assert inline == [], sources


# -- phone and desktop -------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
@pytest.mark.parametrize("name", PAGES)
def test_it_fits_a_phone_and_a_desktop(open_page, name, width, height):
    visit = open_page(f"book/{name}.html", width=width, height=height)
    page = visit.page
    roots = explorers(visit)
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    for k in range(roots.count()):
        root = roots.nth(k)
        fits = root.evaluate(
            """(root) => [...root.querySelectorAll('*')].every((e) => {
                const box = e.getBoundingClientRect();
                const outer = root.getBoundingClientRect();
                return box.width === 0
                    || e.closest('[clip-path]')  // a path cut off at the plot's edge
                    || (box.left >= outer.left - 1 && box.right <= outer.right + 1);
            })"""
        )
        assert fits, "something sticks out of the explorer"
        label, control = (
            root.locator(".dx-row label").first,
            root.locator(".dx-row input, .dx-row select").first,
        )
        label_box, control_box = label.bounding_box(), control.bounding_box()
        if width < 500:  # label above its control
            assert label_box["y"] + label_box["height"] <= control_box["y"] + 1
        else:  # label beside its control
            assert label_box["x"] + label_box["width"] <= control_box["x"]
        shoot(root, f"{name}-{k}-{width}")
    assert visit.console_errors == []
