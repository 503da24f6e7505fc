"""Screenshots of the home page for people to look at (test-results/screenshots/), with layout checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import PHONE

PNG = b"\x89PNG\r\n\x1a\n"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# The phone at 1 device pixel per CSS pixel: the same layout, and a quarter of the pixels to encode.
PHONE_1X = {**PHONE, "device_scale_factor": 1}
# name: (context options, whether to save the whole page too: the long ones cost seconds to encode)
SHOTS = {
    "home-desktop-1280": (DESKTOP, True),
    "home-phone-360": (PHONE_1X, True),
    "home-phone-360-dark": ({**PHONE_1X, "color_scheme": "dark"}, False),
    "home-desktop-1280-dark": ({**DESKTOP, "color_scheme": "dark"}, False),
}


@pytest.mark.parametrize("name", SHOTS)
def test_home_page_screenshot(browser, base_url, screenshots: Path, name: str):
    options, whole = SHOTS[name]
    context = browser.new_context(base_url=base_url, **options)
    page = context.new_page()
    page.goto("/")
    width = options["viewport"]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    assert page.locator("#filters").is_visible()
    # The top of the page as a reader first sees it, then the charts and the timeline with its filters.
    shots = [page.screenshot(path=str(screenshots / f"{name}.png"))]
    page.locator("#pictures").scroll_into_view_if_needed()
    shots.append(page.screenshot(path=str(screenshots / f"{name}-charts.png")))
    page.locator("#timeline").scroll_into_view_if_needed()
    shots.append(page.screenshot(path=str(screenshots / f"{name}-timeline.png")))
    if whole:
        shots.append(page.screenshot(path=str(screenshots / f"{name}-full.png"), full_page=True))
    context.close()
    assert all(shot[:8] == PNG for shot in shots)
