r"""The API page: every public object of the package is there, and every formula renders.

A docstring that is not a raw string turns ``\\tfrac`` into a tab and ``\\theta`` into
"heta"; Sphinx builds such a page without a warning, and shows raw ``:math:`` text. These
tests read the built page, so they catch what the build let through.
"""

from __future__ import annotations

import importlib
import re

import pytest
from bs4 import BeautifulSoup

from book_facts import HTML

pytestmark = pytest.mark.book

API = HTML / "book" / "api.html"
MODULES = [
    "descent",
    "descent.base",
    "descent.checks",
    "descent.checkpoint",
    "descent.fast",
    "descent.schedules",
    "descent.lab.objectives",
    "descent.lab.runs",
    "descent.lab.nn",
    "descent.lab.data",
    "descent.lab.training",
    "descent.lab.cost",
    "descent.book.plotting",
    "descent.book.tables",
    "descent.book.glue",
    "descent.book.explorer",
]
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@pytest.fixture(scope="module")
def page() -> BeautifulSoup:
    if not API.exists():
        pytest.fail("The book is not built: run `make book` (or `make test`, which builds it).")
    return BeautifulSoup(API.read_text(encoding="utf-8"), "html.parser")


def public_objects():
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            home = getattr(getattr(module, name), "__module__", module_name)
            yield module_name, name, home


@pytest.mark.parametrize(("module", "name", "home"), sorted(set(public_objects())))
def test_every_public_object_is_documented(page, module, name, home):
    """Documented under the module that exports it or the one that defines it."""
    wanted = {f"{module}.{name}", f"{home}.{name}"}
    assert wanted & {tag["id"] for tag in page.select("dt[id]")}, (
        f"{module}.{name} is public but not on the API page (book/api.md)"
    )


def test_no_formula_is_left_as_raw_text(page):
    article = page.find("article")
    for pre in article.select("pre"):  # code may show anything
        pre.decompose()
    text = article.get_text()
    assert ":math:" not in text
    assert not CONTROL.search(text), repr(CONTROL.search(text))
    assert "\t" not in text


def test_formulas_are_typeset_as_math(page):
    math = page.select("article span.math, article div.math")
    assert len(math) > 100
    for node in math:
        assert not CONTROL.search(node.get_text()), node.get_text()
