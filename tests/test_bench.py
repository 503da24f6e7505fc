"""The benchmark runs end to end at a tiny size, Salvo alone (figures are printed, never asserted): `make bench`
installs and times the peers; the test suite does not download them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_builds_salvo_and_reports_figures(tmp_path):
    results = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "bench/run.py", "--quick", "--tools", "salvo", "--scratch",
                           str(tmp_path / "scratch"), "--results", str(results)], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    data = json.loads(results.read_text())
    text = json.dumps(data["sizes"])
    assert '"salvo"' in text and "hugo" not in text, text[:500]
    assert not (tmp_path / "scratch" / "peers").exists(), "the smoke test installed the peers"
