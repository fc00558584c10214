"""How fast the explorers redraw, and how much script a page carries for them.

Each chapter page with explorers is opened in headless Chromium (Debian's, through
Playwright) at 1280 × 800, served from 127.0.0.1. For every explorer the script drags the
start point across the plot in 30 pointer moves and then moves each slider through ten
values with the arrow keys; the explorer times each redraw itself (computing every run
and redrawing the paths, ``root.descentExplorer.timings``). It prints, per explorer, the
first draw and the median and largest redraw in milliseconds, and, once, the size of the
shared script (``_static/descent-explorer.js``) as served and gzip-compressed.

    .venv/bin/python benchmarks/explorers.py              # after make book
    .venv/bin/python benchmarks/explorers.py momentum race

A redraw within one frame of a 60 Hz screen (16.7 ms) is the target. It is a report, not a
test: times on a shared machine move from run to run.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import statistics
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
PAGES = ["sgd", "momentum", "adagrad", "rmsprop", "adam", "race", "schedules", "beyond-adam"]
FRAME_MS = 1000 / 60


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=HTML))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def drag_start(page, root) -> None:
    root.evaluate("(r) => r.querySelector('svg.dx-paths').scrollIntoView({block: 'center'})")
    page.wait_for_timeout(100)
    box = root.locator(".dx-handle circle").last.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 120, y + 30, steps=30)
    page.mouse.up()


def step_sliders(page, root) -> None:
    sliders = root.locator(".dx-row input[type=range]")
    for k in range(sliders.count()):
        sliders.nth(k).focus()
        for _ in range(10):
            page.keyboard.press("ArrowRight")


def measure(page, url: str) -> list[dict]:
    page.goto(url)
    roots = page.locator(".descent-explorer")
    rows = []
    for k in range(roots.count()):
        root = roots.nth(k)
        root.evaluate("(r) => r.scrollIntoView({block: 'center'})")
        root.locator("xpath=self::*[@data-ready]").wait_for(state="attached")
        drag_start(page, root)
        step_sliders(page, root)
        page.wait_for_timeout(600)
        found = root.evaluate(
            """(r) => ({kind: r.dataset.kind, title: r.descentExplorer.spec.title,
                        first: r.descentExplorer.firstDrawMs,
                        timings: r.descentExplorer.timings.slice()})"""
        )
        rows.append(found)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", default=PAGES, help="chapter names")
    args = parser.parse_args()
    script = HTML / "_static" / "descent-explorer.js"
    if not script.exists():
        sys.exit("no built site with explorers: run `make book` first")
    raw = script.read_bytes()
    print(f"shared script: {len(raw) / 1000:.1f} KB, {len(gzip.compress(raw)) / 1000:.1f} KB gzip")
    server = serve()
    base = f"http://127.0.0.1:{server.server_port}"
    print(f"{'page':12} {'explorer':42} {'first ms':>8} {'redraws':>7} {'median':>7} {'max':>6}")
    slow = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        for name in args.pages:
            for row in measure(page, f"{base}/book/{name}.html"):
                timings = row["timings"]
                median = statistics.median(timings)
                slow += median > FRAME_MS
                print(
                    f"{name:12} {row['title'][:42]:42} {row['first']:8.1f} {len(timings):7d}"
                    f" {median:7.2f} {max(timings):6.1f}"
                )
        browser.close()
    server.shutdown()
    print(f"median redraw above one frame ({FRAME_MS:.1f} ms): {slow} explorer(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
