"""`serve`: a live-reloading preview, with drafts, built into a temporary folder and never into public/.

The server knows one thing about building: a builder, `rebuild(changed) -> list[Problem]`, called once each burst
of changes under site.toml, content/, templates/ and static/ has settled (the folders are watched through the
system's file events, inotify on Linux), and again if files changed while it ran.
Browsers reload only after it returns. Problems never stop the server: they are printed as `build` prints
them and laid over the last good pages until a clean rebuild. Pages are served by livereload (on tornado),
which adds its reload script to every HTML response.
"""

from __future__ import annotations

import contextlib
import errno
import html
import logging
import mimetypes
import os
import queue
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

import watchfiles
from livereload import Server
from livereload.handlers import LiveReloadHandler
from tornado.ioloop import IOLoop

from salvo import pipeline
from salvo.cache import Cache
from salvo.errors import Problem, SiteError, display_path
from salvo.notes import ignored_name
from salvo.options import Options
from salvo.pipeline import BuildReport
from salvo.sites import SITES_FILE

Builder = Callable[[Collection[str] | None], list[Problem]]  # what changed (None: everything) -> problems
WATCHED = ("site.toml", "content", "templates", "static")
FOLDERS = WATCHED[1:]
POLLED = (WATCHED[0], SITES_FILE)  # the files read with the configuration
STEP_MS = 30  # a burst of saves is over once nothing has changed for this long
DEBOUNCE_MS = 500  # changes that keep coming are still built at least this often
POLL_MS = 100  # how often site.toml and the folders' existence are looked at
OVERLAY_ID = "salvo-problems"
BODY = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)
NO_PREVIEW = (b'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Salvo preview</title>\n'
              b"</head>\n<body>\n<p>No preview yet: the site has not built since the server started.</p>\n"
              b"</body>\n</html>\n")


def preview_builder(source: Path, work: Path, base_url: str) -> Builder:
    """The one call the server makes: build the site with drafts into work/site; problems, never exceptions."""
    options = Options(drafts=True, base_url=base_url)
    cache = Cache(work / "cache", persist=False)  # each rebuild reuses the last one's work from memory
    last: BuildReport | None = None  # the last good build, when the preview shows exactly it

    def rebuild(changed: Collection[str] | None) -> list[Problem]:
        """Build the preview; return what is wrong with the site (nothing is written then)."""
        nonlocal last
        built, last = last, None  # after a failure, the next rebuild is a whole one
        try:
            last = pipeline.rebuild(source, work / "site", options, cache, built, changed or ())
        except SiteError as error:
            return error.problems
        except Exception as error:
            traceback.print_exception(error, file=sys.stderr)
            frame = traceback.extract_tb(error.__traceback__)[-1]
            return [Problem(display_path(Path(frame.filename), source), frame.lineno or 1, "",
                            f"unexpected {type(error).__name__} while building: {error}")]
        return []

    return rebuild


def overlay(problems: list[Problem]) -> bytes:
    """The error panel laid over a page: every problem, escaped, with its file and line."""
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    items = "".join(f'<li data-path="{html.escape(p.path)}" data-line="{p.line}"><code>{html.escape(p.path)}:'
                    f"{p.line}</code>: {html.escape(p.message)}</li>\n" for p in problems)
    return (f'<div id="{OVERLAY_ID}" role="alert" style="position:fixed;top:0;left:0;right:0;z-index:2147483647;'
            "max-height:80vh;overflow:auto;margin:0;padding:1em 1.5em;background:#fff4f4;color:#5c0000;"
            "border-bottom:4px solid #c00;box-shadow:0 4px 16px rgba(0,0,0,.35);font:15px/1.5 system-ui,sans-serif"
            f'"><p style="margin:0 0 .5em;font-weight:bold">The preview could not be rebuilt: {count}. Showing '
            "the last good build; this page reloads once the problem is fixed.</p>\n"
            f'<ul style="margin:0;padding-left:1.2em">\n{items}</ul></div>\n').encode()


class Preview:
    """A WSGI app serving the last good build, with the current problems laid over every HTML page."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Answer one request."""
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
        status, headers, body = self.respond(path)
        if self.problems and headers[0][1].startswith("text/html"):
            found = BODY.search(body)
            at = found.end() if found else len(body)
            body = body[:at] + overlay(self.problems) + body[at:]
        start_response(status, [*headers, ("Cache-Control", "no-store")])
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]

    def respond(self, path: str) -> tuple[str, list[tuple[str, str]], bytes]:
        """Status, headers (Content-Type first) and body for a path, before any overlay."""
        parts = [p for p in path.split("/") if p not in ("", ".")]
        target = self.root.joinpath(*parts) if ".." not in parts and "\x00" not in path else None
        if target is not None and target.is_dir():
            if not path.endswith("/"):
                return "301 Moved Permanently", [("Content-Type", "text/plain"), ("Location", path + "/")], b""
            target = target / "index.html"
        if target is not None and target.is_file():
            try:
                return "200 OK", [("Content-Type", content_type(target))], target.read_bytes()
            except OSError:  # swapped out by a rebuild this very moment
                pass
        if not self.root.is_dir():
            return "200 OK", [("Content-Type", "text/html; charset=utf-8")], NO_PREVIEW
        missing = self.root / "404.html"
        body = missing.read_bytes() if missing.is_file() else b"<!doctype html><title>Not found</title><h1>Not found"
        return "404 Not Found", [("Content-Type", "text/html; charset=utf-8")], body


def content_type(path: Path) -> str:
    """The Content-Type for a file, with the charset for text."""
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    text = kind.startswith("text/") or kind.endswith(("xml", "json", "javascript"))
    return f"{kind}; charset=utf-8" if text else kind


def watched_state(source: Path) -> dict[str, tuple[int, int, int] | bool | None]:
    """What is looked at by polling: the (mtime, size, inode) of site.toml and launch-sites.toml, and which watched
    folders exist (an editor may replace site.toml by renaming a new file over it, or create templates/ while the
    server runs)."""
    state: dict[str, tuple[int, int, int] | bool | None] = {name: (source / name).is_dir() for name in FOLDERS}
    for name in POLLED:
        try:
            info = (source / name).stat()
            state[name] = (info.st_mtime_ns, info.st_size, info.st_ino)
        except OSError:
            state[name] = None
    return state


class Rebuilder:
    """Watches the site (the folders through the system's file events, site.toml by polling), rebuilds after
    each settled burst of changes, then tells the browsers to reload."""

    def __init__(self, source: Path, rebuild: Builder, preview: Preview, loop: IOLoop) -> None:
        self.source, self.rebuild, self.preview, self.loop = source, rebuild, preview, loop
        self.stopped = threading.Event()
        self.watching = threading.Event()
        self.changes: queue.SimpleQueue[set[str]] = queue.SimpleQueue()
        self.threads = [threading.Thread(target=self.watch, name="salvo-watch", daemon=True),
                        threading.Thread(target=self.build, name="salvo-rebuild", daemon=True)]

    def start(self) -> None:
        """Start watching, build once, then rebuild on changes: a change made during the first build is kept."""
        self.threads[0].start()
        self.watching.wait(timeout=10)
        self.run("Preview with drafts", None, "built")
        self.threads[1].start()

    def run(self, reason: str, changed: set[str] | None, done: str = "rebuilt") -> None:
        """Call the builder once, publish its problems and print them, with one line for the rebuild."""
        started = time.perf_counter()
        problems = self.rebuild(changed)
        self.preview.problems = problems
        ms = (time.perf_counter() - started) * 1000
        for problem in problems:
            print(problem, file=sys.stderr, flush=True)
        if problems:
            count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
            print(f"{reason}: {count} found in {ms:.0f} ms; the preview shows the last good build.", flush=True)
        else:
            print(f"{reason}: {done} in {ms:.0f} ms.", flush=True)

    def watch(self) -> None:
        """Queue each settled burst of changes, as paths relative to the site; watch again when folders come
        or go."""
        state = watched_state(self.source)
        while not self.stopped.is_set():
            folders = [str(self.source / name) for name in FOLDERS if state[name]]
            bursts = watchfiles.watch(*folders, watch_filter=self.wanted, debounce=DEBOUNCE_MS, step=STEP_MS,
                                      stop_event=self.stopped, rust_timeout=POLL_MS, yield_on_timeout=True,
                                      raise_interrupt=False) if folders else iter(self.ticks, None)
            for burst in bursts:
                self.watching.set()
                if self.stopped.is_set():
                    return
                changed = {self.relative(path) for _, path in burst}
                now = watched_state(self.source)
                changed |= {name for name in now if now[name] != state[name]}
                moved = any(now[name] != state[name] for name in FOLDERS)
                state = now
                if changed:
                    self.changes.put(changed)
                if moved:
                    break

    def ticks(self) -> set[tuple[Any, str]]:
        """No folder to watch: nothing to report but the passing of time, for the polling."""
        self.stopped.wait(POLL_MS / 1000)
        return set()

    def relative(self, path: str) -> str:
        """A changed file's path as problems give it: content/incidents/x.md."""
        return os.path.relpath(path, self.source).replace(os.sep, "/")

    def wanted(self, change: Any, path: str) -> bool:
        """Whether a changed file counts: not hidden, not an editor's temporary or backup file."""
        return not any(ignored_name(part) for part in self.relative(path).split("/"))

    def build(self) -> None:
        """Rebuild after each burst (with every burst that queued meanwhile); reload the browsers only after a
        rebuild during which nothing changed."""
        while not self.stopped.is_set():
            try:
                changed = self.changes.get(timeout=POLL_MS / 1000)
            except queue.Empty:
                continue
            with contextlib.suppress(queue.Empty):
                while True:
                    changed |= self.changes.get_nowait()
            self.run(f"{min(changed) if len(changed) == 1 else f'{len(changed)} files'} changed", changed)
            if self.changes.empty() and not self.stopped.is_set():
                self.loop.add_callback(LiveReloadHandler.reload_waiters)

    def stop(self) -> None:
        """Stop watching, giving a rebuild under way a few seconds to finish (it cannot be interrupted)."""
        self.stopped.set()
        for thread in self.threads:
            if thread.is_alive():
                thread.join(timeout=5)


def stop_serving(signum: int, frame: Any) -> None:
    """SIGTERM stops the server as Ctrl-C does."""
    raise KeyboardInterrupt


def worker_signals() -> None:
    """In a process the build forks: Ctrl-C is the server's to handle, and SIGTERM ends it at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def serve(source: Path, bind: str, port: int) -> int:
    """Preview the site at http://bind:port/ until Ctrl-C or SIGTERM: 0, or 2 when the address cannot be used."""
    source = source.resolve()
    if not (source / WATCHED[0]).is_file():
        print(f"Error: no {WATCHED[0]} in {source}: is --source the site's folder?", file=sys.stderr)
        return 2
    if not 0 < port < 65536:
        print(f"Error: --port must be between 1 and 65535, not {port}.", file=sys.stderr)
        return 2
    host = "127.0.0.1" if bind in ("", "0.0.0.0", "::") else bind
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/"
    handlers = {signal.SIGINT: signal.signal(signal.SIGINT, signal.default_int_handler),
                signal.SIGTERM: signal.signal(signal.SIGTERM, stop_serving)}
    os.register_at_fork(after_in_child=worker_signals)  # pool workers must not inherit the handlers above
    logging.getLogger("tornado.access").setLevel(logging.ERROR)  # no line per request, but server errors
    work = Path(tempfile.mkdtemp(prefix="salvo-serve-"))
    rebuilder = None
    try:
        preview = Preview(work / "site")
        try:
            Server(preview).application(port, bind, debug=False, live_css=False)
        except OSError as error:
            in_use = error.errno == errno.EADDRINUSE
            print(f"Error: port {port} on {bind} is already in use: stop the other server or choose another port "
                  "with --port." if in_use else f"Error: cannot listen on {bind} port {port}: "
                  f"{error.strerror or error}: check --bind and --port.", file=sys.stderr)
            return 2
        rebuilder = Rebuilder(source, preview_builder(source, work, url), preview, IOLoop.current())
        rebuilder.start()
        print(f"Serving {source} on {url} (Ctrl-C to stop)", flush=True)
        IOLoop.current().start()
    except KeyboardInterrupt:
        print("Stopped.", flush=True)
    finally:
        for sig in handlers:
            signal.signal(sig, signal.SIG_IGN)
        if rebuilder:
            rebuilder.stop()
        shutil.rmtree(work, ignore_errors=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    return 0
