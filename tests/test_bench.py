"""The benchmark runs end to end at a tiny size (figures are printed, never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_builds_every_tool_and_reports_figures(tmp_path):
    results = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "bench/run.py", "--quick", "--scratch", str(tmp_path / "scratch"),
                           "--results", str(results)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    data = json.loads(results.read_text())
    text = json.dumps(data)
    for tool in ("salvo", "hugo", "pelican", "eleventy"):
        assert f'"{tool}"' in text, f"no figures for {tool}"
    assert "Salvo/peer" in done.stdout
