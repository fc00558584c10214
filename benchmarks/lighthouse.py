"""Lighthouse scores of the built site, page by page, served as GitHub Pages serves it.

The pages in _build/html are served from 127.0.0.1 by a small HTTP server that
gzip-compresses text (HTML, CSS, JavaScript, JSON, SVG) the way GitHub Pages does, and
Lighthouse (npm, in tests/site) audits each page twice with Debian's Chromium: once with
its default mobile simulation (a mid-range phone on a slow 4G network, simulated
throttling) and once with its desktop preset. Nothing leaves the machine.

    .venv/bin/python benchmarks/lighthouse.py                  # every page of the book
    .venv/bin/python benchmarks/lighthouse.py sgd adam         # some pages
    .venv/bin/python benchmarks/lighthouse.py --save scores.json

It prints one row per page: mobile and desktop performance, the larger of the two
cumulative layout shifts, and the accessibility score, and marks with "!" every value
that misses its target (performance and accessibility >= 90, CLS < 0.05). It is a
report, not a test: scores move by a few points from run to run on a busy machine.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "book" / "_ext")]

from book_facts import HTML, pages  # noqa: E402

LIGHTHOUSE = ROOT / "tests" / "site" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
TARGET_SCORE = 90
TARGET_CLS = 0.05
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".txt", ".xml", ".map", ".inv"}


class PagesHandler(SimpleHTTPRequestHandler):
    """Static files with gzip for text and a ten-minute cache, like GitHub Pages."""

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts_gzip and path.suffix in COMPRESSED and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return _Body(body)


class _Body:
    """A file-like object for ``SimpleHTTPRequestHandler.copyfile``."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, size=-1):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


def serve(directory: Path):
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(PagesHandler, directory=str(directory))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def audit(url: str, desktop: bool, keep: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [
            "node",
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            "--only-categories=performance,accessibility",
            f"--chrome-flags={CHROME_FLAGS}",
            "--max-wait-for-load=60000",
        ]
        if desktop:
            command.append("--preset=desktop")
        env = os.environ | {"CHROME_PATH": CHROMIUM}
        subprocess.run(command, check=True, env=env, cwd=tmp, timeout=300)
        result = json.loads(report.read_text(encoding="utf-8"))
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            name = url.rsplit("/", 1)[-1].removesuffix(".html")
            shutil.copyfile(report, keep / f"{name}-{'desktop' if desktop else 'mobile'}.json")
    audits = result["audits"]

    def score(category):
        value = result["categories"][category]["score"]
        return None if value is None else round(100 * value)

    return {
        "performance": score("performance"),
        "accessibility": score("accessibility"),
        "cls": audits["cumulative-layout-shift"].get("numericValue"),
        "lcp_ms": audits["largest-contentful-paint"].get("numericValue"),
        "tbt_ms": audits["total-blocking-time"].get("numericValue"),
        "bytes": audits["total-byte-weight"].get("numericValue"),
    }


def flag(value, bad: bool) -> str:
    return f"{value}{' !' if bad else '  '}"


def table(rows: dict[str, dict]) -> str:
    lines = [
        f"{'page':<16}{'mobile':>9}{'desktop':>9}{'CLS':>9}{'a11y':>7}"
        f"{'LCP s':>8}{'TBT ms':>8}{'KB':>7}",
    ]
    for name, row in rows.items():
        mobile, desktop = row["mobile"], row["desktop"]
        cls = max(mobile["cls"] or 0, desktop["cls"] or 0)
        lines.append(
            f"{name:<16}"
            f"{flag(mobile['performance'], (mobile['performance'] or 0) < TARGET_SCORE):>9}"
            f"{flag(desktop['performance'], (desktop['performance'] or 0) < TARGET_SCORE):>9}"
            f"{flag(f'{cls:.3f}', cls >= TARGET_CLS):>9}"
            f"{flag(mobile['accessibility'], (mobile['accessibility'] or 0) < TARGET_SCORE):>7}"
            f"{mobile['lcp_ms'] / 1000:8.1f}{mobile['tbt_ms']:8.0f}{mobile['bytes'] / 1024:7.0f}"
        )
    lines.append(
        f"! misses the target: performance and accessibility >= {TARGET_SCORE}, "
        f"CLS < {TARGET_CLS}. LCP, TBT and KB are the mobile run's."
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help="page names (default: every page)")
    parser.add_argument("--html", type=Path, default=HTML, help="the built site")
    parser.add_argument("--save", type=Path, help="also write the scores as JSON")
    parser.add_argument("--keep", type=Path, help="keep Lighthouse's full reports here")
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="HTML",
        help="also audit another build (e.g. of main), page by page in turn with this one "
        "so that both meet the same load on the machine; it is printed first",
    )
    args = parser.parse_args()
    if not (args.html / "index.html").exists():
        print("the book is not built: run `make book` first")
        return 1
    if not LIGHTHOUSE.exists():
        print("Lighthouse is not installed: npm ci --prefix tests/site")
        return 1
    docnames = {page.name: page.docname for page in pages()}
    wanted = args.pages or list(docnames)
    builds = {"this build": args.html}
    if args.compare:
        builds = {"compared build": args.compare, **builds}
    servers = {label: serve(html) for label, html in builds.items()}
    results = {label: {} for label in builds}
    try:
        for name in wanted:
            for label, server in servers.items():
                url = f"http://127.0.0.1:{server.server_port}/{docnames[name]}.html"
                keep = args.keep / label.replace(" ", "-") if args.keep else None
                row = {
                    "mobile": audit(url, desktop=False, keep=keep),
                    "desktop": audit(url, desktop=True, keep=keep),
                }
                results[label][name] = row
                print(
                    f"  {label}, {name}: mobile {row['mobile']['performance']}, "
                    f"desktop {row['desktop']['performance']}",
                    file=sys.stderr,
                )
    finally:
        for server in servers.values():
            server.shutdown()
    for label, rows in results.items():
        print(f"{label} ({builds[label]}):")
        print(table(rows))
        print()
    if args.save:
        args.save.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
