"""`serve`: a live-reloading preview, with drafts, built into a temporary folder and never into public/.

The server knows one thing about building: a builder, `rebuild() -> list[Problem]`, called once each burst
of changes under site.toml, content/, templates/ and static/ has settled (the folders are watched through the
system's file events, inotify on Linux), and again if files changed while it ran.
Browsers reload only after it returns. Problems never stop the server: they are printed as `build` prints
them and laid over the last good pages until a clean rebuild. Pages are served on Tornado with livereload's
script added to every HTML response, and only to requests that name this preview (see `own_host`).
"""

from __future__ import annotations

import contextlib
import errno
import html
import ipaddress
import logging
import mimetypes
import os
import queue
import re
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import watchfiles
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.server import LiveScriptContainer
from tornado import httputil, web
from tornado.ioloop import IOLoop
from tornado.routing import AnyMatches, Matcher, Rule
from tornado.websocket import WebSocketHandler

from salvo import pipeline
from salvo.cache import Cache
from salvo.errors import Problem, SiteError, display_path
from salvo.notes import ignored_name
from salvo.options import Options
from salvo.pipeline import BuildReport
from salvo.sites import SITES_FILE

Builder = Callable[[], list[Problem]]  # build the preview -> its problems
WATCHED = ("site.toml", "content", "templates", "static")
FOLDERS = WATCHED[1:]
POLLED = (WATCHED[0], SITES_FILE)  # the files read with the configuration
STEP_MS = 30  # a burst of saves is over once nothing has changed for this long
DEBOUNCE_MS = 500  # changes that keep coming are still built at least this often
POLL_MS = 100  # how often site.toml and the folders (which, and whether replaced) are looked at
OVERLAY_ID = "salvo-problems"
LOOPBACK = ("localhost", "127.0.0.1", "[::1]")  # the Host names every preview answers to
WILDCARDS = ("", "0.0.0.0", "::")  # --bind values that listen on every address
# livereload's own snippet: load its client from this server, whatever name the page was opened by.
LIVE_SCRIPT = (b'<script>(function(){var s=document.createElement("script");var port=location.port||'
               b'(location.protocol=="https:"?443:80);s.src="//"+location.hostname+":"+port+"/livereload.js?port="'
               b"+port;document.head.appendChild(s)})();</script>")
BODY = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)
NO_PREVIEW = (b'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Salvo preview</title>\n'
              b"</head>\n<body>\n<p>No preview yet: the site has not built since the server started.</p>\n"
              b"</body>\n</html>\n")


def preview_builder(source: Path, work: Path, base_url: str) -> Builder:
    """The one call the server makes: build the site with drafts into work/site; problems, never exceptions."""
    options = Options(drafts=True, base_url=base_url)
    cache = Cache(work / "cache", persist=False)  # each rebuild reuses the last one's work from memory
    last: BuildReport | None = None  # the last good build, whose site the next one reuses if nothing in it changed

    def rebuild() -> list[Problem]:
        """Build the preview; return what is wrong with the site (nothing is written then)."""
        nonlocal last
        try:
            last = pipeline.build(source, work / "site", options, cache, last)
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
    """The problems banner for the top of a page: every problem, escaped, with its file and line. It takes its own
    room above the page (hiding none of it, script or not), and its button closes it without script (a dialog)."""
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    items = "".join(f'<li data-path="{html.escape(p.path)}" data-line="{p.line}"><code>{html.escape(p.path)}:'
                    f"{p.line}</code>: {html.escape(p.message)}</li>\n" for p in problems)
    return (f'<dialog id="{OVERLAY_ID}" open aria-labelledby="{OVERLAY_ID}-title" style="position:static;'
            "box-sizing:border-box;width:auto;max-width:none;max-height:50vh;overflow:auto;margin:0;"
            "padding:1em 1.5em;border:0;border-bottom:4px solid #c00;background:#fff4f4;color:#5c0000;"
            f'font:15px/1.5 system-ui,sans-serif"><div role="alert"><p id="{OVERLAY_ID}-title" style="margin:0 0 .5em;'
            f'font-weight:bold">The preview could not be rebuilt: {count}. Showing the last good build; this page '
            f'reloads once the problem is fixed.</p>\n<ul style="margin:0;padding-left:1.2em">\n{items}</ul></div>\n'
            '<form method="dialog" style="margin:.75em 0 0"><button style="font:inherit;padding:.2em 1em;border:0;'
            'border-radius:3px;background:#5c0000;color:#fff;cursor:pointer">Dismiss</button></form></dialog>\n'
            ).encode()


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
        if ".." not in parts and "\x00" not in path:
            target = self.root.joinpath(*parts)
            # No such file, a name too long for the file system, or swapped out by a rebuild this very moment: 404.
            with contextlib.suppress(OSError):
                if target.is_dir():
                    if not path.endswith("/"):  # to the one path that names it: never `//name/`, another host
                        location = quote("/" + "".join(f"{p}/" for p in parts))
                        return "301 Moved Permanently", [("Content-Type", "text/plain"), ("Location", location)], b""
                    target = target / "index.html"
                return "200 OK", [("Content-Type", content_type(target))], target.read_bytes()
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


def watched_state(source: Path) -> dict[str, tuple[int, ...] | None]:
    """What is looked at by polling: the (mtime, size, inode) of site.toml and launch-sites.toml, and each watched
    folder's (device, inode), None when missing (an editor may rename a new site.toml over the old; a checkout may
    replace a folder)."""
    state: dict[str, tuple[int, ...] | None] = {}
    for name in (*POLLED, *FOLDERS):
        try:
            info = (source / name).stat()
        except OSError:
            state[name] = None
            continue
        folder = name in FOLDERS
        state[name] = ((info.st_dev, info.st_ino) if stat.S_ISDIR(info.st_mode) else None) if folder else (
            info.st_mtime_ns, info.st_size, info.st_ino)
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
        self.run("Preview with drafts", "built")
        self.threads[1].start()

    def run(self, reason: str, done: str = "rebuilt") -> None:
        """Call the builder once, publish its problems and print them, with one line for the rebuild."""
        started = time.perf_counter()
        problems = self.rebuild()
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
        """Queue each settled burst of changes, as paths relative to the site. A folder removed, renamed or
        replaced (even by one with the same inode) takes its watch with it: watch again, then queue the burst, so
        that the rebuild reads the new folder only once its later changes are seen."""
        state = watched_state(self.source)
        pending: set[str] = set()  # changes held back until the folders are watched again
        while not self.stopped.is_set():
            folders = [str(self.source / name) for name in FOLDERS if state[name]]
            bursts = watchfiles.watch(*folders, watch_filter=self.wanted, debounce=DEBOUNCE_MS, step=STEP_MS,
                                      stop_event=self.stopped, rust_timeout=POLL_MS, yield_on_timeout=True,
                                      raise_interrupt=False) if folders else iter(self.ticks, None)
            for burst in bursts:
                self.watching.set()
                if self.stopped.is_set():
                    return
                now = watched_state(self.source)
                changed = {self.relative(path) for _, path in burst} | {n for n in now if now[n] != state[n]}
                state, pending = now, pending | changed
                if changed & set(FOLDERS):  # an event on a watched folder itself, or a new one in its place
                    break
                if pending:
                    self.changes.put(pending)
                    pending = set()

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
            self.run(f"{min(changed) if len(changed) == 1 else f'{len(changed)} files'} changed")
            if self.changes.empty() and not self.stopped.is_set():
                self.loop.add_callback(reload_browsers)

    def stop(self) -> None:
        """Stop watching, giving a rebuild under way a few seconds to finish (it cannot be interrupted)."""
        self.stopped.set()
        for thread in self.threads:
            if thread.is_alive():
                thread.join(timeout=5)


def own_host(name: str, bind: str) -> bool:
    """Whether a request's Host (without its port) names this preview: a loopback name, the --bind address, or,
    when listening on every address, any IP address. A web page can give its own host name any address (DNS
    rebinding), never another IP address, so only these are answered, as Vite and webpack-dev-server do."""
    if name in LOOPBACK or name == (f"[{bind}]" if ":" in bind else bind).lower():
        return True
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return bind in WILDCARDS


class OwnHost(Matcher):
    """Matches requests whose Host names this preview."""

    def __init__(self, bind: str) -> None:
        self.bind = bind

    def match(self, request: httputil.HTTPServerRequest) -> dict[str, Any] | None:
        """Route on (an empty match) or refuse (None)."""
        return {} if own_host(request.host_name, self.bind) else None


class Refused(web.RequestHandler):
    """Any request for another Host: 403 and one line saying why."""

    def initialize(self, url: str) -> None:
        self.url = url

    def prepare(self) -> None:
        """Refuse before any method runs."""
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"Forbidden: this preview answers only to {', '.join(LOOPBACK)} and the --bind address, so that "
                    f"no web site can read it through DNS rebinding; open {self.url}\n")


class LiveSocket(LiveReloadHandler):
    """livereload's socket, for pages of this preview only: a browser's Origin must be the Host (Tornado's rule,
    which livereload turns off)."""

    check_origin = WebSocketHandler.check_origin


def application(preview: Preview, bind: str, url: str) -> web.Application:
    """The server: the preview's pages with livereload's script, its client and its socket, for own Hosts only."""
    pages = LiveScriptContainer(preview, LIVE_SCRIPT)
    own = [(r"/livereload", LiveSocket), (r"/livereload\.js", LiveReloadJSHandler),
           (r".*", web.FallbackHandler, {"fallback": pages})]
    return web.Application([Rule(OwnHost(bind), own), Rule(AnyMatches(), Refused, {"url": url})])


def reload_browsers() -> None:
    """Tell every page connected to the socket to reload (livereload's protocol)."""
    for socket in list(LiveReloadHandler.waiters):
        socket.send_message({"command": "reload", "path": "*", "liveCSS": False, "liveImg": False})


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
            application(preview, bind, url).listen(port, address=bind)
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
