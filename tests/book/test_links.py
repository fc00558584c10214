"""Links: every internal link and anchor resolves, and every label is in objects.inv.

Other Sphinx projects link to this book with intersphinx, which reads objects.inv; a
label that is not in it cannot be cited that way.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from sphinx.util.inventory import InventoryFile

from book_facts import HTML, chapter_pages, labels, pages

pytestmark = pytest.mark.book


@pytest.fixture(scope="module", autouse=True)
def built_book():
    if not (HTML / "index.html").exists():
        pytest.fail("The book is not built: run `make book` (or `make test`, which builds it).")


def test_the_site_has_pages():
    # The parametrized tests below have no cases at all when the book is not built.
    assert SITE_PAGES


SITE_PAGES = sorted(
    path
    for path in HTML.rglob("*.html")
    if "_sources" not in path.parts and "_static" not in path.parts
)


@cache
def anchors(path: Path) -> frozenset[str]:
    html = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return frozenset(tag["id"] for tag in html.find_all(id=True))


def internal_links(path: Path):
    html = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in html.find_all(["a", "link", "img", "script"]):
        target = tag.get("href") or tag.get("src")
        if not target or urlsplit(target).scheme or target.startswith(("//", "mailto:")):
            continue
        yield target


def resolves(page: Path, target: str) -> bool:
    """Whether a relative link on ``page`` points at an existing file (and anchor)."""
    parts = urlsplit(target)
    file = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    if not file.exists():
        return False
    if parts.fragment and file.suffix == ".html":
        return unquote(parts.fragment) in anchors(file)
    return True


@pytest.mark.parametrize("path", SITE_PAGES, ids=[str(p.relative_to(HTML)) for p in SITE_PAGES])
def test_every_internal_link_and_anchor_resolves(path):
    broken = [target for target in internal_links(path) if not resolves(path, target)]
    assert not broken, broken


def test_the_pdf_is_linked_from_the_site():
    preface = HTML / "book" / "index.html"
    assert "../descent.pdf" in set(internal_links(preface))


@cache
def inventory() -> dict:
    with (HTML / "objects.inv").open("rb") as stream:
        return InventoryFile.load(stream, "", lambda base, uri: uri)


@pytest.mark.parametrize("page", chapter_pages(), ids=[p.name for p in chapter_pages()])
def test_every_label_of_a_chapter_resolves_in_objects_inv(page):
    targets = inventory()["std:label"]
    found = labels(page)
    # Equations and algorithms have their own Sphinx domains, which publish no inventory;
    # their anchors are checked below.
    for label in found["section"] + found["figure"] + found["table"] + found["exercise"]:
        assert label in targets, f"{label} is not in objects.inv"
        uri = targets[label][2]
        assert uri.split("#")[0] == f"{page.docname}.html"
        fragment = uri.split("#")[1] if "#" in uri else ""
        assert not fragment or fragment in anchors(HTML / uri.split("#")[0])


@pytest.mark.parametrize("page", chapter_pages(), ids=[p.name for p in chapter_pages()])
def test_every_equation_and_algorithm_label_has_a_stable_anchor(page):
    for label in labels(page)["equation"]:
        assert f"equation-{label}" in anchors(page.html), label
    for label in labels(page)["algorithm"]:
        assert label in anchors(page.html), label


def test_front_and_back_matter_labels_resolve():
    targets = inventory()["std:label"]
    for page in pages():
        for label in labels(page)["section"]:
            assert label in targets, label
