"""A draft as the preview shows it, in Chromium: the banner is in the first screen on a phone and a desktop, in
both themes, and the page passes axe."""

from __future__ import annotations

import functools
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import BUILD, SITE_TOML, incident

from .conftest import PHONE, axe_violations

DRAFT = "/incidents/2017-07-28-a-launch-still-being-written-up/"


@pytest.fixture(scope="module")
def drafts_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small site with a draft just made by `new`, built with --drafts and served on loopback."""
    root = tmp_path_factory.mktemp("drafts")
    (root / "content" / "incidents").mkdir(parents=True)
    (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    (root / "content" / "incidents" / "2017-07-04-first.md").write_text(incident("First"), encoding="utf-8")
    for args in (["new", "A launch still being written up", "--date", "2017-07-28", "--type", "ICBM"],
                 ["build", "--drafts"]):
        done = subprocess.run([sys.executable, str(BUILD), *args], cwd=root, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=120)
        assert done.returncode == 0, done.stderr
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root / "public"))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_draft_banner_is_in_the_first_screen_and_passes_axe(browser, drafts_url, screenshots: Path, device,
                                                                theme):
    options = PHONE if device == "phone" else {"viewport": {"width": 1366, "height": 900}}
    context = browser.new_context(color_scheme=theme, **options)
    page = context.new_page()
    page.goto(drafts_url + DRAFT)
    banner = page.locator("p.draft-banner")
    assert banner.is_visible()
    assert banner.inner_text().startswith("Draft: left out of the published site")
    box = banner.bounding_box()
    assert box is not None and box["y"] + box["height"] <= options["viewport"]["height"], box
    page.screenshot(path=str(screenshots / f"draft-{device}-{theme}.png"))
    violations = axe_violations(page)
    context.close()
    assert violations == [], "\n".join(violations)
