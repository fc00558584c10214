"""What the tests of the built book need to know about the book: paths, chapters, labels.

Everything here is read from the repository itself (``_toc.yml``, ``_config.yml``, the
chapter sources), so the tests follow the book when it changes.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from label_index import LABEL_PATTERNS, labels_in, toc_pages

ROOT = Path(__file__).resolve().parents[1]
# The build to test: `make book` writes _build/; DESCENT_BUILD points at another one.
BUILD = Path(os.environ.get("DESCENT_BUILD", ROOT / "_build"))
HTML = BUILD / "html"
EXECUTED = BUILD / "jupyter_execute"
PDF = BUILD / "latex" / "descent.pdf"
ARTIFACTS = ROOT / "tests" / "artifacts"  # screenshots the browser tests leave for people
AXE = ROOT / "tests" / "site" / "node_modules" / "axe-core" / "axe.min.js"

OPTIMIZER_CHAPTERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
"""Part II: each follows the optimizer arc (algorithm box, the class from the package, ...)."""


@dataclass(frozen=True)
class Page:
    """One page of the table of contents, e.g. ``book/sgd``."""

    docname: str

    @property
    def name(self) -> str:
        return self.docname.rsplit("/", 1)[-1]

    @property
    def source(self) -> Path:
        return ROOT / f"{self.docname}.md"

    @property
    def html(self) -> Path:
        return HTML / f"{self.docname}.html"

    @property
    def text(self) -> str:
        return self.source.read_text(encoding="utf-8")

    @property
    def is_notebook(self) -> bool:
        """A MyST notebook (executed at build time) rather than a plain page."""
        if not self.text.startswith("---\n"):
            return False
        front_matter = self.text.split("---\n", 2)[1]
        return "kernelspec" in yaml.safe_load(front_matter)

    @property
    def executed(self) -> Path:
        return EXECUTED / f"{self.docname}.ipynb"


@cache
def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


@cache
def pages() -> tuple[Page, ...]:
    """Every page in the table of contents, in reading order."""
    return tuple(Page(docname) for docname, _ in toc_pages(ROOT))


def notebook_pages() -> tuple[Page, ...]:
    return tuple(page for page in pages() if page.is_notebook)


def chapter_pages() -> tuple[Page, ...]:
    """The numbered chapters (Parts I to III): every notebook except the back matter."""
    return tuple(Page(docname) for docname, numbered in toc_pages(ROOT) if numbered)


def page(name: str) -> Page:
    return next(p for p in pages() if p.name == name)


def labels(page: Page) -> dict[str, list[str]]:
    """The labels a page defines, by kind (found as the cite page's index finds them)."""
    found = {kind: [] for kind in LABEL_PATTERNS}
    for kind, label in labels_in(page.text):
        found[kind].append(label)
    return found


GLUE_ROLE = re.compile(r"\{glue:text\}`([^`:]+)(?::[^`]*)?`")


def glue_keys_used(page: Page) -> list[str]:
    """Keys of ``{glue:text}`` roles in the prose, in order (with repeats)."""
    return GLUE_ROLE.findall(page.text)


def glued_values(notebook: dict) -> dict[str, str]:
    """``{key: text/plain}`` of every ``glue()`` call in a notebook executed by nbclient."""
    values = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if scrapbook:
                data = output["data"]
                values[scrapbook["name"]] = data.get(
                    f"{scrapbook['mime_prefix']}text/plain", data.get("text/plain")
                )
    return values


def built_glue(page: Page) -> dict[str, str]:
    """``{key: text/plain}`` of the glued values the book build stored for a page."""
    path = EXECUTED / f"{page.docname}.glue.json"
    if not path.exists():
        return {}
    stored = json.loads(path.read_text(encoding="utf-8"))
    return {key: output["data"].get("text/plain") for key, output in stored.items()}


def read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
