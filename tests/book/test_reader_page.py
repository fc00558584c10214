"""The built pages, as a reader and an instructor meet them (book/_ext/reader_page.py,
katex_math.py, cover.py): stable anchors, a light head, figures that keep their place,
the PDF in the download menu, a landing page and a titled site root.

These read the HTML that `make book` wrote; tests/site checks the same pages in a browser.
"""

from __future__ import annotations

import json
import re
from functools import cache
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from book_facts import HTML, chapter_pages, labels, page, pages

pytestmark = pytest.mark.book

ALL = pages()
IDS = [p.name for p in ALL]
SITE_CSS = (HTML / "_static" / "descent-site.css").resolve()


@pytest.fixture(scope="module", autouse=True)
def built_book():
    if not (HTML / "index.html").exists():
        pytest.fail("The book is not built: run `make book` (or `make test`, which builds it).")


@cache
def soup(path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# -- anchors ------------------------------------------------------------------------------


@pytest.mark.parametrize("book_page", ALL, ids=IDS)
def test_a_labelled_heading_links_to_its_label_and_keeps_its_old_anchor(book_page):
    html = soup(book_page.html)
    for label in labels(book_page)["section"]:
        section = html.find(id=label)
        assert section is not None, label
        assert section.name == "section", f"#{label} is not the section's own id"
        heading = section.find(re.compile(r"h[1-6]"))
        link = heading.find("a", class_="headerlink")
        if heading.name != "h1":  # the page title has no "#" link
            assert link is not None, label
            assert link["href"] == f"#{label}", (label, link["href"])
        # The title-derived id stays as a second anchor, for links made before.
        old = section.find("span", id=True, recursive=False)
        assert old is not None, f"{label}: no anchor from the title"


@pytest.mark.parametrize("book_page", chapter_pages(), ids=[p.name for p in chapter_pages()])
def test_an_equation_links_to_its_label_and_keeps_its_old_anchor(book_page):
    html = soup(book_page.html)
    for label in labels(book_page)["equation"]:
        block = html.find(id=label)
        assert block is not None, label
        assert "math" in block["class"], label
        assert block.find(id=f"equation-{label}") is not None, label
        link = block.find("a", class_="headerlink")
        assert link["href"] == f"#{label}", label


@pytest.mark.parametrize("book_page", chapter_pages(), ids=[p.name for p in chapter_pages()])
def test_figures_tables_algorithms_and_exercises_are_anchored_by_their_labels(book_page):
    html = soup(book_page.html)
    found = labels(book_page)
    for label in found["figure"] + found["table"] + found["algorithm"] + found["exercise"]:
        assert html.find(id=label) is not None, label


def test_the_cite_page_gives_label_links():
    text = soup(page("cite").html).get_text(" ")
    assert "#eq-sgd-stability" in text
    assert "keep working" in text


# -- the head -----------------------------------------------------------------------------


def head_scripts(path):
    return [s for s in soup(path).head.find_all("script") if s.get("src")]


@pytest.mark.parametrize("book_page", ALL, ids=IDS)
def test_no_script_blocks_the_first_paint(book_page):
    for script in head_scripts(book_page.html):
        assert script.has_attr("defer") or script.has_attr("async"), script["src"]
        assert "searchindex" not in script["src"], "the search index loads on the search page"
        assert "fontawesome" not in script["src"], "one icon set: the theme's font"


@pytest.mark.parametrize("book_page", ALL, ids=IDS)
def test_math_is_rendered_at_build_time(book_page):
    html = soup(book_page.html)
    maths = html.select("article span.math, article div.math")
    assert all(m.select_one(".katex") for m in maths), "formula left for the browser"
    assert not html.select(".katex-error")
    assert not any("mathjax" in s["src"] for s in head_scripts(book_page.html))
    preloaded = html.find_all("link", attrs={"rel": "preload", "as": "font"})
    assert bool(preloaded) == bool(maths), "KaTeX's fonts are fetched early where there is math"


@pytest.mark.parametrize("book_page", ALL, ids=IDS)
def test_one_stylesheet_the_sites(book_page):
    html = soup(book_page.html)
    stylesheets = [link["href"] for link in html.find_all("link", rel="stylesheet")]
    assert [href.rsplit("/", 1)[-1] for href in stylesheets] == ["descent-site.css"]
    assert (book_page.html.parent / stylesheets[0]).resolve() == SITE_CSS


def test_the_sites_stylesheet_holds_katex_and_everything_it_points_at_is_served():
    css = SITE_CSS.read_text(encoding="utf-8")
    assert ".katex{" in css
    assert ".descent-explorer" in css
    urls = [u for _, u in re.findall(r"""url\((["']?)(.*?)\1\)""", css)]
    urls = [u for u in urls if not u.startswith("data:")]
    fonts = [u for u in urls if "/fonts/KaTeX_" in u]
    assert fonts
    assert all(font.endswith(".woff2") for font in fonts)
    assert all((SITE_CSS.parent / u).exists() for u in urls), "a url() that the site lacks"


@pytest.mark.parametrize("book_page", ALL, ids=IDS)
def test_title_description_and_open_graph(book_page):
    html = soup(book_page.html)
    title = html.title.get_text()
    assert title.count("Descent") == 1 or book_page.name == "index", title
    description = html.find("meta", attrs={"name": "description"})["content"]
    assert len(description) >= 60
    assert "\\" not in description, description
    assert "$" not in description, description
    for prop in ("og:title", "og:description", "og:url", "og:image", "og:type"):
        assert html.find("meta", property=prop)["content"], prop
    assert (HTML / "_static" / "descent-card.png").exists()


def test_the_landing_page_title_is_the_books_name_and_subject():
    title = soup(page("index").html).title.get_text()
    assert title.startswith("Descent: ")
    assert "—" not in title


# -- figures and tables -------------------------------------------------------------------


@pytest.mark.parametrize("book_page", ALL, ids=IDS)
def test_figures_have_their_size_load_lazily_and_open_at_full_size(book_page):
    images = [
        image
        for image in soup(book_page.html).select("article img")
        if "_images/" in image.get("src", "")
    ]
    for image in images:
        assert image.get("width"), image["src"]
        assert image.get("height"), image["src"]
        assert image.get("loading") == "lazy", image["src"]
        link = image.find_parent("a")
        assert link is not None, f"{image['src']} does not open at full size"
        assert link["href"] == image["src"] or "descent-zoom" not in link.get("class", [])


BREAKABLE = re.compile(r"\d[eE][-−+]\d|(?<![\w.])[-−]\d")


@pytest.mark.parametrize("book_page", ALL, ids=IDS)
def test_numbers_in_tables_stay_whole(book_page):
    for cell in soup(book_page.html).select("article td"):
        for text in cell.find_all(string=BREAKABLE):
            assert text.find_parent("span", class_="descent-number") or not BREAKABLE.search(
                str(text)
            ), f"{text!r} may break across lines"


# -- the download menu, the landing page, the site root ------------------------------------


@pytest.mark.parametrize("book_page", [p for p in ALL if p.name != "index"], ids=IDS[1:])
def test_the_download_menu_has_the_book_pdf_and_print_this_page(book_page):
    menu = soup(book_page.html).select_one(".dropdown-download-buttons")
    assert menu is not None
    items = {item.get_text(" ", strip=True): item for item in menu.select(".dropdown-item")}
    assert "PDF of the book" in items, list(items)
    assert "Print this page" in items, list(items)
    assert ".pdf" not in items, "the print item says what it does"
    href = items["PDF of the book"]["href"]
    if not urlsplit(href).scheme:
        assert (book_page.html.parent / href).resolve().exists(), href


def test_the_landing_page_starts_reading_and_has_a_card_per_chapter():
    html = soup(page("index").html)
    start = html.find("a", string="Start reading")
    assert start["href"] == f"{chapter_pages()[0].name}.html"
    cards = {a["href"] for a in html.select(".descent-chapters a[href]")}
    for chapter in chapter_pages():
        assert f"{chapter.name}.html" in cards, f"no card for {chapter.name}"
    picture = html.select_one(".descent-hero-picture img")
    assert picture["width"]
    assert picture["height"]
    assert len(picture["alt"]) > 40
    assert (page("index").html.parent / picture["src"]).exists()


def test_the_site_root_is_a_titled_page_that_forwards_to_the_book():
    html = soup(HTML / "index.html")
    assert html.title.get_text().startswith("Descent")
    refresh = html.find("meta", attrs={"http-equiv": "refresh"})
    target = refresh["content"].split("url=")[1]
    assert (HTML / target).exists()
    assert html.find("a", href=target)
    assert html.find("meta", attrs={"name": "description"})


def test_search_results_name_sections_without_latex():
    script = (HTML / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(script[len("Search.setIndex(") : script.rstrip().rindex(")")])
    titles = [*index["titles"], *index["alltitles"]]
    assert titles
    assert not [title for title in titles if "\\" in title or "$" in title]
