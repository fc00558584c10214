"""The reader's page: fast on a phone, links that never change, a PDF one click away.

What this extension changes in every HTML page, and why:

- **Anchors are labels.** A labelled section's first id, which its heading's "#" link and
  the tables of contents use, is its label (``#adam-bias-correction``); the id derived
  from its title stays on the page as a second anchor, so links made before still work.
  (Equations get the same treatment in ``katex_math.py``.)
- **Scripts never block the first paint.** Every script file is deferred; an inline
  script that needs one of them becomes a module, which runs in order after them.
- **Figures load when they are reached**, with their size known in advance (``width``,
  ``height``, ``loading="lazy"``) so nothing jumps, and each opens at full size when
  tapped (``_static/reader.js``); a number in a table never breaks across lines.
- **Title, description and Open Graph tags** for every page (``_templates/layout.html``),
  a landing picture drawn by ``descent`` itself, and a real page at the site's root.
- **The download menu** offers the book's PDF and names its print item "Print this page".
- **Explorers share one script.** Each explorer carries ``descent.js`` and ``explorer.js``
  inline so that it also runs in a notebook; on the site a page loads them once, as the
  deferred file ``_static/descent-explorer.js``.
"""

from __future__ import annotations

import html
import json
import re
import struct
from pathlib import Path

from docutils import nodes
from sphinx.builders.html._assets import _JavaScript
from sphinx.util import logging

from descent.book.explorer import page_script

logger = logging.getLogger(__name__)

SITE_DESCRIPTION = (
    "An executable textbook on neural-network optimizers: SGD, Momentum, AdaGrad, RMSProp "
    "and Adam, derived, coded in tested NumPy and run, every number and figure from code "
    "you can rerun."
)
LANDING_TITLE = "Descent: neural-network optimizers from SGD to Adam"
CARD_IMAGE = "_static/descent-card.png"  # 1200 × 630, for link previews
CARD_ALT = "Four optimizers descending the stretched bowl x²/20 + y², drawn by descent."


# -- anchors -------------------------------------------------------------------------


def labels_first(app, doctree):
    """Put a section's explicit label before its title-derived id."""
    document = doctree
    explicit = {
        document.nameids[name]
        for name, is_explicit in document.nametypes.items()
        if is_explicit and document.nameids.get(name)
    }
    for section in doctree.findall(nodes.section):
        ids = section["ids"]
        labels = [i for i in ids if i in explicit]
        if labels and ids[0] not in explicit:
            section["ids"] = labels + [i for i in ids if i not in labels]


# -- scripts -------------------------------------------------------------------------


def defer_scripts(app, pagename, templatename, context, doctree):
    if pagename == "search":
        return  # Sphinx's search scripts run as the page is read and need doctools.js first
    scripts = []
    for script in context.get("script_files", []):
        attributes = dict(script.attributes)
        if script.filename:
            if "async" not in attributes:
                attributes["defer"] = "defer"
        elif "DOCUMENTATION_OPTIONS" in attributes.get("body", ""):
            # documentation_options.js is deferred now; a module runs after it, in order.
            attributes["type"] = "module"
        scripts.append(_JavaScript(script.filename, priority=script.priority, **attributes))
    context["script_files"] = scripts


# -- title, description, preview ------------------------------------------------------


def first_sentence_paragraph(doctree) -> str | None:
    """The first paragraph of prose: no math, no code, long enough to describe the page."""
    for paragraph in doctree.findall(nodes.paragraph):
        if paragraph.next_node(nodes.math) or paragraph.next_node(nodes.literal):
            continue
        if any(isinstance(p, (nodes.table, nodes.admonition)) for p in _parents(paragraph)):
            continue
        text = " ".join(paragraph.astext().split())
        if len(text) >= 80:
            return text
    return None


def _parents(node):
    while node.parent is not None:
        node = node.parent
        yield node


def shorten(text: str, limit: int = 200) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def page_metadata(app, pagename, templatename, context, doctree):
    root = app.config.root_doc
    title = re.sub(r"<[^>]+>", "", context.get("title") or "")
    title = html.unescape(title).strip()
    project = app.config.project
    if pagename == root or not title:
        context["descent_title"] = LANDING_TITLE
        context["descent_og_title"] = LANDING_TITLE
        description = SITE_DESCRIPTION
    else:
        context["descent_title"] = f"{title} — {project}"
        context["descent_og_title"] = f"{title} — {project}"
        found = first_sentence_paragraph(doctree) if doctree is not None else None
        description = shorten(found) if found else SITE_DESCRIPTION
    context["descent_description"] = description
    base = (app.config.html_baseurl or "").rstrip("/")
    context["descent_page_url"] = f"{base}/{pagename}.html" if base else ""
    context["descent_image_url"] = f"{base}/{CARD_IMAGE}" if base else ""
    context["descent_image_alt"] = CARD_ALT


# -- figures and tables ---------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int] | None:
    with path.open("rb") as stream:
        head = stream.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


IMG = re.compile(r"<img\b([^>]*?)\s*/?>")
SRC = re.compile(r'\bsrc="([^"]+)"')
TD = re.compile(r"(<td\b[^>]*>)(.*?)(</td>)", re.S)
TAG_OR_TEXT = re.compile(r"(<[^>]+>)")
# A number with a minus sign or an exponent, where a browser may break the line.
BREAKABLE_NUMBER = re.compile(
    r"(?<![\w.])([-−+]?\d[\d,]*(?:\.\d+)?(?:[eE][-−+]?\d+)|[-−]\d[\d,]*(?:\.\d+)?)(?![\w.])"
)


def image_sizes(app) -> dict[str, Path]:
    """``{name in _images: source file}`` for the images the builder has collected."""
    images = getattr(app.builder, "images", {})
    return {name: Path(app.srcdir) / source for source, name in images.items()}


def rewrite_images(body: str, sources: dict[str, Path]) -> str:
    def rewrite(match):
        attributes = match.group(1)
        src = SRC.search(attributes)
        if not src or "_images/" not in src.group(1):
            return match.group(0)
        before = body[: match.start()]
        in_link = before.rfind("<a ") > before.rfind("</a>")
        extra = ""
        source = sources.get(src.group(1).rsplit("/", 1)[-1])
        size = png_size(source) if source and source.exists() else None
        if size and "width=" not in attributes:
            extra += f' width="{size[0]}" height="{size[1]}"'
        if "loading=" not in attributes:
            # Every figure: the browser still fetches those within a screen or two of the
            # reader at once, and a chapter's first screen is its text (on the race, an
            # eager first figure of 250 KB held up the first paint on a phone).
            extra += ' loading="lazy" decoding="async"'
        image = f"<img{attributes}{extra} />"
        if in_link:
            return image
        return (
            f'<a class="descent-zoom reference internal image-reference" href="{src.group(1)}"'
            f' aria-label="Open the figure at full size">{image}</a>'
        )

    return IMG.sub(rewrite, body)


def keep_numbers_whole(body: str) -> str:
    def cell(match):
        start, inner, end = match.groups()
        parts = TAG_OR_TEXT.split(inner)
        for i in range(0, len(parts), 2):  # even indices are text between tags
            parts[i] = BREAKABLE_NUMBER.sub(r'<span class="descent-number">\1</span>', parts[i])
        return start + "".join(parts) + end

    return TD.sub(cell, body)


INLINE_MATH = re.compile(r"<!--math-->(.*?)<!--/math-->([,.;:!?)\]]*)", re.S)


def math_with_punctuation(match) -> str:
    math, punctuation = match.groups()
    # A long formula may need to break inside itself on a phone; a short one never does.
    visible = len(re.sub(r"<[^>]+>", "", math)) // 2  # KaTeX writes each symbol twice
    if not punctuation or visible > 24:
        return math
    return f'<span class="descent-nowrap">{math}{punctuation}</span>'


SCROLLABLE = re.compile(
    r'(<div class="highlight"><pre|<div class="pst-scrollable-table-container"'
    r'|<span class="katex-display")>'
)


EXPLORER_SCRIPT = "descent-explorer.js"


def share_explorer_script(app, body: str) -> str:
    inline = f"<script>{page_script()}</script>"
    if inline not in body:
        return body
    app.add_js_file(EXPLORER_SCRIPT, defer="defer")
    return body.replace(inline, "")


def write_explorer_script(app, exception):
    if exception is None and app.builder.format == "html":
        (Path(app.outdir) / "_static" / EXPLORER_SCRIPT).write_text(page_script(), encoding="utf-8")


def rewrite_body(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if not body:
        return
    body = share_explorer_script(app, body)
    body = rewrite_images(body, image_sizes(app))
    # Code and tables that may scroll sideways can be scrolled with the keyboard from the
    # start; reader.js takes the tab stop away from those that turn out not to scroll.
    body = SCROLLABLE.sub(r'\1 tabindex="0">', body)
    body = INLINE_MATH.sub(math_with_punctuation, body)
    context["body"] = keep_numbers_whole(body)


# pydata-sphinx-theme measures every code block and table on load, and again after each
# change to the page, to decide which can take the keyboard focus; each measurement makes
# the browser lay out the whole chapter, off-screen sections included (seconds on a
# phone). The theme's script is patched to hand each element to reader.js instead, which
# measures it when it comes near the screen.
THEME_SCRIPT = "_static/scripts/pydata-sphinx-theme.js"
TAB_STOPS = (
    ".forEach(e=>{e.tabIndex=e.scrollWidth>e.clientWidth||e.scrollHeight>e.clientHeight?0:-1})"
)
LAZY_TAB_STOPS = ".forEach(e=>window.descentLazyTabStop(e))"


def patch_theme_script(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.outdir) / THEME_SCRIPT
    if not path.exists():
        return
    script = path.read_text(encoding="utf-8")
    if LAZY_TAB_STOPS in script:
        return
    if script.count(TAB_STOPS) != 1:
        logger.warning(
            "reader_page: the theme no longer measures tab stops as expected; "
            "update TAB_STOPS in book/_ext/reader_page.py"
        )
        return
    script = script.replace(TAB_STOPS, LAZY_TAB_STOPS)
    # The theme's source map describes the script before the patch.
    script = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", script)
    path.write_text(script, encoding="utf-8")


# -- the download menu ----------------------------------------------------------------


def download_menu(app, pagename, templatename, context, doctree):
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        href = app.config.book_pdf_href
        if "://" not in href:
            href = context["pathto"](href, 1)
        buttons = [b for b in group["buttons"] if b.get("label") != "download-pdf-button"]
        buttons.append(
            {
                "type": "link",
                "url": href,
                "text": "PDF of the book",
                "tooltip": "The whole book as one PDF, with the same numbers",
                "icon": "fas fa-book",
                "label": "download-book-pdf-button",
            }
        )
        buttons.append(
            {
                "type": "javascript",
                "javascript": "window.print()",
                "text": "Print this page",
                "tooltip": "Print this page, or save it as a PDF",
                "icon": "fas fa-print",
                "label": "print-page-button",
            }
        )
        group["buttons"] = buttons


# -- the site's root ------------------------------------------------------------------

ROOT_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>{title}</title>
<meta name="description" content="{description}" />
<meta property="og:type" content="website" />
<meta property="og:title" content="{title}" />
<meta property="og:description" content="{description}" />
<meta property="og:url" content="{base}/" />
<meta property="og:image" content="{base}/{image}" />
<meta name="twitter:card" content="summary_large_image" />
<link rel="canonical" href="{base}/{root}.html" />
<link rel="icon" href="_static/logo.svg" />
<meta http-equiv="refresh" content="0; url={root}.html" />
</head>
<body>
<p><a href="{root}.html">{title}</a></p>
</body>
</html>
"""


def write_root_page(app, exception):
    """The site's root: a titled page that forwards to the book (not an untitled redirect)."""
    if exception is not None or app.builder.format != "html":
        return
    root = app.config.root_doc
    if root == "index":
        return
    text = ROOT_PAGE.format(
        title=html.escape(LANDING_TITLE),
        description=html.escape(SITE_DESCRIPTION),
        base=(app.config.html_baseurl or "").rstrip("/"),
        image=CARD_IMAGE,
        root=root,
    )
    (Path(app.outdir) / "index.html").write_text(text, encoding="utf-8")


# -- search ----------------------------------------------------------------------------

TEX_WORDS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
    "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "rho": "ρ", "sigma": "σ",
    "nabla": "∇", "cdot": "·", "odot": "⊙", "times": "×", "sqrt": "√", "approx": "≈",
    "le": "≤", "ge": "≥", "infty": "∞", "to": "→", "ldots": "…", "dots": "…", "hat": "",
}  # fmt: skip
TEX_FONT = re.compile(r"\\(?:mathrm|text|operatorname|mathbf|boldsymbol|mathit)\{([^{}]*)\}")
TEX_COMMAND = re.compile(r"\\([A-Za-z]+)\s*")


def tex_to_text(text: str) -> str:
    r"""A heading's math as plain text: ``\eta \cdot \mathrm{sign}(g)`` is ``η · sign(g)``."""
    if "\\" not in text:
        return text
    text = TEX_FONT.sub(r"\1", text)
    text = TEX_COMMAND.sub(lambda m: TEX_WORDS.get(m.group(1), m.group(1)) + " ", text)
    text = re.sub(r"[{}$]|\\[,;! ]", "", text)
    text = re.sub(r"\s+([)\],.;:])", r"\1", text)
    return " ".join(text.split())


def plain_search_titles(app, exception):
    """Section titles in the search index without LaTeX (search results show them as text)."""
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.outdir) / "searchindex.js"
    if not path.exists():
        return
    script = path.read_text(encoding="utf-8")
    prefix, suffix = "Search.setIndex(", ")"
    if not script.startswith(prefix):
        return
    index = json.loads(script[len(prefix) : script.rstrip().rindex(suffix)])
    index["titles"] = [tex_to_text(title) for title in index.get("titles", [])]
    titles = {}
    for title, places in index.get("alltitles", {}).items():
        titles.setdefault(tex_to_text(title), []).extend(places)
    index["alltitles"] = titles
    path.write_text(prefix + json.dumps(index, ensure_ascii=False) + suffix, encoding="utf-8")


def search_page_scripts(app, pagename, templatename, context, doctree):
    if pagename == "search":
        app.add_js_file("search-snippets.js", defer="defer")


def setup(app):
    app.connect("doctree-read", labels_first, priority=400)  # before the toc collector
    app.connect("html-page-context", page_metadata)
    app.connect("html-page-context", rewrite_body)
    app.connect("html-page-context", search_page_scripts)
    app.connect("html-page-context", download_menu, priority=600)  # after the theme's
    app.connect("html-page-context", defer_scripts, priority=900)  # after every script
    app.connect("build-finished", write_root_page, priority=400)  # before sphinx-external-toc
    app.connect("build-finished", patch_theme_script)
    app.connect("build-finished", plain_search_titles)
    app.connect("build-finished", write_explorer_script)
    app.add_js_file("reader.js", defer="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
