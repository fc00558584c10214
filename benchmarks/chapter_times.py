"""How long each chapter took to execute in the last `make book`, slowest first.

Readers on Binder wait for Run All, so every chapter should finish in well under 30 s on
a 2-core machine. The times come from Jupyter Book's execution cache in _build/; a chapter
whose outputs were reused shows the time of the run that produced them.

    .venv/bin/python benchmarks/chapter_times.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from jupyter_cache import get_cache

ROOT = Path(__file__).resolve().parents[1]
BUDGET_SECONDS = 30.0


def main() -> int:
    cache_path = ROOT / "_build" / ".jupyter_cache"
    if not cache_path.exists():
        print("no execution cache: run `make book` first")
        return 1
    # A chapter whose code changed keeps its older records in the cache; the newest is
    # the one the build used.
    newest = {}
    for record in sorted(get_cache(cache_path).list_cache_records(), key=lambda r: r.created):
        newest[record.uri] = record
    times = sorted(
        (
            (record.data.get("execution_seconds", float("nan")), Path(record.uri))
            for record in newest.values()
        ),
        reverse=True,
    )
    print(f"{'chapter':<14}{'seconds':>9}   executed")
    for seconds, path in times:
        flag = "  over budget" if seconds > BUDGET_SECONDS else ""
        print(f"{path.stem:<14}{seconds:9.1f}   {path.relative_to(ROOT)}{flag}")
    print(f"{'total':<14}{sum(seconds for seconds, _ in times):9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
