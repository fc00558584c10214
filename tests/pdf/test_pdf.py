"""The PDF (`make pdf`, xelatex): every chapter, section, figure and equation carries the
same number as in the HTML, references resolve, and the Korean glossary is typeset.

The text is read back with poppler's pdftotext (Debian's poppler-utils; .ci/run installs it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache

import pytest
from bs4 import BeautifulSoup

from book_facts import HTML, PDF, chapter_pages

pytestmark = pytest.mark.pdf


@cache
def pdf_text() -> str:
    if not PDF.exists():
        pytest.fail("No PDF: run `make pdf` (or `make test`, which builds it).")
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is missing: apt-get install poppler-utils (.ci/run does).")
    text = subprocess.run(
        ["pdftotext", "-layout", str(PDF), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"[ \t]+", " ", text)


def html_numbers(page, selector: str) -> list[str]:
    html = BeautifulSoup(page.html.read_text(encoding="utf-8"), "html.parser")
    in_article = ", ".join(f"article {part.strip()}" for part in selector.split(","))
    return [tag.get_text(" ", strip=True) for tag in html.select(in_article)]


def test_the_site_serves_the_same_pdf():
    assert (HTML / "descent.pdf").read_bytes() == PDF.read_bytes()


@pytest.mark.parametrize("page", chapter_pages(), ids=[p.name for p in chapter_pages()])
def test_sections_have_the_html_numbers(page):
    text = pdf_text()
    headings = html_numbers(page, "h1, h2")
    assert headings
    for heading in headings:
        number, title = re.match(r"([\d.]+?)\.? (.*?)\s*#?$", heading).groups()
        words = re.escape(title.split()[0])
        assert re.search(rf"\b{re.escape(number)}\.? +{words}", text), heading


@pytest.mark.parametrize("page", chapter_pages(), ids=[p.name for p in chapter_pages()])
def test_figures_and_equations_have_the_html_numbers(page):
    text = pdf_text()
    for caption in html_numbers(page, "figcaption .caption-number"):
        number = re.search(r"\d+\.\d+", caption).group()
        assert f"Fig. {number}:" in text, caption
    for label in html_numbers(page, "span.eqno"):
        number = re.search(r"\d+\.\d+", label).group()
        assert f"({number})" in text, label


def test_no_unresolved_references():
    assert "??" not in pdf_text()


def test_the_korean_glossary_is_typeset_in_a_korean_font():
    assert "경사 하강법" in pdf_text()
    fonts = subprocess.run(
        ["pdffonts", str(PDF)], capture_output=True, text=True, check=True
    ).stdout
    assert "Nanum" in fonts
