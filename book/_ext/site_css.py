"""One stylesheet for the whole site, holding only the rules its pages can use.

A page of the book used to ask for thirteen stylesheets before its first paint: the
theme's (400 KB, most of it Bootstrap and Font Awesome rules that no page uses), Sphinx's,
one per extension, KaTeX's and the book's own. On a phone on a slow network each request
costs a round trip and every byte holds up the first paint. This extension

- links one stylesheet, ``_static/descent-site.css``, from every page in their place
  (``_templates/layout.html``), which the browser then keeps for the next page;
- writes it when the build has finished: every stylesheet the pages ask for, in the order
  they ask for them, with ``@import`` inlined and each ``url()`` rebased, and without the
  rules of the third-party stylesheets that need a class or an id found neither on any
  page nor in any of the site's scripts (which add classes while the reader uses a page).

The book's own stylesheets are kept whole. What is dropped is decided by name, as
PurgeCSS does: a selector stays if every class and id it names outside a functional
pseudo-class (``:not(.x)``, ``:is(...)``) occurs somewhere on the site.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import tinycss2

BUNDLE = "_static/descent-site.css"
# What the theme's head_pre_assets() macro links, before Sphinx's own stylesheets.
THEME_SHEETS = ("_static/styles/theme.css", "_static/styles/pydata-sphinx-theme.css")
KEPT_WHOLE = {"_static/descent.css", "_static/icons.css"}
# Scripts whose words do not name classes: the icon font's script (the book draws its
# icons with icons.css), the search index and the MathJax fallback.
NOT_SCANNED = re.compile(r"fontawesome|searchindex|/mathjax/")
# Classes a script composes from parts: Bootstrap's `bs-${name}-auto` on tooltips.
COMPOSED = re.compile(r"^bs-(?:tooltip|popover)-")
NAME_IN_HTML = re.compile(r'\b(?:class|id)="([^"]*)"')
WORD = re.compile(r"[A-Za-z_][\w-]*")
URL = re.compile(r"""url\(\s*(["']?)(.*?)\1\s*\)""")
GROUPING = {"media", "supports", "layer", "container"}


# -- which stylesheets -----------------------------------------------------------------


def merge(order: list[str], page: list[str]) -> None:
    """Add a page's stylesheets to ``order``, each new one right after its predecessor."""
    for i, name in enumerate(page):
        if name not in order:
            order.insert(order.index(page[i - 1]) + 1 if i else 0, name)


def link_site_stylesheet(app, pagename, templatename, context, doctree):
    sheets = sorted(context.get("css_files", []), key=lambda css: css.priority)
    local = [css.filename for css in sheets if "://" not in css.filename]
    # Every page asks for the same stylesheets (the search and index pages, which Sphinx
    # writes last and in this process, included), so the order is known after any page.
    order = app.builder.__dict__.setdefault("descent_stylesheets", [])
    merge(order, [*THEME_SHEETS, *local])
    context["css_files"] = [css for css in sheets if "://" in css.filename]
    context["descent_stylesheet"] = BUNDLE


# -- which names the site uses ----------------------------------------------------------


def names_in_use(outdir: Path) -> set[str]:
    """Every class and id on the pages, and every word in the site's scripts."""
    names = set()
    for path in outdir.rglob("*.html"):
        if "_sources" in path.parts:
            continue
        for value in NAME_IN_HTML.findall(path.read_text(encoding="utf-8", errors="replace")):
            names.update(value.split())
    for path in (outdir / "_static").rglob("*.js"):
        if not NOT_SCANNED.search(path.as_posix()):
            names.update(WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


# -- purging ----------------------------------------------------------------------------


def split_selectors(prelude) -> list[list]:
    selectors = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append([])
        else:
            selectors[-1].append(token)
    return selectors


def names_needed(selector) -> list[str]:
    """The classes and ids a selector names, leaving out functional pseudo-classes."""
    names = []
    for before, token in zip([None, *selector], selector, strict=False):
        after_dot = token.type == "ident" and getattr(before, "value", None) == "."
        if token.type == "hash" or after_dot:
            names.append(token.value)
    return names


def selector_used(selector, names: set[str]) -> bool:
    return all(name in names or COMPOSED.match(name) for name in names_needed(selector))


def purge(rule, names: set[str]) -> str | None:
    """The part of a rule that a page can use, as text; None when there is none."""
    if rule.type == "qualified-rule":
        used = [s for s in split_selectors(rule.prelude) if selector_used(s, names)]
        if not used:
            return None
        selector = ",".join(tinycss2.serialize(s).strip() for s in used)
        return f"{selector}{{{tinycss2.serialize(rule.content).strip()}}}"
    if rule.type == "at-rule" and rule.lower_at_keyword in GROUPING and rule.content:
        inner = [purge(r, names) for r in parse_rules(rule.content)]
        inner = [text for text in inner if text]
        if not inner:
            return None
        return f"@{rule.lower_at_keyword}{tinycss2.serialize(rule.prelude)}{{{''.join(inner)}}}"
    return rule.serialize()


def parse_rules(tokens_or_text):
    return tinycss2.parse_rule_list(tokens_or_text, skip_whitespace=True)


def kind_of(rule) -> str:
    return rule.lower_at_keyword.removeprefix("-webkit-") if rule.type == "at-rule" else "style"


def declared_name(kind: str, text: str) -> str:
    """A @font-face's family or a @keyframes' name."""
    if kind == "keyframes":
        return text.split("{", 1)[0].split(None, 1)[-1].strip()
    match = re.search(r"font-family\s*:\s*([^;}]+)", text)
    return match.group(1).strip().strip("\"'") if match else ""


def drop_unreferenced(kept: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Fonts and animations that no kept rule refers to."""
    declared = {"font-face", "keyframes"}
    text = "".join(t for kind, t in kept if kind not in declared)
    return [(kind, t) for kind, t in kept if kind not in declared or declared_name(kind, t) in text]


# -- reading and rebasing ---------------------------------------------------------------


def rebase(text: str, directory: str) -> str:
    """``url()``s written relative to ``directory`` (inside _static) made relative to _static."""

    def rewrite(match):
        url = match.group(2)
        if not directory or url.startswith(("data:", "#", "/")) or "://" in url:
            return match.group(0)
        return f'url("{posixpath.normpath(posixpath.join(directory, url))}")'

    return URL.sub(rewrite, text)


def sheet_rules(static: Path, name: str):
    """A stylesheet's rules with the directory their urls are relative to; @import inlined."""
    directory = posixpath.dirname(name)
    text = (static / name).read_text(encoding="utf-8")
    for rule in tinycss2.parse_stylesheet(text, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            imported = next(t.value for t in rule.prelude if t.type in {"string", "url"})
            yield from sheet_rules(static, posixpath.normpath(posixpath.join(directory, imported)))
        elif rule.type == "comment":
            if rule.value.startswith("!"):  # a licence, which minifiers keep too
                yield directory, rule
        elif not (rule.type == "at-rule" and rule.lower_at_keyword == "charset"):
            yield directory, rule


def site_stylesheet(outdir: Path, sheets: list[str], purge_unused: bool = True) -> str:
    """The stylesheets ``sheets`` (paths from the site's root) as one."""
    static = outdir / "_static"
    names = names_in_use(outdir) if purge_unused else None
    kept = []
    for sheet in sheets:
        whole = names is None or sheet in KEPT_WHOLE
        for directory, rule in sheet_rules(static, sheet.removeprefix("_static/")):
            text = rule.serialize() if whole or rule.type == "comment" else purge(rule, names)
            if text:
                kept.append((kind_of(rule), rebase(text, directory)))
    header = (
        '@charset "UTF-8";\n/* Made by book/_ext/site_css.py from '
        + ", ".join(sheets)
        + ": the rules that the site's pages and scripts can use. */\n"
    )
    return header + "\n".join(text for _, text in drop_unreferenced(kept)) + "\n"


def write_site_stylesheet(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    sheets = app.builder.__dict__.get("descent_stylesheets")
    if not sheets:
        return
    outdir = Path(app.outdir)
    (outdir / BUNDLE).write_text(site_stylesheet(outdir, sheets), encoding="utf-8")


def setup(app):
    app.connect("html-page-context", link_site_stylesheet, priority=950)
    # After the extensions that write stylesheets or scripts when the build finishes.
    app.connect("build-finished", write_site_stylesheet, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
