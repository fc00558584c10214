"""The built site, served on 127.0.0.1 and opened in headless Chromium with the network
cut off: every request to any host but the local server is aborted and recorded, so a
page that needs the network fails its test instead of silently loading from a CDN."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from book_facts import HTML


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url():
    if not (HTML / "index.html").exists():
        pytest.fail("The book is not built: run `make book` (or `make test`, which builds it).")
    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@dataclass
class Visit:
    """A page opened in the browser, with what it asked for and what it complained about."""

    page: object
    external_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)


@pytest.fixture
def open_page(browser, site_url):
    """Open a path of the site offline; returns a Visit. Closes its context afterwards."""
    contexts = []

    def visit(path: str, *, width: int = 1280, height: int = 900) -> Visit:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        result = Visit(page)
        local = urlsplit(site_url).netloc

        def route(route):
            if urlsplit(route.request.url).netloc == local:
                route.continue_()
            else:
                result.external_requests.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and result.console_errors.append(m.text))
        page.on("pageerror", lambda error: result.console_errors.append(str(error)))
        page.on("requestfailed", lambda r: result.failed_requests.append(r.url))
        page.on("response", lambda r: r.status >= 400 and result.failed_requests.append(r.url))
        page.goto(f"{site_url}/{path}", wait_until="load")
        return result

    yield visit
    for context in contexts:
        context.close()
