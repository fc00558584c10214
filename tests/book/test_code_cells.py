"""What a reader sees of a chapter's code: the experiment, not the book-keeping.

Read from the chapter sources: a code cell's tags decide whether the page shows it.
"""

from __future__ import annotations

import re

import pytest

from book_facts import Page, notebook_pages

CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(?P<body>.*?)^```$", re.M | re.S)
HIDDEN = ("remove-cell", "remove-input")


def code_cells(page: Page) -> list[tuple[list[str], str]]:
    """(tags, code) of every code cell, in order."""
    cells = []
    for match in CELL.finditer(page.text):
        body = match["body"]
        tags = re.search(r"^:tags: \[(.*)\]$", body, re.M)
        names = [tag.strip() for tag in tags[1].split(",")] if tags else []
        cells.append((names, body))
    return cells


@pytest.mark.parametrize("page", notebook_pages(), ids=[p.name for p in notebook_pages()])
def test_no_visible_code_cell_calls_glue(page):
    visible = [code for tags, code in code_cells(page) if not any(tag in HIDDEN for tag in tags)]
    calls = [line for code in visible for line in code.splitlines() if re.search(r"\bglue", line)]
    assert not calls, f"{page.name}: glue in cells the reader sees: {calls}"
