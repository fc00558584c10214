"""What Binder does, without Binder: build its environment, open a chapter, run them all.

repo2docker installs .binder/requirements.txt and runs .binder/postBuild; then a reader
clicks a chapter's launch button, JupyterLab opens book/<chapter>.md, and the reader runs
all cells. These tests repeat each of those steps in a fresh virtual environment made
only from .binder/, so a chapter that works in the local build but not on Binder fails.
(Building that environment installs the lock file from the package index.)
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from book_facts import ROOT, built_glue, glued_values, notebook_pages, read_notebook

pytestmark = pytest.mark.binder

# Runs inside the Binder environment: convert one chapter with jupytext, execute it with
# nbclient from book/ (as JupyterLab would), and report the time and the glued values.
RUN_CHAPTER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import jupytext, nbclient

    source = Path(sys.argv[1])
    notebook = jupytext.read(source)
    started = time.perf_counter()
    nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": str(source.parent)}},
    ).execute()
    seconds = time.perf_counter() - started
    json.dump({"seconds": seconds, "notebook": notebook}, sys.stdout)
    """
)


def run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


@dataclass(frozen=True)
class BinderEnvironment:
    python: Path
    variables: dict[str, str]

    @property
    def prefix(self) -> Path:
        return self.python.parent.parent


@pytest.fixture(scope="module")
def binder(tmp_path_factory):
    """A virtual environment built the way repo2docker builds Binder's image."""
    home = tmp_path_factory.mktemp("binder")
    venv = home / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    run([python, "-m", "pip", "install", "--quiet", "-r", ROOT / ".binder" / "requirements.txt"])
    environment = {
        **os.environ,
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        # Only this environment's kernels and settings, not the user's.
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
    }
    for inherited in ("VIRTUAL_ENV", "MPLBACKEND", "PYTHONPATH"):
        environment.pop(inherited, None)
    run(["bash", ROOT / ".binder" / "postBuild"], cwd=ROOT, env=environment)
    return BinderEnvironment(python, environment)


def test_postbuild_installs_descent_into_the_binder_environment(binder):
    script = "import descent, sys; print(descent.__file__, sys.prefix)"
    where = run([binder.python, "-c", script], env=binder.variables, cwd="/").stdout.split()
    assert where == [str(ROOT / "src" / "descent" / "__init__.py"), str(binder.prefix)]


def test_postbuild_makes_markdown_open_as_a_notebook(binder):
    overrides = binder.prefix / "etc/jupyter/labconfig/default_setting_overrides.json"
    viewers = json.loads(overrides.read_text())["@jupyterlab/docmanager-extension:plugin"]
    assert viewers["defaultViewers"]["markdown"] == "Jupytext Notebook"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(binder):
    """JupyterLab from the Binder environment, serving the repository as Binder does."""
    port, token = free_port(), "descent-binder-test"
    server = subprocess.Popen(
        [
            binder.python,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={ROOT}",
            "--ServerApp.allow_root=True",
        ],
        env=binder.variables,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.terminate()
        pytest.fail("JupyterLab did not start")
    yield url, token
    server.terminate()
    server.wait(timeout=30)


def test_a_chapter_link_opens_the_chapter_as_a_notebook(jupyterlab, browser):
    """The launch button's urlpath, lab/tree/book/sgd.md, must show cells, not text."""
    url, token = jupyterlab
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{url}/lab/tree/book/sgd.md?token={token}")
        imports = page.locator(".jp-NotebookPanel .jp-CodeCell", has_text="from descent import SGD")
        imports.first.wait_for(timeout=60_000)
        assert page.locator(".jp-NotebookPanel .jp-MarkdownCell").count() > 0
        assert not page.locator(".jp-FileEditor").is_visible()
    finally:
        context.close()


@pytest.fixture(scope="module")
def executed_on_binder(binder):
    results = {}
    for chapter in notebook_pages():
        command = [binder.python, "-c", RUN_CHAPTER, chapter.source]
        output = run(command, env=binder.variables, cwd=chapter.source.parent)
        results[chapter.name] = json.loads(output.stdout)
    slowest = max(results, key=lambda name: results[name]["seconds"])
    print("\nRun All on the Binder environment, seconds per chapter:")
    for name, result in results.items():
        print(f"  {name:12} {result['seconds']:6.1f}")
    print(f"  slowest: {slowest} ({results[slowest]['seconds']:.1f} s)")
    return results


@pytest.mark.parametrize("chapter", notebook_pages(), ids=[p.name for p in notebook_pages()])
def test_every_chapter_runs_top_to_bottom_on_binder(executed_on_binder, chapter):
    notebook = executed_on_binder[chapter.name]["notebook"]
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error"
            assert output.get("name") != "stderr", output.get("text")


@pytest.mark.parametrize("chapter", notebook_pages(), ids=[p.name for p in notebook_pages()])
def test_a_second_execution_gives_the_same_numbers_as_the_book(executed_on_binder, chapter):
    """Seeded randomness: the build and this independent run agree on every glued number
    (timings excepted: their keys contain "time")."""
    on_binder = glued_values(executed_on_binder[chapter.name]["notebook"])
    in_book = built_glue(chapter)
    assert on_binder.keys() == in_book.keys()
    differ = {
        key: (in_book[key], on_binder[key])
        for key in in_book
        if "time" not in key and in_book[key] != on_binder[key]
    }
    assert not differ


def figures(notebook: dict) -> dict[str, str]:
    """``{figure label: PNG data}`` of every labelled figure a notebook drew."""
    drawn = {}
    for cell in notebook["cells"]:
        name = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name")
        pngs = [
            o["data"]["image/png"]
            for o in cell.get("outputs", [])
            if "image/png" in o.get("data", {})
        ]
        if name and pngs:
            drawn[name] = pngs[-1]
    return drawn


@pytest.mark.parametrize("chapter", notebook_pages(), ids=[p.name for p in notebook_pages()])
def test_a_second_execution_draws_the_same_figures_as_the_book(executed_on_binder, chapter):
    on_binder = figures(executed_on_binder[chapter.name]["notebook"])
    in_book = figures(read_notebook(chapter.executed))
    assert on_binder.keys() == in_book.keys()
    differ = [name for name in in_book if in_book[name] != on_binder[name]]
    assert not differ


def test_binder_uses_the_lock_file():
    requirements = (ROOT / ".binder" / "requirements.txt").read_text().split("\n")
    assert "-r ../requirements.lock" in requirements
    lock = (ROOT / "requirements.lock").read_text()
    for package in ("jupytext==", "jupyterlab==", "jupyterlab-myst=="):
        assert package in lock
    assert (ROOT / ".binder" / "runtime.txt").read_text().strip() == "python-3.11"
