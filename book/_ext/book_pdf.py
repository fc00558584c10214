"""Link the book's PDF only where it exists: the local copy when TeX built it, else online.

`make book` builds the PDF first when TeX is installed (``_build/latex/descent.pdf``). This
extension then copies it next to the HTML (``_build/html/descent.pdf``) and every
``BOOK_PDF_URL`` in a page's source becomes a link to that copy. Without TeX there is no
local PDF, and the links point at the PDF of the published book instead, so that no page
ever links to a missing file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

PLACEHOLDER = "BOOK_PDF_URL"
PDF_NAME = "descent.pdf"


def local_pdf(app) -> Path:
    return Path(app.confdir) / "_build" / "latex" / PDF_NAME


def choose_href(app, config) -> None:
    """Decide once per build; a change re-reads every page (the value is an 'env' setting)."""
    if local_pdf(app).exists():
        config.book_pdf_href = PDF_NAME  # relative to the site root; pages add their depth
    else:
        config.book_pdf_href = config.html_baseurl.rstrip("/") + "/" + PDF_NAME


def replace_placeholder(app, docname: str, source: list[str]) -> None:
    href = app.config.book_pdf_href
    if "://" not in href:
        href = "../" * docname.count("/") + href
    source[0] = source[0].replace(PLACEHOLDER, href)


def copy_pdf(app, exception) -> None:
    if exception is None and app.builder.format == "html" and local_pdf(app).exists():
        shutil.copyfile(local_pdf(app), Path(app.outdir) / PDF_NAME)


def setup(app):
    app.add_config_value("book_pdf_href", "", "env")
    app.connect("config-inited", choose_href)
    app.connect("source-read", replace_placeholder)
    app.connect("build-finished", copy_pdf)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
