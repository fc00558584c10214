"""Plot helpers: smoke tests under Agg, the book-wide styles, and what the band and levels show."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.contour import ContourSet

import descent
from descent import SGD, Adam, AdamW
from descent.book.plotting import (
    STYLES,
    label,
    plot_band,
    plot_contours,
    plot_losses,
    plot_trajectory,
    style,
)
from descent.book.tables import Table
from descent.lab.objectives import Rosenbrock, Saddle, bowl

PATH = np.array([[-7.0, 2.0], [-6.0, -1.0], [-5.0, 0.5], [-4.0, -0.2]])


@pytest.fixture
def ax():
    fig, ax = plt.subplots(figsize=(3, 2), dpi=40)
    yield ax
    plt.close(fig)


@pytest.fixture(autouse=True)
def no_figure_left_open():
    yield
    assert plt.get_fignums() == [], "a test left a figure open"


def contour_levels(ax):
    (contours,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    return np.asarray(contours.levels)


# -- every function draws on the Axes it is given and returns it ------------------


def test_plot_contours_returns_the_axes(ax):
    assert plot_contours(ax, bowl(), xlim=(-10, 10), ylim=(-3, 3), resolution=40) is ax
    assert ax.get_xlim() == (-10, 10)
    assert ax.get_ylim() == (-3, 3)
    assert len(contour_levels(ax)) > 1


@pytest.mark.parametrize(("objective", "n_minimisers"), [(bowl(), 1), (Saddle(), 2)])
def test_plot_contours_marks_every_minimiser(ax, objective, n_minimisers):
    plot_contours(ax, objective, xlim=(-2, 2), ylim=(-2, 2), resolution=30)
    stars = [line for line in ax.lines if line.get_marker() == "*"]
    assert len(stars) == n_minimisers
    marked = sorted(tuple(np.ravel(line.get_xydata())) for line in stars)
    assert marked == sorted(tuple(p) for p in objective.minimizers)


def test_plot_contours_without_minimisers(ax):
    plot_contours(ax, bowl(), xlim=(-1, 1), ylim=(-1, 1), resolution=20, mark_minimizers=False)
    assert len(ax.lines) == 0


def grid_values(objective, xlim, ylim, resolution):
    xs, ys = np.linspace(*xlim, resolution), np.linspace(*ylim, resolution)
    return objective.value(np.stack(np.meshgrid(xs, ys), axis=-1))


def test_log_levels_on_rosenbrock_are_geometric(ax):
    # On this grid Rosenbrock is positive everywhere (the grid misses (1, 1)), so the levels
    # are a geometric sequence from the smallest to the largest value on the grid.
    limits = {"xlim": (-2.0, 2.0), "ylim": (-1.0, 3.0), "resolution": 50}
    values = grid_values(Rosenbrock(), **limits)
    assert values.min() > 0
    plot_contours(ax, Rosenbrock(), **limits, levels=15, log_levels=True)
    levels = contour_levels(ax)
    assert len(levels) == 15
    np.testing.assert_allclose(levels[[0, -1]], [values.min(), values.max()], rtol=1e-9)
    ratios = levels[1:] / levels[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)
    assert ratios[0] > 1


def test_log_levels_on_the_saddle_handle_negative_values(ax):
    # The saddle dips to -1/4: the levels are shifted to stay above the minimum and still span
    # the values on the grid, increasing.
    limits = {"xlim": (-1.5, 1.5), "ylim": (-1.5, 1.5), "resolution": 61}
    values = grid_values(Saddle(), **limits)
    assert values.min() < 0
    plot_contours(ax, Saddle(), **limits, levels=12, log_levels=True)
    levels = contour_levels(ax)
    assert len(levels) == 12
    assert np.all(np.diff(levels) > 0)
    np.testing.assert_allclose(levels[[0, -1]], [values.min(), values.max()], rtol=1e-9)


def test_plot_trajectory_returns_the_axes_and_draws_the_path(ax):
    assert plot_trajectory(ax, PATH, Adam()) is ax
    path_line = ax.lines[0]
    np.testing.assert_array_equal(path_line.get_xydata(), PATH)
    assert path_line.get_label() == "Adam"
    assert path_line.get_color() == STYLES["Adam"]["color"]
    start = ax.lines[1]
    np.testing.assert_array_equal(np.ravel(start.get_xydata()), PATH[0])


def test_plot_trajectory_label_and_overrides(ax):
    plot_trajectory(ax, PATH, "SGD", label_text="SGD, η = 0.95", color="red")
    assert ax.lines[0].get_label() == "SGD, η = 0.95"
    assert ax.lines[0].get_color() == "red"


def test_plot_losses_returns_the_axes(ax):
    losses = np.array([4.0, 2.0, 1.0, 0.5])
    assert plot_losses(ax, losses, SGD()) is ax
    (line,) = ax.lines
    np.testing.assert_array_equal(line.get_xdata(), np.arange(4))
    np.testing.assert_array_equal(line.get_ydata(), losses)
    assert ax.get_yscale() == "log"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("step", "loss")


def test_plot_losses_linear_scale(ax):
    plot_losses(ax, np.array([1.0, -1.0]), "Momentum", logy=False)
    assert ax.get_yscale() == "linear"


def test_plot_band_is_mean_plus_minus_std(ax):
    # Two runs a and b: the mean is (a + b)/2 and the (population) standard deviation is
    # |a - b|/2, so the band runs exactly from min(a, b) to max(a, b):
    # mean (2, 4, 4), std (1, 2, 1), band from (1, 2, 3) to (3, 6, 5).
    x = np.array([0.0, 1.0, 2.0])
    runs = np.array([[1.0, 2.0, 3.0], [3.0, 6.0, 5.0]])
    assert plot_band(ax, x, runs, Adam(amsgrad=True)) is ax
    (line,) = ax.lines
    np.testing.assert_array_equal(line.get_ydata(), [2.0, 4.0, 4.0])
    assert line.get_label() == "AMSGrad"
    assert line.get_linestyle() == "--"
    (band,) = ax.collections
    vertices = band.get_paths()[0].vertices
    for xi, low, high in zip(x, [1.0, 2.0, 3.0], [3.0, 6.0, 5.0], strict=True):
        ys = vertices[vertices[:, 0] == xi, 1]
        assert ys.min() == pytest.approx(low)
        assert ys.max() == pytest.approx(high)
    assert vertices[:, 1].min() == 1.0
    assert vertices[:, 1].max() == 6.0


def test_every_optimizer_has_its_own_colour():
    colours = [style(cls())["color"] for cls in descent.OPTIMIZERS]
    assert len(set(colours)) == len(descent.OPTIMIZERS)


def test_amsgrad_is_adam_dashed():
    adam, amsgrad = style(Adam()), style(Adam(amsgrad=True))
    assert amsgrad["color"] == adam["color"]
    assert amsgrad.get("linestyle", "-") != adam.get("linestyle", "-")


@pytest.mark.parametrize(
    ("optimizer", "name"),
    [
        (Adam(amsgrad=True), "AMSGrad"),
        (Adam(), "Adam"),
        (AdamW(), "AdamW"),
        (SGD(), "SGD"),
        ("RMSProp", "RMSProp"),
    ],
)
def test_label(optimizer, name):
    assert label(optimizer) == name


def test_unknown_style_raises_key_error_naming_it():
    with pytest.raises(KeyError, match="Yogi"):
        style("Yogi")


def test_style_returns_a_copy():
    style("SGD")["color"] = "red"
    assert style("SGD")["color"] == STYLES["SGD"]["color"] != "red"


def test_table_renders_a_markdown_pipe_table():
    table = Table(["optimizer", "$\\eta$"], [["SGD", "0.95"], ["Adam", "0.3"]])
    assert table._repr_markdown_().splitlines() == [
        "| optimizer | $\\eta$ |",
        "| --- | --- |",
        "| SGD | 0.95 |",
        "| Adam | 0.3 |",
    ]


def test_table_with_a_short_row_names_it():
    with pytest.raises(ValueError, match="row 1 has 1 cells, the header has 2"):
        Table(["optimizer", "lr"], [["SGD", "0.95"], ["Adam"]])
