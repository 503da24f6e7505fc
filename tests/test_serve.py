"""`serve`: a real server process on a free port, talked to over HTTP and its live-reload WebSocket."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TypeVar

import pytest
from conftest import BUILD, ROOT, SITE_TOML, Page, Site, incident

from salvo.errors import Problem
from salvo.serve import OVERLAY_ID, STEP_MS, Preview, preview_builder

T = TypeVar("T")
NOTE = "content/incidents/2017-07-04-test.md"
PAGE = "/incidents/2017-07-04-test/"
STARTUP = 30.0
CHANGE = 15.0


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def until(check: Callable[[], T | None], timeout: float, what: str) -> T:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


@dataclass
class Response:
    """One HTTP answer."""

    status: int
    type: str
    text: str

    @property
    def page(self) -> Page:
        """The body, parsed."""
        return Page.parse(self.text)

    def problems(self) -> list[dict[str, object]]:
        """The overlay's problem items (empty when the page has no overlay)."""
        page = self.page
        if not any(dict(e["attrs"]).get("id") == OVERLAY_ID for e in page.elements):  # type: ignore[arg-type]
            return []
        return [e for e in page.find_all("li") if "data-path" in dict(e["attrs"])]  # type: ignore[arg-type]


@dataclass
class Served:
    """A running `build.py serve` process and the site it previews."""

    site: Site
    process: subprocess.Popen[bytes]
    port: int
    temp: Path
    logs: Path
    address: str = "127.0.0.1"

    @property
    def url(self) -> str:
        """The preview's address."""
        return f"http://{self.address}:{self.port}"

    def raw(self, path: str, host: str | None = None) -> tuple[int, str | None, str]:
        """GET a path as written, with this Host header (default: the server's own); status, Location, body."""
        connection = http.client.HTTPConnection(self.address, self.port, timeout=10)
        try:
            connection.request("GET", path, headers={"Host": host or f"{self.address}:{self.port}"})
            answer = connection.getresponse()
            return answer.status, answer.getheader("Location"), answer.read().decode()
        finally:
            connection.close()

    def get(self, path: str = "/") -> Response:
        """GET a path; HTTP errors are answers too."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as answer:
                return Response(answer.status, answer.headers["Content-Type"], answer.read().decode())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers["Content-Type"], error.read().decode())

    def out(self) -> str:
        """Everything printed to stdout so far."""
        return (self.logs / "out").read_text()

    def err(self) -> str:
        """Everything printed to stderr so far."""
        return (self.logs / "err").read_text()

    def rebuilds(self) -> int:
        """How many rebuilds the server has reported (the first build not counted)."""
        return sum(" changed: " in line for line in self.out().splitlines())

    def shows(self, text: str, path: str = PAGE) -> Response | None:
        """The page, once it contains `text` and no overlay."""
        self.alive()
        answer = self.get(path)
        return answer if text in answer.text and not answer.problems() else None

    def overlaid(self, path: str = PAGE) -> Response | None:
        """The page, once it carries the problems overlay."""
        self.alive()
        answer = self.get(path)
        return answer if answer.problems() else None

    def alive(self) -> None:
        """Fail at once, with the output, if the server has died."""
        if self.process.poll() is not None:
            pytest.fail(f"serve exited with {self.process.returncode}:\n{self.out()}\n{self.err()}")

    def previews(self) -> list[Path]:
        """The server's temporary folders."""
        return sorted(self.temp.glob("salvo-serve-*"))


@pytest.fixture
def serve(make_site: Callable[..., Site], tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """serve({files}) -> a ready server in a new site; stopped (and public/ checked untouched) afterwards."""
    started: list[tuple[Served, bool]] = []

    def start(files: dict[str, str | bytes] | None = None, site: Site | None = None, bind: str = "127.0.0.1"
              ) -> Served:
        site = site or make_site({NOTE: incident(body="First account."), **(files or {})})
        temp, logs = tmp_path / "tmp", tmp_path / "logs"
        temp.mkdir(exist_ok=True)
        logs.mkdir(exist_ok=True)
        port = free_port()
        with (logs / "out").open("wb") as out, (logs / "err").open("wb") as err:
            process = subprocess.Popen([sys.executable, str(BUILD), "serve", "--port", str(port), "--bind", bind],
                                       cwd=site.root,
                                       stdout=out, stderr=err, env={**os.environ, "TMPDIR": str(temp)})
        served = Served(site, process, port, temp, logs, bind)
        started.append((served, site.public.exists()))
        until(lambda: _ready(served), STARTUP, "the server to answer")
        return served

    yield start
    for served, had_public in started:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(timeout=10)
        if not had_public:
            assert not served.site.public.exists(), "serve must never create public/"


def _ready(served: Served) -> bool:
    """Whether the server is up and answers the home page (failing at once if it died)."""
    served.alive()
    try:
        with socket.create_connection((served.address, served.port), timeout=1):
            pass
    except OSError:
        return False
    return served.get("/").status == 200


def test_serves_pages_drafts_and_the_live_reload_script(serve: Callable[..., Served]) -> None:
    served = serve({"content/incidents/2017-07-05-draft.md": incident("Unfinished launch", "2017-07-05", draft="true")})
    home = served.get("/")
    assert home.status == 200 and home.type.startswith("text/html")
    for path in ("/", PAGE, "/incidents/2017-07-05-draft/", "/periods/", "/no-such-page/"):
        answer = served.get(path)
        assert answer.status == (404 if path == "/no-such-page/" else 200)
        scripts = [str(e["text"]) for e in answer.page.find_all("script")]
        assert any('"/livereload.js?port="' in s for s in scripts), f"no live-reload script in {path}"
    draft = served.get("/incidents/2017-07-05-draft/").page
    assert draft.text_of("h1") == ["Unfinished launch"]
    assert draft.find_all("p", class_="draft-banner"), "drafts are shown, marked as drafts"
    script = served.get("/livereload.js?port=1")
    assert script.status == 200 and "javascript" in script.type and "LiveReload" in script.text
    css = served.get("/static/style.css")
    assert css.status == 200 and css.type.startswith("text/css") and "livereload" not in css.text
    assert served.get("/../../etc/passwd").status == 404
    assert "Serving" in served.out() and "built in" in served.out()
    time.sleep(0.5)
    assert served.rebuilds() == 0, "writing the preview must not trigger a rebuild"


def test_an_edit_is_served_without_a_restart_and_reloads_browsers_after_the_build(
        serve: Callable[..., Served]) -> None:
    served = serve()
    assert "First account." in served.get(PAGE).text

    async def edit_and_wait_for_reload() -> str:
        from tornado.websocket import websocket_connect

        socket_ = await asyncio.wait_for(websocket_connect(f"ws://127.0.0.1:{served.port}/livereload"), 10)
        socket_.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/"
                                                                             "official-7"]}))
        assert json.loads(await asyncio.wait_for(socket_.read_message(), 10))["command"] == "hello"
        socket_.write_message(json.dumps({"command": "info", "url": served.url + PAGE}))
        await asyncio.sleep(0.3)
        served.site.write({NOTE: incident(body="Second account.")})
        message = json.loads(await asyncio.wait_for(socket_.read_message(), CHANGE))
        assert message["command"] == "reload"
        page = await asyncio.to_thread(served.get, PAGE)
        socket_.close()
        return page.text

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in the main thread.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        page = thread.submit(asyncio.run, edit_and_wait_for_reload()).result()
    assert "Second account." in page, "reload is sent only after the rebuild"
    assert served.rebuilds() == 1
    assert f"{NOTE} changed: rebuilt in " in served.out()


def test_a_body_edit_rewrites_only_its_page_and_the_feed_and_every_edit_ends_as_a_clean_build(
        serve: Callable[..., Served], tmp_path: Path) -> None:
    before = "content/incidents/2017-05-14-test.md"
    served = serve({before: incident("Earlier launch", "2017-05-14", body="Earlier account.")})
    [work] = served.previews()
    preview = work / "site"

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    def equals_a_clean_build(step: str) -> None:
        clean = tmp_path / f"clean-{step}"
        run = served.site.run("build", "--drafts", "--base-url", served.url + "/", "--destination", str(clean))
        assert run.code == 0, run.err
        assert files(preview) == files(clean), f"after the {step} edit, the preview differs from a clean build"

    for step, note, shown in [("body", incident(body="Edited account."), "Edited account."),
                              ("title", incident("Renamed launch", body="Edited account."), "Renamed launch"),
                              ("second body", incident("Renamed launch", body="Third account."), "Third account.")]:
        old = files(preview)
        served.site.write({NOTE: note})
        until(lambda shown=shown: served.shows(shown), CHANGE, f"the {step} edit")  # type: ignore[misc]
        now = files(preview)
        changed = {rel for rel in old.keys() | now.keys() if old.get(rel) != now.get(rel)}
        if step == "title":  # the timelines, lists and neighbour pages show the title
            assert len(changed) > 2
        else:  # a body is shown only on its page and in the feed: nothing else may change
            assert changed == {PAGE.strip("/") + "/index.html", "feed.xml"}
        equals_a_clean_build(step)


def test_a_broken_note_shows_the_problem_over_the_last_good_page_until_fixed(
        serve: Callable[..., Served], tmp_path: Path) -> None:
    served = serve({"content/incidents/2018-01-01-other.md": incident("Other launch", "2018-01-01")})
    served.site.write({NOTE: incident(missile_type="ICBMX", body="Broken account.")})
    answer = until(served.overlaid, CHANGE, "the problems overlay")
    [item] = answer.problems()
    assert dict(item["attrs"]) == {"data-path": NOTE, "data-line": "5"}  # type: ignore[arg-type]
    text = " ".join(str(item["text"]).split())
    assert text.startswith(f"{NOTE}:5: `missile_type` is `ICBMX`") and "Did you mean `ICBM`?" in text
    assert "First account." in answer.text and "Broken account." not in answer.text, "the last good page stays"
    assert any("/livereload.js" in str(e["text"]) for e in answer.page.find_all("script")), "it still reloads"
    assert served.get("/").problems() and "Other launch" in served.get("/").text, "every page carries it"
    build = served.site.run("build", "--drafts", "--destination", str(tmp_path / "out"))
    lines = [line for line in build.err.splitlines() if not line.startswith("Error:")]
    assert lines and all(line in served.err().splitlines() for line in lines), "the same lines as `build`"
    assert served.process.poll() is None
    served.site.write({NOTE: incident(body="Fixed account.")})
    until(lambda: served.shows("Fixed account."), CHANGE, "the fixed page")
    assert not served.get("/").problems()


def test_a_site_broken_from_the_start_shows_the_problems_then_the_site(serve: Callable[..., Served]) -> None:
    served = serve({NOTE: incident(date="2017-13-45")})
    answer = served.get("/")
    assert answer.status == 200 and [dict(i["attrs"])["data-path"] for i in answer.problems()] == [NOTE]  # type: ignore[arg-type]
    assert any("/livereload.js" in str(e["text"]) for e in answer.page.find_all("script"))
    assert "1 problem found" in served.out() and served.err().startswith(f"{NOTE}:3: ")
    served.site.write({NOTE: incident(body="Now valid.")})
    until(lambda: served.shows("Now valid."), CHANGE, "the site once the note is fixed")


def test_a_half_written_note_is_never_published(serve: Callable[..., Served]) -> None:
    served = serve()
    full = incident("Renamed launch", body="Complete account.")
    served.site.write({NOTE: full[: len(full) // 2]})
    answer = until(served.overlaid, CHANGE, "the half-written note to be refused")
    assert [dict(i["attrs"])["data-path"] for i in answer.problems()] == [NOTE]  # type: ignore[arg-type]
    assert answer.page.text_of("h1") == ["Test launch"]
    served.site.write({NOTE: full})
    assert until(lambda: served.shows("Complete account."), CHANGE, "the whole note").page.text_of("h1") == [
        "Renamed launch"]


def test_a_burst_of_saves_ends_on_the_final_content(serve: Callable[..., Served]) -> None:
    served = serve()
    path = served.site.root / NOTE
    saved = []
    for i in range(1, 21):
        if i % 2:
            path.write_text("")  # truncate, then write: a moment with an empty note
            path.write_text(incident(body=f"Save {i}."))
        else:  # write a temporary file, then rename it over the note
            temp = path.with_name(f".{path.name}.tmp")
            temp.write_text(incident(body=f"Save {i}."))
            os.replace(temp, path)
        saved.append(time.monotonic())
        time.sleep(0.002)  # as a tool rewrites files: faster than the watcher's quiet period (30 ms)
    until(lambda: served.shows("Save 20."), CHANGE, "the final save")
    time.sleep(0.6)
    assert served.shows("Save 20."), "nothing older replaces the final content"
    # A loaded machine may pause the burst for longer than the quiet period: each such pause may end a burst.
    pauses = sum(later - earlier > STEP_MS / 1000 for earlier, later in pairwise(saved))
    assert 1 <= served.rebuilds() <= 3 + pauses, f"a burst gives one rebuild, not {served.rebuilds()}"
    assert "found in" not in served.out(), "no half-written state was built"


def test_a_template_error_is_shown_and_recovers(serve: Callable[..., Served]) -> None:
    served = serve()
    served.site.write({"templates/incident.html": '{% extends "base.html" %}\n{% block main %}\n{% if %}\n'
                                                  "{% endblock %}\n"})
    [item] = until(served.overlaid, CHANGE, "the template syntax error").problems()
    assert dict(item["attrs"]) == {"data-path": "templates/incident.html", "data-line": "3"}  # type: ignore[arg-type]
    served.site.write({"templates/incident.html": '{% extends "base.html" %}\n{% block main %}\n'
                                                  "<p>{{ no_such_name }}</p>\n{% endblock %}\n"})
    until(lambda: "no_such_name" in str(served.overlaid() and served.get(PAGE).problems()), CHANGE,
          "the undefined-name error")
    [item] = served.get(PAGE).problems()
    assert dict(item["attrs"])["data-path"] == "templates/incident.html"  # type: ignore[arg-type]
    assert served.process.poll() is None
    (served.site.root / "templates" / "incident.html").unlink()
    until(lambda: served.shows("First account."), CHANGE, "recovery once the template is gone")


def test_a_site_toml_error_is_shown_and_recovers(serve: Callable[..., Served]) -> None:
    served = serve()
    served.site.write({"site.toml": SITE_TOML.replace('language = "en"', 'language = "en')})
    [item] = until(served.overlaid, CHANGE, "the site.toml error").problems()
    assert dict(item["attrs"]) == {"data-path": "site.toml", "data-line": "5"}  # type: ignore[arg-type]
    assert "invalid TOML" in str(item["text"])
    served.site.write({"site.toml": SITE_TOML.replace("Test timeline", "Renamed timeline")})
    assert until(lambda: served.shows("Renamed timeline", "/"), CHANGE, "the fixed site.toml")


def test_listens_on_loopback_only(serve: Callable[..., Served]) -> None:
    served = serve()
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:] if Path(table).exists() else []:
            local, state = row.split()[1], row.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == served.port:
                listening.append(local.rsplit(":", 1)[0])
    assert listening == ["0100007F"], f"listening on {listening}, not 127.0.0.1 only"
    for address in _outside_addresses():
        with socket.socket() as probe, pytest.raises(OSError):
            probe.settimeout(2)
            probe.connect((address, served.port))


def _outside_addresses() -> set[str]:
    """This machine's IPv4 addresses other than loopback, as far as they can be found without a network."""
    found = set()
    with contextlib.suppress(OSError):
        found |= {str(a[4][0]) for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe, contextlib.suppress(OSError):
        probe.connect(("192.0.2.1", 9))  # no packet is sent
        found.add(probe.getsockname()[0])
    return {a for a in found if not a.startswith("127.") and a != "0.0.0.0"}


def test_a_port_in_use_is_one_clear_line_and_exit_2(make_site: Callable[..., Site], tmp_path: Path) -> None:
    site = make_site({NOTE: incident()})
    temp = tmp_path / "tmp"
    temp.mkdir()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        run = site.run("serve", "--port", str(port), env={**os.environ, "TMPDIR": str(temp)})
    assert run.code == 2
    assert run.err.count("\n") == 1 and "already in use" in run.err and str(port) in run.err, run.err
    assert "Traceback" not in run.err + run.out
    assert not list(temp.iterdir()) and not site.public.exists()


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_cleanly_and_removes_the_preview(serve: Callable[..., Served], stop: signal.Signals) -> None:
    served = serve()
    [preview] = served.previews()
    assert (preview / "site" / "index.html").is_file()
    served.process.send_signal(stop)
    assert served.process.wait(timeout=15) == 0
    assert not served.previews() and not list(served.temp.iterdir())
    assert "Traceback" not in served.err()


def test_serve_writes_nothing_in_the_site_folder(make_site: Callable[..., Site], serve: Callable[..., Served]) -> None:
    site = make_site({NOTE: incident(body="First account.")})
    assert site.run("build").code == 0

    def state() -> dict[str, tuple[int, int, int]]:
        return {p.relative_to(site.root).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size, p.stat().st_ino)
                for p in sorted(site.root.rglob("*")) if p.relative_to(site.root).as_posix() != NOTE}

    published, before = site.snapshot(), state()
    served = serve(site=site)
    site.write({NOTE: incident(body="Second account.")})
    until(lambda: served.shows("Second account."), CHANGE, "the edit")
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(timeout=15) == 0
    assert site.snapshot() == published and state() == before, "public/ and the site are untouched"


def test_the_overlay_escapes_problems_and_unexpected_errors_become_problems(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("<!doctype html><html><head><title>x</title></head><body><h1>Home</h1>")
    app = Preview(root)
    app.problems = [Problem("content/incidents/<b>.md", 7, "", "bad <script>alert(1)</script> value")]
    answer = b"".join(app({"PATH_INFO": "/", "REQUEST_METHOD": "GET"}, lambda status, headers: None))
    page = Page.parse(answer.decode())
    assert page.text_of("h1") == ["Home"] and not [e for e in page.find_all("script")]
    [item] = [e for e in page.find_all("li") if "data-path" in dict(e["attrs"])]  # type: ignore[arg-type]
    assert dict(item["attrs"])["data-path"] == "content/incidents/<b>.md"  # type: ignore[arg-type]
    assert "bad <script>alert(1)</script> value" in str(item["text"])

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr("salvo.pipeline.build", explode)
    [problem] = preview_builder(tmp_path, tmp_path / "work", "http://127.0.0.1:1/")()
    assert problem.line > 0 and "RuntimeError" in problem.message and "the disk caught fire" in problem.message


@pytest.mark.parametrize("replace", ["rm -rf content && cp -a backup content", "mv templates X && cp -a X templates"],
                         ids=["rm-and-copy", "move-and-copy"])
def test_a_watched_folder_replaced_while_serving_is_watched_again(serve: Callable[..., Served], replace: str) -> None:
    served = serve()
    site = served.site
    shutil.copytree(ROOT / "templates", site.root / "templates")
    shutil.copytree(site.root / "content", site.root / "backup")
    site.write({f"backup/{NOTE.removeprefix('content/')}": incident(body="Restored account.")})
    until(lambda: served.rebuilds() >= 1, CHANGE, "the rebuild for the new templates/")
    subprocess.run(replace, shell=True, cwd=site.root, check=True)  # as editors, checkouts and sync tools do
    if replace.startswith("rm"):
        until(lambda: served.shows("Restored account."), CHANGE, "the replaced content/")
    else:
        until(lambda: served.rebuilds() >= 2, CHANGE, "the rebuild for the replaced templates/")
    for n in range(1, 3):  # every later edit, in the new folder, is seen
        if replace.startswith("rm"):
            site.write({NOTE: incident(body=f"Edit {n} after the swap.")})
        else:
            template = (site.root / "X" / "incident.html").read_text(encoding="utf-8")
            site.write({"templates/incident.html": template.replace("</h1>", f"</h1><p>Edit {n} after the swap.</p>")})
        until(lambda n=n: served.shows(f"Edit {n} after the swap."), CHANGE,  # type: ignore[misc]
              f"edit {n} after `{replace}`")


def socket_handshake(served: Served, headers: dict[str, str]) -> str | int:
    """Open the live-reload socket with these request headers: livereload's `hello`, or the status refusing it."""

    async def attempt() -> str | int:
        from tornado.httpclient import HTTPClientError, HTTPRequest
        from tornado.websocket import websocket_connect

        request = HTTPRequest(f"ws://{served.address}:{served.port}/livereload", headers=headers)
        try:
            socket_ = await asyncio.wait_for(websocket_connect(request), 10)
        except HTTPClientError as error:
            return error.code
        socket_.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/"
                                                                             "official-7"]}))
        command = json.loads(await asyncio.wait_for(socket_.read_message(), 10))["command"]
        socket_.close()
        return str(command)

    with concurrent.futures.ThreadPoolExecutor(1) as thread:  # Playwright may run an event loop in this thread
        return thread.submit(asyncio.run, attempt()).result()


def test_only_the_previews_own_host_names_are_answered(serve: Callable[..., Served]) -> None:
    served = serve()
    port = served.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "LOCALHOST", f"localhost:{port + 1}"):
        for path in (PAGE, "/livereload.js?port=1"):
            assert served.raw(path, host)[0] == 200, f"{host} {path}"
    for host in (f"attacker.example:{port}", "localhost.attacker.example", "127.0.0.1.nip.io", f"10.0.0.1:{port}",
                 f"[::2]:{port}"):  # a rebound name, and other addresses (not the one bound)
        for path in (PAGE, "/", "/livereload.js?port=1", "/static/style.css", "/no-such-page/"):
            status, _, body = served.raw(path, host)
            assert status == 403, f"{host} {path}: {status}"
            assert body.count("\n") == 1 and "DNS rebinding" in body and served.url in body
            assert "First account." not in body
    assert socket_handshake(served, {}) == "hello"
    assert socket_handshake(served, {"Origin": served.url}) == "hello"
    assert socket_handshake(served, {"Origin": f"http://localhost:{port}", "Host": f"localhost:{port}"}) == "hello"
    for headers in ({"Origin": f"http://attacker.example:{port}"}, {"Origin": "null"},
                    {"Origin": f"http://attacker.example:{port}", "Host": f"attacker.example:{port}"},
                    {"Host": f"attacker.example:{port}"}):
        assert socket_handshake(served, headers) == 403, headers
    assert "Traceback" not in served.err()


def test_bind_adds_its_address_to_the_names_answered(serve: Callable[..., Served]) -> None:
    served = serve(bind="127.0.0.2")  # another loopback address, bound on its own
    for host in ("127.0.0.2", f"127.0.0.2:{served.port}", f"localhost:{served.port}"):
        assert served.raw(PAGE, host)[0] == 200, host
    assert served.raw(PAGE, f"attacker.example:{served.port}")[0] == 403
    assert served.raw(PAGE, f"127.0.0.3:{served.port}")[0] == 403


def test_paths_are_normalised_and_a_long_name_is_a_clean_404(serve: Callable[..., Served]) -> None:
    served = serve()
    for path in ("//incidents", "/incidents", "///incidents", "/./incidents", "//incidents//."):
        status, location, _ = served.raw(path)
        assert (status, location) == (301, "/incidents/"), path  # never `//incidents/`, which names a host
    assert served.raw("//periods//./")[0] == 200
    for path in ("/" + "a" * 300, "/incidents/" + "b" * 300 + "/", "/" + "%C3%A9" * 200, "/%00", "/../site.toml"):
        assert served.raw(path)[0] == 404, path
    assert "Traceback" not in served.err() and "Error" not in served.err(), served.err()
