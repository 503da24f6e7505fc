"""Publishing: the build the workflow makes for a GitHub Pages project site, served under /<repository>/ over HTTP
as Pages serves it, with every link of every page, the feed and the sitemap followed."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import yaml
from conftest import ROOT
from e2e.conftest import _SiteHandler as SiteHandler  # static files, and the site's 404.html

from salvo.links import parse_page

WORKFLOW = ROOT / ".github" / "workflows" / "site.yml"
REPOSITORY = "salvo"  # the /<repository>/ a project site is served under
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def build_step() -> dict:
    """The workflow's step that builds the site for publishing."""
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    steps = [step for job in jobs.values() for step in job["steps"] if "build.py build" in step.get("run", "")]
    assert len(steps) == 1
    return steps[0]


class PagesHandler(SiteHandler):
    """Serves a folder under /<repository>/ only, with the site's 404.html for what is missing, as Pages does."""

    def translate_path(self, path: str) -> str:
        """Paths outside the prefix map to nothing."""
        prefix = f"/{REPOSITORY}/"
        path = urlsplit(path).path
        if not path.startswith(prefix):
            return os.path.join(str(self.directory), "\0missing")
        return super().translate_path("/" + path[len(prefix):])


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """A server on a free loopback port for the folder; yields its origin."""
    handler = functools.partial(PagesHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fetch(url: str) -> tuple[int, str, bytes]:
    """Status, content type and body of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The repository built by the workflow's own build step, for a project site served here under /salvo/."""
    work = tmp_path_factory.mktemp("publish")
    for name in ("site.toml", "launch-sites.toml", "build.py", "salvo", "content", "templates", "static"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, work / name)
    (work / ".venv").symlink_to(Path(sys.executable).parent.parent)
    step = build_step()
    with serving(work / "public") as origin:
        # configure-pages' base_url for https://<owner>.github.io/salvo, with this server standing in for Pages.
        env = {name: value.replace("${{ steps.pages.outputs.base_url }}", f"{origin}/{REPOSITORY}")
               for name, value in step["env"].items()}
        done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=work, env={**os.environ, **env},
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("Built ")
        yield origin, work / "public"


def test_every_link_of_every_page_resolves_under_the_repository_path(published):
    origin, public = published
    base = f"{origin}/{REPOSITORY}/"
    queue, seen, pages = [base], {base}, 0
    while queue:
        url = queue.pop()
        status, kind, body = fetch(url)
        assert status == 200, url
        if not kind.startswith("text/html"):
            continue
        pages += 1
        for link in parse_page(body.decode("utf-8")).links:
            target = urldefrag(urljoin(url, link.value)).url
            if urlsplit(target).netloc != urlsplit(origin).netloc:
                continue  # sources and other sites: not ours to serve
            assert target.startswith(base), f"{url} links outside /{REPOSITORY}/: {link.value}"
            if target not in seen:
                seen.add(target)
                queue.append(target)
    built = sum(1 for _ in public.rglob("*.html"))
    assert pages == built - 1, "every page but 404.html is reached by following links from the home page"


def test_the_feed_and_the_sitemap_point_under_the_repository_path(published):
    origin, _ = published
    base = f"{origin}/{REPOSITORY}/"
    status, _, body = fetch(base + "feed.xml")
    assert status == 200
    feed = ET.fromstring(body)
    links = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    entries = feed.findall(f"{ATOM}entry")
    assert entries and len(links) > len(entries)
    status, _, body = fetch(base + "sitemap.xml")
    assert status == 200
    locations = [loc.text for loc in ET.fromstring(body).iter(f"{SITEMAP}loc")]
    assert len(locations) > 200
    for url in links + locations:
        assert url.startswith(base), url
        assert fetch(url)[0] == 200, url
    robots = fetch(base + "robots.txt")[2].decode()
    assert re.search(rf"^Sitemap: {re.escape(base)}sitemap\.xml$", robots, re.M)


def test_a_missing_page_gets_the_404_page_with_its_links_under_the_repository_path(published):
    origin, _ = published
    status, _, body = fetch(f"{origin}/{REPOSITORY}/no-such-page/")
    assert status == 404
    links = [link.value for link in parse_page(body.decode("utf-8")).links]
    assert any(link.endswith("style.css") for link in links)
    local = [link for link in links if link.startswith("/") or link.startswith(origin)]
    assert local and all(urlsplit(link).path.startswith(f"/{REPOSITORY}/") for link in local)
