"""Hand numbers from a chapter's code to its prose, in one call from a hidden cell.

The prose of a chapter quotes computed numbers with myst-nb's ``{glue:text}`` role
(``{glue:text}`sgd-floor-1:.2g```), so that text and code can never disagree.
:func:`glue_numbers` glues many numbers at once under the chapter's prefix::

    glue_numbers("sgd", floor_1=floors[1], best_lr=f.best_sgd_lr)
    # glues "sgd-floor-1" and "sgd-best-lr"

    glue_numbers("race", final_loss={"SGD": 1e-3, "Adam": 2e-4})
    # glues "race-final-loss-sgd" and "race-final-loss-adam"

Every value is glued as a plain Python ``float`` (a NumPy scalar's repr would show in
the text as ``np.float64(...)``), and nothing is displayed where the cell stands.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["glue_names", "glue_numbers"]


def glue_names(prefix: str, numbers: Mapping[str, object]) -> dict[str, float]:
    """The keys :func:`glue_numbers` would glue, with their values (for tests and checks).

    >>> glue_names("race", {"final_loss": {"SGD": 1, "Nesterov momentum": 2}, "steps": 30})
    {'race-final-loss-sgd': 1.0, 'race-final-loss-nesterov-momentum': 2.0, 'race-steps': 30.0}
    """
    glued = {}
    for name, value in numbers.items():
        key = f"{prefix}-{_slug(name)}"
        if isinstance(value, Mapping):
            glued.update(glue_names(key, value))
        else:
            glued[key] = float(value)
    return glued


def glue_numbers(prefix: str, **numbers: object) -> None:
    """Glue every number (or dict of numbers) under ``prefix``; see the module's examples."""
    from myst_nb import glue  # the book's dependency, not the package's

    for key, value in glue_names(prefix, numbers).items():
        glue(key, value, display=False)


def _slug(name: object) -> str:
    return str(name).lower().replace("_", "-").replace(" ", "-")
