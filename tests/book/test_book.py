"""The built book: every page there, every chapter complete, every number glued, no errors.

These tests read what `make book` wrote to _build/ (the HTML and the executed notebooks);
`make test` builds the book before it runs them. Where a check can be made on the
executed notebook rather than on the HTML, it is.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from book_facts import (
    HTML,
    OPTIMIZER_CHAPTERS,
    Page,
    built_glue,
    chapter_pages,
    glue_keys_used,
    labels,
    notebook_pages,
    page,
    pages,
    read_notebook,
)

pytestmark = pytest.mark.book

PLACEHOLDERS = re.compile(r"\b(TODO|TBD|FIXME|XXX|lorem ipsum|coming soon)\b", re.I)


@pytest.fixture(scope="module", autouse=True)
def built_book():
    if not (HTML / "index.html").exists():
        pytest.fail("The book is not built: run `make book` (or `make test`, which builds it).")


def soup(page: Page) -> BeautifulSoup:
    return BeautifulSoup(page.html.read_text(encoding="utf-8"), "html.parser")


def article(page: Page) -> BeautifulSoup:
    """The page's own content, without the theme's navigation."""
    return soup(page).find("article")


def ids(items):
    return [item.name for item in items]


@pytest.mark.parametrize("page", pages(), ids=ids(pages()))
def test_every_page_of_the_toc_is_built(page):
    assert page.html.exists(), f"{page.docname}.html missing"


@pytest.mark.parametrize("page", pages(), ids=ids(pages()))
def test_no_page_shows_an_error_or_a_stderr_stream(page):
    content = article(page)
    assert not content.select(".output.stderr, .output.error, .output.traceback")
    assert "Traceback (most recent call last)" not in content.get_text()


@pytest.mark.parametrize("page", pages(), ids=ids(pages()))
def test_no_placeholder_text(page):
    assert not PLACEHOLDERS.search(article(page).get_text(" "))


@pytest.mark.parametrize("page", notebook_pages(), ids=ids(notebook_pages()))
def test_executed_notebook_has_no_error_and_no_stderr(page):
    notebook = read_notebook(page.executed)
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", cell["source"][:200]
            assert output.get("name") != "stderr", (cell["source"][:200], output.get("text"))


@pytest.mark.parametrize("page", notebook_pages(), ids=ids(notebook_pages()))
def test_printed_output_is_shown_as_printed(page):
    # The kernel sends a cell's prints in chunks cut at arbitrary places; the page must
    # show them joined character for character (book/_ext/exact_streams.py), with no
    # blank line where a chunk boundary fell.
    shown = {pre.get_text().strip() for pre in article(page).select(".output.stream pre")}
    for cell in read_notebook(page.executed)["cells"]:
        printed = "".join(
            "".join(output["text"])
            for output in cell.get("outputs", [])
            if output.get("name") == "stdout"
        )
        if printed:
            assert printed.strip() in shown, printed[:300]


@pytest.mark.parametrize("page", chapter_pages(), ids=ids(chapter_pages()))
def test_chapter_has_labelled_sections_summary_and_exercises(page):
    found = labels(page)
    sections = found["section"]
    assert sections[0] == page.name, "a chapter starts with its own label"
    assert all(label.startswith(f"{page.name}-") for label in sections[1:]), sections
    assert len(sections) - 1 >= 4, "at least four labelled sections to cite"
    assert {f"{page.name}-summary", f"{page.name}-exercises"} <= set(sections)
    for kind, prefix in [
        ("figure", "fig"),
        ("equation", "eq"),
        ("exercise", "ex"),
        ("algorithm", "alg"),
        ("table", "tbl"),
    ]:
        for label in found[kind]:
            assert label.startswith(f"{prefix}-{page.name}"), label


@pytest.mark.parametrize("page", chapter_pages(), ids=ids(chapter_pages()))
def test_chapter_figures_are_numbered_captioned_and_described(page):
    figures = article(page).find_all("figure")
    assert len(figures) >= 2
    assert len(figures) == len(labels(page)["figure"])
    chapter_number = chapter_pages().index(page) + 1
    for figure in figures:
        number = figure.select_one(".caption-number").get_text(strip=True)
        assert re.fullmatch(rf"Fig\. {chapter_number}\.\d+", number), number
        caption = figure.find("figcaption").get_text(" ", strip=True)
        assert len(caption) > len(number) + 20, f"caption too short: {caption!r}"
        # A caption line that starts with "+ " or "1. " turns into a list, and the math
        # around it into raw "$...$" text.
        assert not figure.find("figcaption").find(["ul", "ol"]), caption
        assert "$" not in caption, f"math left as text: {caption!r}"
        if figure.select_one(".descent-explorer"):
            continue  # drawn in the browser, with its own text alternative (tests/site)
        image = figure.find("img")
        assert image is not None, figure.get("id")
        assert len(image.get("alt", "")) > 20, f"{figure.get('id')}: alt text too short"
        assert (page.html.parent / image["src"]).exists(), image["src"]


@pytest.mark.parametrize("page", pages(), ids=ids(pages()))
def test_every_image_in_the_content_has_alt_text(page):
    for image in article(page).find_all("img"):
        assert image.get("alt", "").strip(), image


@pytest.mark.parametrize("name", OPTIMIZER_CHAPTERS)
def test_optimizer_chapter_has_algorithm_box_and_the_tested_class(name):
    chapter = page(name)
    content = article(chapter)
    assert content.select("div.proof.algorithm"), "a prf:algorithm box"
    assert re.search(r":pyobject: [A-Z]", chapter.text), "the class shown with literalinclude"
    code = content.get_text()
    assert re.search(r"class \w+\((Optimizer|Adam)\):", code), "the included class is on the page"
    assert "def _step(self, theta, g, state):" in code


@pytest.mark.parametrize("page", chapter_pages(), ids=ids(chapter_pages()))
def test_exercises_have_folded_solutions(page):
    content = article(page)
    exercises = content.select("div.exercise")
    solutions = content.select("div.solution")
    assert len(exercises) >= 3
    assert len(solutions) == len(exercises)
    assert all("dropdown" in solution["class"] for solution in solutions)


@pytest.mark.parametrize("page", notebook_pages(), ids=ids(notebook_pages()))
def test_every_glued_number_in_the_prose_comes_from_the_executed_notebook(page):
    used = glue_keys_used(page)
    glued = built_glue(page)
    missing = sorted(set(used) - set(glued))
    assert not missing, f"glue roles without a glue() call: {missing}"
    assert all(glued[key] not in (None, "", "nan") for key in used)
    pasted = article(page).select("span.pasted-text")
    assert len(pasted) == len(used), "every {glue:text} role rendered"
    assert all(span.get_text(strip=True) for span in pasted), "no empty glued number"


@pytest.mark.parametrize("page", chapter_pages(), ids=ids(chapter_pages()))
def test_chapter_quotes_numbers_through_glue(page):
    assert len(glue_keys_used(page)) >= 5


@pytest.mark.parametrize("page", chapter_pages(), ids=ids(chapter_pages()))
def test_chapters_are_numbered_in_toc_order(page):
    number = article(page).select_one("h1 .section-number").get_text(strip=True)
    assert number == f"{chapter_pages().index(page) + 1}.", number


@pytest.mark.parametrize("page", notebook_pages(), ids=ids(notebook_pages()))
def test_chapter_offers_its_source_and_executed_notebook(page):
    links = {a["href"] for a in soup(page).find_all("a", href=True)}
    for suffix in (".md", ".ipynb"):
        href = f"../_sources/{page.docname}{suffix}"
        assert href in links, f"no download link {href}"
        assert (page.html.parent / href).exists()
    downloaded = read_notebook(HTML / "_sources" / f"{page.docname}.ipynb")
    assert any(cell.get("outputs") for cell in downloaded["cells"]), "the .ipynb is executed"


BINDER = "https://mybinder.org/v2/gh/descent-book/descent/main?urlpath=lab/tree/"


def test_binder_link_of_the_sgd_chapter_is_exact():
    links = [a["href"] for a in soup(page("sgd")).find_all("a", href=True)]
    assert (
        "https://mybinder.org/v2/gh/descent-book/descent/main?urlpath=lab/tree/book/sgd.md"
    ) in links


@pytest.mark.parametrize("page", notebook_pages(), ids=ids(notebook_pages()))
def test_every_notebook_page_launches_its_own_file_on_binder(page):
    binder = [
        a["href"]
        for a in soup(page).find_all("a", href=True)
        if a["href"].startswith("https://mybinder.org")
    ]
    assert binder == [f"{BINDER}{page.docname}.md"]
    assert page.source.exists()
