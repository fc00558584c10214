"""The book's math rendered to HTML at build time with KaTeX, instead of typeset by MathJax in
the reader's browser.

MathJax typesetting hundreds of formulas on a phone's main thread was what made the
chapters slow (seconds of script work and a shifting layout). Here every formula is turned
into HTML and MathML once, while Sphinx writes the page: the page needs no script for its
math, only KaTeX's stylesheet and fonts, served from the site itself.

KaTeX runs in Node (``book/_ext/package.json``; ``make book`` installs it with npm). A
formula KaTeX cannot render is a build warning with its location, so ``-W`` stops the
build. Where Node or KaTeX is missing, the build says so and falls back to the local
MathJax, loaded only on pages with math and deferred.
"""

from __future__ import annotations

import atexit
import json
import re
import shutil
import subprocess
from pathlib import Path

from docutils import nodes
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
KATEX = HERE / "node_modules" / "katex" / "dist"
RENDERER = HERE / "katex_render.js"
STATIC = "katex"  # _static/katex/ in the built site
PRELOADED_FONTS = ("KaTeX_Main-Regular.woff2", "KaTeX_Math-Italic.woff2")


class KatexProcess:
    """One Node process for the whole build; each formula is rendered once."""

    def __init__(self):
        self.process = None
        self.cache: dict[tuple[str, bool], tuple[str | None, str | None]] = {}

    def render(self, tex: str, display: bool) -> tuple[str | None, str | None]:
        key = (tex, display)
        if key not in self.cache:
            if self.process is None:
                self.process = subprocess.Popen(
                    ["node", str(RENDERER)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    encoding="utf-8",
                    cwd=HERE,
                )
                atexit.register(self.close)
            self.process.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
            self.process.stdin.flush()
            answer = json.loads(self.process.stdout.readline())
            self.cache[key] = (answer.get("html"), answer.get("error"))
        return self.cache[key]

    def close(self):
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait(timeout=10)
            self.process = None


KATEX_PROCESS = KatexProcess()


def available() -> bool:
    return shutil.which("node") is not None and (KATEX / "katex.min.css").exists()


def rendered(self, node, tex: str, display: bool) -> str:
    html, error = KATEX_PROCESS.render(tex, display)
    if error is not None:
        logger.warning("KaTeX cannot render %r: %s", tex, error, location=node, type="katex")
        return self.encode(tex)
    return html


# Marks around inline math, so that reader_page.py can keep a formula and the punctuation
# after it on one line ("√v," rather than "√v" and "," on the next); it removes them.
INLINE_START, INLINE_END = "<!--math-->", "<!--/math-->"


def visit_math(self, node):
    self.body.append(INLINE_START)
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(rendered(self, node, node.astext(), display=False))
    self.body.append("</span>" + INLINE_END)
    raise nodes.SkipNode


def display_tex(node) -> str:
    """The TeX of a displayed formula, as Sphinx hands it to MathJax."""
    if node["nowrap"]:
        return node.astext()
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    parts = [rf"\begin{{split}}{part}\end{{split}}" if r"\\" in part else part for part in parts]
    if len(parts) > 1:
        return r"\begin{gathered}" + r"\\".join(parts) + r"\end{gathered}"
    return parts[0]


def visit_displaymath(self, node):
    # A labelled equation's anchor is its label (#eq-adam-update); the id Sphinx gives it,
    # #equation-eq-adam-update, stays as a second anchor for links made before.
    ids = node["ids"]
    number = get_node_equation_number(self, node) if node["number"] else None  # by ids[0]
    label_ids = [i.removeprefix("equation-") for i in ids if i.startswith("equation-eq-")]
    node["ids"] = label_ids + ids
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if number is not None:
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    self.body.append(rendered(self, node, display_tex(node), display=True))
    self.body.append("</div>\n")
    node["ids"] = ids
    raise nodes.SkipNode


def choose_renderer(app, config):
    if available():
        config.html_math_renderer = "katex"
        # Part of the site's one stylesheet (site_css.py); its fonts load where math is.
        app.add_css_file(f"{STATIC}/katex.min.css")
    else:
        logger.info(
            "katex_math: no Node or no KaTeX (npm ci --prefix book/_ext), so the pages "
            "typeset their math in the browser with MathJax"
        )


def preload_fonts(app, pagename, templatename, context, doctree):
    """On the pages that have math, KaTeX's two commonest fonts."""
    if app.builder.format != "html" or app.builder.math_renderer_name != "katex":
        return
    if app.env.get_domain("math").has_equations(pagename):
        # The two fonts nearly every formula uses, fetched with the stylesheet instead of
        # after the first layout: the first paragraph, often with math, shows sooner.
        context["metatags"] = context.get("metatags", "") + "".join(
            f'\n<link rel="preload" href="{context["pathto"](f"_static/{STATIC}/fonts/{font}", 1)}"'
            ' as="font" type="font/woff2" crossorigin />'
            for font in PRELOADED_FONTS
        )


FONT_FALLBACKS = re.compile(r',url\(fonts/[^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)')


def copy_katex(app, exception):
    """KaTeX's stylesheet and its woff2 fonts (every browser that runs the site reads woff2)."""
    if exception is not None or app.builder.format != "html":
        return
    if app.builder.math_renderer_name != "katex":
        return
    target = Path(app.outdir) / "_static" / STATIC
    (target / "fonts").mkdir(parents=True, exist_ok=True)
    css = (KATEX / "katex.min.css").read_text(encoding="utf-8")
    (target / "katex.min.css").write_text(FONT_FALLBACKS.sub("", css), encoding="utf-8")
    for font in (KATEX / "fonts").glob("*.woff2"):
        shutil.copyfile(font, target / "fonts" / font.name)
    KATEX_PROCESS.close()


def setup(app):
    app.add_html_math_renderer(
        "katex",
        inline_renderers=(visit_math, None),
        block_renderers=(visit_displaymath, None),
    )
    app.connect("config-inited", choose_renderer)
    app.connect("html-page-context", preload_fonts)
    app.connect("build-finished", copy_katex)
    return {"parallel_read_safe": True, "parallel_write_safe": False}
