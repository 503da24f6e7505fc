"""Screenshots of every kind of page for people to look at (test-results/screenshots/): a 390 px phone and a 1366 px
desktop, light and dark, with the first screen of each and the whole home page."""

from __future__ import annotations

from pathlib import Path

import pytest

PNG = b"\x89PNG\r\n\x1a\n"
SIZES = {
    "phone-390": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
                  "device_scale_factor": 1},
    "desktop-1366": {"viewport": {"width": 1366, "height": 900}},
}


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("size", list(SIZES))
def test_every_kind_of_page_is_photographed(browser, base_url, screenshots: Path, page_kinds, size, theme):
    options = SIZES[size]
    context = browser.new_context(base_url=base_url, color_scheme=theme, **options)
    page = context.new_page()
    width = options["viewport"]["width"]
    wide, shots = [], []
    for kind, path in page_kinds.items():
        page.goto(path)
        if page.evaluate("document.documentElement.scrollWidth") > width:
            wide.append(kind)
        shots.append(page.screenshot(path=str(screenshots / f"{kind}-{size}-{theme}.png")))
    page.goto("/")
    shots.append(page.screenshot(path=str(screenshots / f"home-{size}-{theme}-full.png"), full_page=True))
    context.close()
    assert wide == [], f"pages that scroll sideways at {width} px: {wide}"
    assert all(shot[:8] == PNG for shot in shots)
