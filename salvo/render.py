"""The Site -> its output files: Jinja2 with strict undefined over the outputs of salvo/pages.py, each page known
from the cache unless something its template can read has changed (Keys), the rest rendered on every core."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from markupsafe import Markup

from salvo.assemble import Site
from salvo.cache import Cache, Written, code_digest
from salvo.config import JudgementCall
from salvo.errors import Problem, SiteError, display_path
from salvo.fingerprint import Call, Fingerprints, combine
from salvo.hashing import digest
from salvo.markup import warm_markdown
from salvo.model import Incident, period_of
from salvo.pages import GROUP_TITLES, Output, Reads, outputs
from salvo.parallel import parallel_results
from salvo.slugs import slugify
from salvo.urls import Urls

DEFAULT_ROOT = Path(__file__).resolve().parent.parent
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
LINE_TEMPLATE = "_line.html"


NOT_TEXT = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd\U00010000-\U0010fffd]")


def xml_text(text: str) -> str:
    """The text without control characters and non-characters, which XML forbids and HTML reports as errors."""
    return NOT_TEXT.sub("", text)


def km(value: float | None) -> str:
    """A distance for readers: "933 km", or "unknown" (never None or nan)."""
    return "unknown" if value is None else f"{number(value)} km"


def number(value: float | int | None) -> str:
    """A number with thousands separators and no needless decimals."""
    if value is None:
        return "unknown"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0")


def day_label(value: Any) -> str:
    """A date as a reader says it: "4 July 2017", or "September 1984" when only the month is known."""
    if hasattr(value, "precision"):
        date, precision = value.date, value.precision
    else:
        date, precision = dt.date.fromisoformat(str(value)[:10]), "day"
    month = f"{MONTHS[date.month - 1]} {date.year}"
    return month if precision == "month" else f"{date.day} {month}"


def landing(value: str | None) -> str:
    """Where an event's missiles came down, as the record joins several places ("A / unknown") put in words."""
    places = (value or "unknown").split(" / ")
    known = [p for p in places if p != "unknown"]
    if not known:
        return "unknown"
    return " and ".join(known) + ("; not recorded for the others" if len(known) < len(places) else "")


def short_day(value: dt.date) -> str:
    """A date in a table heading: "19 Apr 2026"."""
    return f"{value.day} {MONTHS[value.month - 1][:3]} {value.year}"


def plural(n: int, noun: str) -> str:
    """"1 launch event", "2 launch events", "1,013 days"."""
    return f"{number(n)} {noun}{'' if n == 1 else 's'}"


FIGURE_NAMES = {
    "launch_events": "launch events", "missiles": "missiles", "launch_days": "launch days",
    "nuclear_tests": "nuclear tests", "launch_events_per_100_days": "launch events per 100 days",
    "class_mix": "missile classes", "icbm_launch_events": "ICBM launch events",
    "overflights_of_japan_home_islands": "flights over Japan's home islands", "longest_range": "longest range flown",
    "highest_apogee": "highest apogee", "days_to_first_launch": "days to first launch",
    "longest_pause": "longest pause (days)",
}


def figure_value(value: Any, name: str) -> str:
    """A figure of data/periods.json as words: a number, a distance, a pause, or a mix of classes."""
    if value is None:
        return "none"
    if name == "class_mix":
        return ", ".join(f"{number(n)} {kind}" for kind, n in value.items()) or "none"
    if isinstance(value, dict):
        return km(value["km"]) if "km" in value else number(value["days"])
    return number(value)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class Lines:
    """The `line(incident)` global: an incident's line in a timeline list, rendered by _line.html with the
    incident, its term and the judgement calls that concern it (all three functions of the incident and the
    configuration), each line once per build and, across builds, from the cache under the same kind of key as
    a page."""

    renders = LINE_TEMPLATE  # what a template that calls line() can read through it
    fingerprint = "lines"  # a line is a function of its incident, the configuration and the templates (the salt)

    def __init__(self, env: jinja2.Environment, keys: Keys, cache: Cache) -> None:
        self.env, self.keys, self.cache = env, keys, cache
        self.drawn: dict[str, Markup] = {}

    def __call__(self, incident: Incident) -> Markup:
        """The incident's line."""
        line = self.drawn.get(incident.slug)
        if line is None:
            config = self.env.globals["config"]
            context = {"incident": incident, "period": period_of(incident.when.moment, config.periods),
                       "calls": [c for c in config.judgement_calls if c.concerns(incident)]}
            key = self.keys.key(LINE_TEMPLATE, context)
            text = self.cache.get("line", key)
            if text is None:
                text = self.env.get_template(LINE_TEMPLATE).render(context).rstrip("\n")
                self.cache.put("line", key, text)
            line = self.drawn[incident.slug] = Markup(text)
        return line


# What templates read, and templates compiled, kept for this process by their source (serve builds many times).
_TEMPLATE_NAMES: dict[tuple[str, str], tuple[frozenset[str], tuple[str | None, ...]]] = {}


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in this process's memory, never on disk (compiled templates are code, and a
    cache on disk must never hold code); Jinja2 checks each against its template's source."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Fill the bucket from memory, if its template was compiled before."""
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep a template just compiled."""
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED = CompiledTemplates()


class Keys:
    """Cache keys of rendered templates, derived from what each template can read: the names it and every
    template it extends, includes or imports (or renders through a global such as line()) leave undeclared,
    looked up in its values and the globals, and fingerprinted."""

    def __init__(self, env: jinja2.Environment, salt: str) -> None:
        self.env, self.salt = env, salt
        self.fingerprint = Fingerprints()
        self.names: dict[str, frozenset[str] | None] = {}
        self.reading: set[str] = set()  # templates whose names are being gathered

    def read_by(self, template: str) -> frozenset[str] | None:
        """Every name a template can read; None when it may read anything (it picks a template by a value, or
        reaches itself)."""
        if template not in self.names:
            self.reading.add(template)
            self.names[template] = self._closure(template)
            self.reading.discard(template)
        return self.names[template]

    def _closure(self, template: str) -> frozenset[str] | None:
        """The names of one template and of every template it reaches."""
        names, reached = self._own(template)
        reached += [r for name in names if (r := getattr(self.env.globals.get(name), "renders", None))]
        for other in reached:
            found = self.read_by(other) if other is not None and other not in self.reading else None
            if found is None:
                return None
            names |= found
        return frozenset(names)

    def _own(self, template: str) -> tuple[set[str], list[str | None]]:
        """The names a template loads anywhere (blocks and macros included, which Jinja's own
        meta.find_undeclared_variables leaves out; a local that shares a value's name only makes keys stricter),
        and the templates it names (None: one picked by a value)."""
        source, filename, _ = self.env.loader.get_source(self.env, template)  # type: ignore[union-attr]
        known = _TEMPLATE_NAMES.get((template, source))
        if known is None:
            ast = self.env.parse(source, template, filename)
            known = _TEMPLATE_NAMES[template, source] = (
                frozenset(node.name for node in ast.find_all(nodes.Name) if node.ctx == "load"),
                tuple(meta.find_referenced_templates(ast)))
        return set(known[0]), list(known[1])

    def key(self, template: str, context: dict[str, Any]) -> str:
        """The key of a template rendered with these values."""
        names = self.read_by(template)
        if names is None:  # it may read anything: every value there is
            names = frozenset(context) | frozenset(self.env.globals)
        parts = [self.salt, template]
        for name in sorted(names):
            if name in context:
                parts += [name, self.fingerprint(context[name])]
            elif name in self.env.globals:
                parts += [name, self.fingerprint(self.env.globals[name])]
        return combine(*parts)  # names, digests and fingerprints: none holds a NUL


def template_environment(source: Path, site: Site | None = None) -> jinja2.Environment:
    """Jinja2 reading the site's templates first, then Salvo's own; strict about undefined names. No bytecode
    cache on disk: compiled templates are code, and a cache must never hold code. With a site, its globals: values,
    and functions of their arguments and the configuration alone (a page's key counts on it)."""
    folders = [source / "templates", DEFAULT_ROOT / "templates"]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders if f.is_dir()]),
        bytecode_cache=COMPILED,
        autoescape=jinja2.select_autoescape(("html", "xml", "svg"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build renders with the templates as they were when it began (no stat per page)
    )
    env.filters.update(km=km, day=day_label, landing=landing, short_day=short_day, ordinal=ordinal, number=number,
                       plural=plural, figure_value=figure_value)
    env.globals["figure_names"] = FIGURE_NAMES
    if site is not None:
        urls = Urls(site.config.base_url)
        env.globals.update(
            site=site, config=site.config, url=urls.url, absolute=urls.absolute, slug=slugify,
            labels=site.config.vocabularies, nav=[p for p in site.pages if p.weight >= 0], group_titles=GROUP_TITLES,
            call_letter=partial(call_letter, site.config.judgement_calls),
        )
    return env


def call_letter(calls: tuple[JudgementCall, ...], call: JudgementCall) -> str:
    """The letter that marks a judgement call's notes beside the figures it moves: a, b, c..."""
    n = calls.index(call)
    return chr(ord("a") + n) if n < 26 else str(n + 1)


class Rendering:
    """The site's output files but its static files, each known by what it was last rendered to (from the cache:
    its digest and size) when nothing its template (or function) can read has changed since, the rest rendered
    when asked for, on every core."""

    def __init__(self, site: Site, bodies: dict[str, str], source: Path, cache: Cache) -> None:
        self.site, self.bodies, self.source, self.cache = site, bodies, source, cache
        self.env = template_environment(source, site)
        self.keys = Keys(self.env, code_digest(source / "templates", DEFAULT_ROOT / "templates"))
        self.env.globals["line"] = Lines(self.env, self.keys, cache)
        self._wanted: dict[str, Output] | None = None
        self._keys: dict[str, str] = {}
        # Every output is a function of the site, the templates and the code (the salt), and of the bodies it shows,
        # which outputs() is seen to read (pages.Reads). While the site is the same, the last build's results stand
        # for every output none of whose bodies changed, without a key for each page.
        self.whole = digest(self.keys.salt, site.fingerprint)
        self.texts = {rel: digest(text) for rel, text in bodies.items()}
        self.reads: dict[str, tuple[str, ...]] = {}
        self.known: dict[str, Written | None] = {}
        last = cache.get("site", self.whole)
        if last is not None:
            paths, digests, sizes, reads, (read, texts) = last
            was = dict(zip(read, texts, strict=True))
            changed = {rel for rel in was if self.texts.get(rel) != was[rel]}
            for path, value, size, shown in zip(paths, digests, sizes, reads, strict=True):
                self.reads[path] = tuple(shown)
                self.known[path] = None if shown and not changed.isdisjoint(shown) else Written(value, size)
            for kind in ("page", "line"):  # not all needed now, and needed again when the site changes
                cache.keep(kind)
        with template_problems(source):
            for path in (self.wanted() if last is None else [p for p, k in self.known.items() if k is None]):
                self.known[path] = cache.get("page", self.key(path))

    def wanted(self) -> dict[str, Output]:
        """Every output file, by path (made once, when first needed), and the bodies each shows."""
        if self._wanted is None:
            bodies = Reads(self.bodies)
            self._wanted = {}
            for output in outputs(self.site, bodies, Urls(self.site.config.base_url)):
                self._wanted[output.path] = output
                self.reads[output.path] = bodies.take()
        return self._wanted

    def key(self, path: str) -> str:
        """The cache key of an output file: the fingerprints of what its template (or function) can read."""
        if path not in self._keys:
            o = self.wanted()[path]
            self._keys[path] = (self.keys.key(o.template, o.context) if o.template
                                else digest(self.keys.salt, o.path, self.keys.fingerprint(o.make)))
        return self._keys[path]

    def render(self, paths: list[str], put: Callable[[int, bytes], Any] | None = None
               ) -> Iterator[tuple[str, Any, str]]:
        """Render these output files, each as (path, contents, digest) as soon as it is made, and remember what
        each was rendered to; once all are, remember the whole site's. `put(n, contents)`, given, keeps the n-th
        file's contents where the worker that made it is (the write stage's staging folder) and stands for them."""
        missing = [self.wanted()[path] for path in paths]
        env = self.env
        with template_problems(self.source):
            keys = [self.key(path) for path in paths]
            if any(o.template and "line" in (self.keys.read_by(o.template) or {"line"}) for o in missing):
                for entry in self.site.entries:  # drawn here once, not in each worker
                    env.globals["line"](entry.incident)  # type: ignore[operator]
            for template in {o.template for o in missing if o.template}:
                env.get_template(template)  # compiled here once, not in each worker
        if missing:
            warm_markdown()

        def make(n: int) -> tuple[Any, str, int]:
            data, value = _render(missing[n], env, self.source)
            return (put(n, data) if put else data), value, len(data)

        # Workers get only positions in `missing`: they were forked with it, and what it holds cannot be pickled.
        rendered = parallel_results(make, range(len(missing)), "Rendering pages")
        for output, key, (content, value, size) in zip(missing, keys, rendered, strict=True):
            self.known[output.path] = written = Written(value, size)
            self.cache.put("page", key, written)
            yield output.path, content, value
        done = [(path, known) for path, known in self.known.items() if known is not None]
        if len(done) == len(self.known):
            read = sorted({rel for shown in self.reads.values() for rel in shown})
            self.cache.put("site", self.whole, (
                [p for p, _ in done], [k.digest for _, k in done], [k.size for _, k in done],
                [list(self.reads[p]) for p, _ in done], (read, [self.texts.get(rel) for rel in read])))


def render_site(site: Site, bodies: dict[str, str], source: Path, cache: Cache) -> dict[str, bytes]:
    """Every output file of the site but its static files, rendered, by path relative to the output folder."""
    rendering = Rendering(site, bodies, source, cache)
    return {path: data for path, data, _ in rendering.render(list(rendering.wanted()))}


def _render(output: Output, env: jinja2.Environment, source: Path) -> tuple[bytes, str]:
    """One output file's contents and their digest (in a worker: a template error becomes a problem here)."""
    if output.make is not None:
        data = output.make.value()
    else:
        assert output.template is not None
        context = {name: value.value() if isinstance(value, Call) else value for name, value in output.context.items()}
        with template_problems(source):
            data = xml_text(env.get_template(output.template).render(context)).encode("utf-8")
    return data, digest(data)


@contextmanager
def template_problems(source: Path) -> Iterator[None]:
    """Turn a template error into the problem it is (`templates/x.html:line: message`)."""
    try:
        yield
    except jinja2.TemplateError as error:
        raise SiteError([template_problem(error, source)]) from None


def template_problem(error: jinja2.TemplateError, source: Path) -> Problem:
    """A template error as `templates/x.html:line: message`, found in the traceback Jinja2 rewrote."""
    path, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    trace = error.__traceback__
    while trace is not None:
        name = trace.tb_frame.f_code.co_filename
        if name.endswith((".html", ".xml")) and (path is None or isinstance(error, jinja2.UndefinedError)):
            path, line = name, trace.tb_lineno
        trace = trace.tb_next
    shown = display_path(Path(path), source) if path else "templates"
    if shown.startswith("/"):
        shown = display_path(Path(path or ""), DEFAULT_ROOT)
    return Problem(shown, line or 1, "", f"template error: {error.message or error}: fix the template")
