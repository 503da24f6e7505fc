"""The preview's problems banner in Chromium, against the real `serve`: it hides none of the page and closes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import incident
from test_serve import CHANGE, NOTE, PAGE, Served, serve, until

from salvo.serve import OVERLAY_ID

from .conftest import axe_violations

__all__ = ["serve"]  # the fixture, shared with test_serve.py
# What an editor needs to see of a page above the fold: the masthead with the navigation, the date line, the title.
PAGE_TOP = ("header.masthead", "nav", "p.kicker", "h1")


def covered(page: Any, selector: str) -> bool:
    """Whether the banner lies over any part of the first element matching `selector`."""
    banner, box = page.locator(f"#{OVERLAY_ID}").bounding_box(), page.locator(selector).first.bounding_box()
    apart = (box["y"] >= banner["y"] + banner["height"] or banner["y"] >= box["y"] + box["height"]
             or box["x"] >= banner["x"] + banner["width"] or banner["x"] >= box["x"] + box["width"])
    return not apart


@pytest.mark.parametrize("script", [True, False], ids=["javascript", "no-javascript"])
def test_the_problems_banner_hides_nothing_and_can_be_dismissed(browser: Any, serve: Callable[..., Served],
                                                                 script: bool) -> None:
    served = serve()
    served.site.write({NOTE: incident(missile_type="ICBMX", body="Broken <b>account</b>.")})
    until(served.overlaid, CHANGE, "the problems banner")
    context = browser.new_context(java_script_enabled=script, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(served.url + PAGE)
    banner = page.locator(f"#{OVERLAY_ID}")
    assert banner.is_visible() and "ICBMX" in banner.inner_text()
    for selector in PAGE_TOP:
        assert page.locator(selector).first.is_visible(), selector
        assert not covered(page, selector), f"the banner lies over {selector}"
    if script:
        assert axe_violations(page) == []
    page.get_by_role("button", name="Dismiss").click()
    banner.wait_for(state="hidden", timeout=5000)
    assert page.locator("nav").first.bounding_box()["y"] < 100, "the page moves up into the banner's room"
    context.close()
