"""The reader's page in headless Chromium: it fits a phone, prints cleanly, opens figures at
full size, and the search page shows formulas as symbols, not LaTeX.

Screenshots of every page at phone and desktop size are left in tests/artifacts/ for
people to look at (tests/site/screenshots.py writes more of them on request).
"""

from __future__ import annotations

import pytest

from book_facts import pages

pytestmark = pytest.mark.browser

PATHS = [f"{page.docname}.html" for page in pages()] + ["search.html"]
PHONES = [320, 390]

# Elements that stick out of the page on the right, ignoring those inside a box that
# scrolls sideways by itself (a table, a code block, a wide formula).
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const scrollsItself = (element) => {
        for (let node = element.parentElement; node; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) return true;
        }
        return false;
    };
    const offenders = [];
    for (const element of document.querySelectorAll('body *')) {
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.right <= width + 1) continue;
        if (getComputedStyle(element).position === 'fixed') continue;
        if (scrollsItself(element)) continue;
        offenders.push(`${element.tagName.toLowerCase()}.${[...element.classList].join('.')}`
                       + ` right=${Math.round(box.right)}`);
    }
    return {scrollWidth: document.documentElement.scrollWidth, width,
            offenders: offenders.slice(0, 8)};
}"""


@pytest.mark.parametrize("width", PHONES)
@pytest.mark.parametrize("path", PATHS)
def test_no_sideways_scrolling_on_a_phone(open_page, path, width):
    visit = open_page(path, width=width, height=800)
    visit.page.wait_for_load_state("networkidle")
    result = visit.page.evaluate(OVERFLOW)
    assert result["scrollWidth"] <= result["width"], result
    assert result["offenders"] == [], result


def test_a_figure_opens_at_full_size_and_closes(open_page):
    page = open_page("book/sgd.html", width=390, height=844).page
    link = page.locator("a.descent-zoom").first
    link.scroll_into_view_if_needed()
    shown = link.locator("img").bounding_box()["width"]
    link.click()
    dialog = page.locator("dialog#descent-zoom")
    assert dialog.is_visible()
    large = dialog.locator("img")
    large.evaluate("(image) => image.decode()")
    assert large.bounding_box()["width"] >= 1.9 * shown, "the figure is shown larger"
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_print_wraps_code_and_hides_toggles(open_page):
    page = open_page("book/sgd.html").page
    page.emulate_media(media="print")
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('article pre')]
            .filter((pre) => pre.offsetParent && pre.scrollWidth > pre.clientWidth + 1)
            .map((pre) => pre.textContent.slice(0, 60))"""
    )
    assert clipped == [], "printed code runs past the right margin"
    visible_toggles = page.evaluate(
        """() => [...document.querySelectorAll('details.hide > summary')]
            .filter((summary) => summary.getClientRects().length > 0).length"""
    )
    assert visible_toggles == 0, '"Show code cell source" toggles are printed'


def test_search_results_show_formulas_as_symbols(open_page):
    page = open_page("search.html?q=bias+correction").page
    page.wait_for_selector("#search-results li p.context", timeout=30_000)
    summaries = page.locator("#search-results li p.context").all_text_contents()
    assert summaries
    for summary in summaries:
        for latex in ("\\(", "\\hat", "\\frac", "\\beta"):
            assert latex not in summary, summary


def test_the_download_menu_offers_the_book_pdf_and_printing(open_page):
    page = open_page("book/adam.html").page
    page.locator(".dropdown-download-buttons button.dropdown-toggle").click()
    book = page.get_by_role("link", name="PDF of the book")
    assert book.is_visible()
    href = book.get_attribute("href")
    assert href.endswith("descent.pdf")
    assert page.get_by_role("button", name="Print this page").is_visible()


@pytest.mark.parametrize("path", ["book/index.html", "book/adam.html"])
def test_no_icon_font_and_no_icon_script_is_loaded(browser, site_url, path):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{site_url}/{path}", wait_until="networkidle")
    context.close()
    assert not [url for url in requested if "fontawesome" in url], "one icon set: CSS masks"
    assert not [url for url in requested if "searchindex" in url], "the index is for searching"
