"""Every page of the site in headless Chromium, offline: it loads, its math is rendered,
its images load, it logs no errors, it asks for nothing outside the site, and axe-core
finds no serious or critical accessibility problem.

The build renders math to HTML with KaTeX (book/_ext/katex_math.py); where it could not
(no Node), the pages typeset it with MathJax in the browser, and these tests wait for that."""

from __future__ import annotations

import pytest

from book_facts import ARTIFACTS, AXE, pages

pytestmark = pytest.mark.browser

PATHS = [f"{page.docname}.html" for page in pages()] + ["search.html"]
SCREENSHOTS = {
    "book/index.html",
    "book/sgd.html",
    "book/adam.html",
    "book/race.html",
    "book/cite.html",
}

WAIT_FOR_MATHJAX = """async () => {
    if (!document.querySelector('.math')) return true;
    if (!document.querySelector('script[src*="mathjax"]')) return true;  // rendered at build time
    for (let i = 0; i < 100 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
        await new Promise(resolve => setTimeout(resolve, 100));
    await MathJax.startup.promise;
    return true;
}"""

MATH_STATE = """() => {
    const maths = [...document.querySelectorAll('span.math, div.math')];
    return {
        total: maths.length,
        typeset: maths.filter(m => m.querySelector('mjx-container, .katex')).length,
        errors: document.querySelectorAll('mjx-merror, .katex-error').length,
    };
}"""

IMAGES_LOADED = """async () => {
    const images = [...document.images];
    images.forEach(image => { image.loading = 'eager'; });
    const results = await Promise.all(images.map(image =>
        image.decode().then(() => null, () => image.getAttribute('src'))));
    return results.filter(src => src !== null);
}"""

AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""


@pytest.mark.parametrize("path", PATHS)
def test_page_works_offline(open_page, path):
    visit = open_page(path)
    page = visit.page
    page.evaluate(WAIT_FOR_MATHJAX)
    math = page.evaluate(MATH_STATE)
    broken_images = page.evaluate(IMAGES_LOADED)
    page.wait_for_load_state("networkidle")

    assert visit.external_requests == [], "the page asked for something outside the site"
    assert visit.failed_requests == []
    assert visit.console_errors == []
    assert math["typeset"] == math["total"], f"math not typeset: {math}"
    assert math["errors"] == 0, "MathJax or KaTeX reported a TeX error"
    assert broken_images == []

    if path in SCREENSHOTS:
        ARTIFACTS.mkdir(exist_ok=True)
        name = path.removeprefix("book/").removesuffix(".html")
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


@pytest.mark.parametrize("path", PATHS)
def test_no_serious_accessibility_violations(open_page, path):
    page = open_page(path).page
    page.evaluate(WAIT_FOR_MATHJAX)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_RUN)
    assert violations == []


@pytest.mark.parametrize("path", PATHS)
def test_every_figure_has_alt_text(open_page, path):
    page = open_page(path).page
    missing = page.evaluate(
        "() => [...document.querySelectorAll('article img, figure img')]"
        ".filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.src)"
    )
    assert missing == []


def test_solutions_are_folded_until_opened(open_page):
    page = open_page("book/sgd.html").page
    solution = page.locator("div.solution").first
    body = solution.locator("section, div.section, p").last
    assert not body.is_visible()
    solution.locator(".admonition-title, summary, button").first.click()
    assert body.is_visible()
