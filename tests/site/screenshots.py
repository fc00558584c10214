"""Screenshots of the built site for people to look at: every page of the book at phone size
(390 × 844) and desktop size (1280 × 800), its top and a section from its middle.

    .venv/bin/python tests/site/screenshots.py            # every page
    .venv/bin/python tests/site/screenshots.py sgd adam   # some pages
    .venv/bin/python tests/site/screenshots.py --print sgd  # also the page as printed (PDF)

The pictures land in tests/artifacts/screens/ (not tracked by git). Not a test: pytest
does not collect this file.
"""

from __future__ import annotations

import argparse
import functools
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parents[1] / "book" / "_ext")]

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from book_facts import ARTIFACTS, HTML, pages  # noqa: E402

SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
MIDDLE = """() => {
    const headings = [...document.querySelectorAll('article section > h2')];
    if (!headings.length) return false;
    headings[Math.floor(headings.length / 2)].scrollIntoView();
    return true;
}"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", nargs="*")
    parser.add_argument("--print", action="store_true", help="also save each page as printed")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    out = ARTIFACTS / "screens"
    out.mkdir(parents=True, exist_ok=True)
    wanted = [p for p in pages() if not args.pages or p.name in args.pages]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size, (width, height) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            for book_page in wanted:
                page.goto(f"{base}/{book_page.docname}.html", wait_until="networkidle")
                page.screenshot(path=str(out / f"{book_page.name}-{size}-top.png"))
                if page.evaluate(MIDDLE):
                    page.wait_for_timeout(300)
                    page.screenshot(path=str(out / f"{book_page.name}-{size}-middle.png"))
                if args.print and size == "desktop":
                    page.emulate_media(media="print")
                    page.pdf(path=str(out / f"{book_page.name}-print.pdf"), format="A4")
                    page.emulate_media(media="screen")
            context.close()
        browser.close()
    server.shutdown()
    print(f"screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
