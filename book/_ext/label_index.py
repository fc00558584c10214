"""The index of every label in the book, rebuilt from the chapter sources at every build.

Before Sphinx reads any page, this extension scans the pages of ``_toc.yml`` for labels
and writes a Markdown index to ``_build/generated/label-index.md``, which the *How to
cite* page includes. The file is rewritten only when the index changes; Sphinx then sees
that the included file changed and reads the citing page again, so the index can never
lag behind the chapters.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

# Label syntax in the MyST sources, by kind, and the role that links to a label.
LABEL_PATTERNS = {
    "section": re.compile(r"^\(([a-z0-9-]+)\)=\s*$", re.M),
    "figure": re.compile(r"^:\s*name: (fig-[a-z0-9-]+)\s*$", re.M),
    "table": re.compile(r"^:name: (tbl-[a-z0-9-]+)\s*$", re.M),
    "equation": re.compile(r"^\$\$ \((eq-[a-z0-9-]+)\)\s*$", re.M),
    "algorithm": re.compile(r"^:label: (alg-[a-z0-9-]+)\s*$", re.M),
    "exercise": re.compile(r"^:label: (ex-[a-z0-9-]+)\s*$", re.M),
}
ROLES = {
    "section": "{{numref}}`{}`",
    "figure": "{{numref}}`{}`",
    "table": "{{numref}}`{}`",
    "equation": "{{eq}}`{}`",
    "algorithm": "{{prf:ref}}`{}`",
    "exercise": "{{ref}}`{}`",
}
TITLE = re.compile(r"^# (.+)$", re.M)


def toc_pages(root: Path) -> list[tuple[str, bool]]:
    """``(docname, numbered)`` for every page of the table of contents, in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages = [(toc["root"], False)]
    for part in toc["parts"]:
        pages += [(chapter["file"], bool(part.get("numbered"))) for chapter in part["chapters"]]
    return pages


def labels_in(text: str) -> list[tuple[str, str]]:
    """``(kind, label)`` pairs in the order they appear in a page's source."""
    found = [
        (match.start(), kind, match.group(1))
        for kind, pattern in LABEL_PATTERNS.items()
        for match in pattern.finditer(text)
    ]
    return [(kind, label) for _, kind, label in sorted(found)]


def label_index(root: Path) -> str:
    """One Markdown table per page that defines labels, shown on the website only."""
    tables, chapter = [], 0
    for docname, numbered in toc_pages(root):
        text = (root / f"{docname}.md").read_text(encoding="utf-8")
        chapter += numbered
        title = TITLE.search(text).group(1).replace("`", "")
        heading = f"Chapter {chapter}. {title}" if numbered else title
        # Sections of unnumbered pages (preface, back matter) are linked by their title.
        roles = ROLES if numbered else ROLES | {"section": "{{ref}}`{}`"}
        rows = [
            f"| `{label}` | {kind} | {roles[kind].format(label)} |"
            for kind, label in labels_in(text)
        ]
        tables.append(
            "\n".join(
                [f"**{heading}**", "", "| label | kind | target |", "| --- | --- | --- |", *rows]
            )
        )
    return "```{only} html\n" + "\n\n".join(tables) + "\n```\n"


def write_label_index(app):
    root = Path(app.srcdir)
    target = Path(app.outdir).parent / "generated" / "label-index.md"
    text = label_index(root)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def setup(app):
    app.connect("builder-inited", write_label_index)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
