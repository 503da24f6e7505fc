"""A rendered incident page compared byte for byte with a reviewed copy (tests/golden/).

After an intended change to the page, regenerate the copy with SALVO_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from conftest import incident

GOLDEN = Path(__file__).parent / "golden" / "incident.html"


def test_incident_page_matches_the_golden_copy(make_site):
    site = make_site({
        "content/incidents/2017-07-04-hwasong-14.md": incident(
            "Hwasong-14 from Panghyon", caveats='["Fired on a lofted trajectory."]', tags="[icbm]",
            body="The first **ICBM** in the record.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"),
        "content/incidents/2017-07-28-second.md": incident("Second Hwasong-14", "2017-07-28"),
    })
    run = site.run("build")
    assert run.code == 0, run.err
    page = (site.public / "incidents/2017-07-04-hwasong-14/index.html").read_text(encoding="utf-8")
    if os.environ.get("SALVO_UPDATE_GOLDEN"):
        GOLDEN.write_text(page, encoding="utf-8")
    assert page == GOLDEN.read_text(encoding="utf-8")
