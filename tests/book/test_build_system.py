"""The build machinery: configuration pitfalls of Jupyter Book 1, and stale outputs.

jupyter-cache re-executes a notebook only when its code cells change; a change in
src/descent would otherwise leave pages showing outputs of older code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import tomllib

import pytest

from book_facts import ROOT, config

pytestmark = pytest.mark.book


def test_book_root_is_the_repository_root_and_excludes_everything_else():
    cfg = config()
    assert cfg["only_build_toc_files"] is True
    for folder in ("src", "tests", ".venv", ".binder", "_build", "README.md", "benchmarks"):
        assert folder in cfg["exclude_patterns"], folder


def test_launch_button_settings_that_bite():
    cfg = config()
    assert cfg["repository"]["path_to_book"] == ""
    assert cfg["repository"]["branch"] == "main"
    # Without it, the html_theme_options block below replaces Jupyter Book's own and
    # silently removes the launch buttons.
    assert cfg["sphinx"]["recursive_update"] is True
    assert cfg["launch_buttons"]["binderhub_url"] == "https://mybinder.org"


def test_execution_fails_on_errors_and_stderr():
    execute = config()["execute"]
    assert execute["allow_errors"] is False
    assert execute["stderr_output"] == "error"
    assert execute["execute_notebooks"] == "cache"


def test_jupyter_book_is_pinned_below_2():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    book = project["project"]["optional-dependencies"]["book"]
    assert "jupyter-book>=1.0.4.post1,<2" in book
    lock = (ROOT / "requirements.lock").read_text().splitlines()
    assert any(line.startswith("jupyter-book==1.") for line in lock)


def test_mathjax_is_served_from_the_site():
    mathjax = config()["sphinx"]["config"]["mathjax_path"]
    assert not mathjax.startswith(("http:", "https:", "//"))
    assert (ROOT / "book" / "_static" / mathjax).exists()


@pytest.fixture
def repository_copy(tmp_path):
    """The tracked files of the repository, without the environment or a build."""
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, tmp_path / name)
    return tmp_path


def planned_book_commands(directory) -> str:
    """What `make book` would run, without running it (make -n)."""
    return subprocess.run(
        ["make", "-n", "book"], cwd=directory, capture_output=True, text=True, check=True
    ).stdout


def set_mtime(path, seconds_from_now: float) -> None:
    when = time.time() + seconds_from_now
    os.utime(path, (when, when))


@pytest.fixture
def built_copy(repository_copy):
    """A copy whose last execution of the chapters is newer than all of their inputs."""
    stamp = "_build/.executed-with-current-src"
    subprocess.run(["make", "-s", stamp], cwd=repository_copy, capture_output=True, check=True)
    set_mtime(repository_copy / stamp, 60)
    assert "_build/.jupyter_cache" not in planned_book_commands(repository_copy)
    return repository_copy


@pytest.mark.parametrize(
    "changed", ["src/descent/optimizers.py", "src/descent/book/explorer.js", "requirements.lock"]
)
def test_a_change_the_chapters_depend_on_makes_the_build_re_execute_them(built_copy, changed):
    set_mtime(built_copy / changed, 120)
    assert_re_executes(planned_book_commands(built_copy))


def test_a_deleted_source_file_makes_the_build_re_execute_the_chapters(built_copy):
    (built_copy / "src" / "descent" / "lab" / "cost.py").unlink()
    assert_re_executes(planned_book_commands(built_copy))


def assert_re_executes(plan: str) -> None:
    assert "rm -rf _build/.jupyter_cache _build/.doctrees" in plan
    assert plan.index("_build/.jupyter_cache") < plan.index("jupyter-book build")
