"""Keep every chapter's downloadable .ipynb executed, also when its outputs come from the cache.

myst-nb writes each notebook page to ``_build/jupyter_execute/<page>.ipynb``, and the theme
offers that file for download. When the outputs come from jupyter-cache rather than from
a fresh execution, myst-nb 1.x writes the notebook *without* them. This extension fills
them in from the same cache after the pages are read, before the theme copies the files.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from jupyter_cache import get_cache


def fill_outputs_from_cache(app, env):
    build = Path(app.outdir).parent
    cache = get_cache(app.config.nb_execution_cache_path or build / ".jupyter_cache")
    for path in sorted((build / "jupyter_execute").rglob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        if any(cell.get("outputs") for cell in notebook.cells):
            continue
        try:
            _, executed = cache.merge_match_into_notebook(notebook)
        except KeyError:  # not in the cache: a page without code, or not executed
            continue
        nbformat.write(executed, path)


def setup(app):
    app.connect("env-updated", fill_outputs_from_cache)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
