"""Markdown -> sanitized HTML: the editor's formatting survives, executable markup never does."""

from __future__ import annotations

import bisect
import html as html_module
import re
from functools import cache

import markdown
import nh3
from markdown import util
from markdown.extensions import Extension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.smarty import SmartyExtension
from markdown.extensions.tables import TableExtension
from markdown.inlinepatterns import Pattern
from markdown.treeprocessors import InlineProcessor

from salvo.slugs import slugify

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "cite", "figure", "figcaption", "mark", "time",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
    "li": {"id"},
    "sup": {"id"},
    "div": {"class"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "time": {"datetime"},
    "code": {"class"},
}
ROOT_LINK = re.compile(r'(href=")/(?!/)')
HEADING = re.compile(r'<h([2-6])( id="([^"]*)")?>(.*?)</h\1>', re.DOTALL)
TEMPLATE_IDS = ("main", "sources", "facts-h", "caveats-h")  # ids the page templates give beside a body
# Python-Markdown recurses once per nesting level and rescans text in ways that grow with the square of a
# block's size, so bodies past these bounds would crash the build or take minutes (a few seconds at most here).
MAX_NESTING = 20
MAX_BRACKET_SCAN = 3_000_000
MAX_INLINE_WORK = 300_000_000
CODE_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CONTAINER = re.compile(r" {0,3}(?:>|[-*+][ \t]|[0-9]{1,9}[.)][ \t])[ \t]?")
INLINE_MARK_CHARACTERS = "*_`<&[]!\\'\""
INLINE_MARK = re.compile(f"[{re.escape(INLINE_MARK_CHARACTERS)}]| {{2,}}$", re.MULTILINE)  # the second: once a line
DEEP_LEAD = re.compile(rf"^[ \t>*+\-0-9.)]{{{MAX_NESTING + 1},}}", re.MULTILINE)  # lines that might nest deeper
BRACKET = re.compile(r"[\[\]()]")


# Markdown tries every inline pattern (and smarty every one of its own) on every piece of text, which is most
# of a conversion. A pattern cannot match text that lacks all the text listed for it here (each match contains
# one of them), so each piece is tried only with the patterns it could match: the same HTML for less than half the work.
# Matches are replaced by placeholders, which hold none of these, so a piece never gains one. Patterns not
# listed, such as any a later Markdown adds, are always tried.
NEEDS = {
    "backtick": ("`",), "escape": ("\\",), "footnote": ("[^",), "reference": ("[",), "link": ("[",),
    "short_reference": ("[",), "image_link": ("![",), "image_reference": ("![",), "short_image_ref": ("![",),
    "autolink": ("<",), "automail": ("<",), "html": ("<",), "entity": ("&",), "em_strong": ("*", "_"),
    "linebreak": ("  \n",),
    "smarty-em-dashes": ("---",), "smarty-en-dashes": ("--",), "smarty-ellipses": ("...",),
    **{f"smarty-quotes-{n}": ("'",) for n in (0, 6, 7, 8, 9, 10)},
    **{f"smarty-quotes-{n}": ('"',) for n in (1, 11, 12, 13, 14)},
    **{f"smarty-quotes-{n}": ("'", '"') for n in (2, 3, 4, 5)},  # both are needed; either is enough to keep it
}
TRIGGERS = tuple(sorted({need for needs in NEEDS.values() for need in needs}))


class SkippingInlineProcessor(InlineProcessor):
    """Markdown's inline step, trying on each piece of text only the patterns that could match it."""

    patterns: list[Pattern]  # the registry's, in order (it does not change once the converter is built)
    needs: list[frozenset[str] | None]  # by pattern index: the text one of which a match holds (None: unknown)
    plans: dict[tuple[str, ...], list[int]]  # which patterns to try, in order, given the triggers a piece holds

    @classmethod
    def adopt(cls, processor: InlineProcessor) -> None:
        """Make one of a converter's inline steps skip: its state stays; only the loop changes."""
        processor.__class__ = cls
        assert isinstance(processor, cls)
        registry = processor.inlinePatterns
        processor.patterns, processor.plans = list(registry), {}
        processor.needs = [None] * len(registry)
        for pattern, needs in NEEDS.items():
            if pattern in registry:
                processor.needs[registry.get_index_for_name(pattern)] = frozenset(needs)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        """Markdown's own loop (replaces each match by a placeholder and tries the same pattern again after it,
        then moves on), with the patterns that need text this piece lacks passed over."""
        if isinstance(data, util.AtomicString):
            return data
        present = tuple(trigger for trigger in TRIGGERS if trigger in data)  # only shrinks as matches are stashed
        plan = self.plans.get(present)
        if plan is None:
            plan = self.plans[present] = [n for n, needs in enumerate(self.needs)
                                          if needs is None or not needs.isdisjoint(present)]
        for index in plan[bisect.bisect_left(plan, patternIndex):]:
            matched, start = True, 0
            while matched:
                data, matched, start = self._InlineProcessor__applyPattern(self.patterns[index], data, index, start)
        return data


def extensions() -> list[Extension]:
    """Markdown's extensions as Salvo uses them, new for each converter (they keep its state). Given as objects,
    not names, so Markdown does not scan every installed package for extensions by those names (a quarter of
    the time it takes to build a converter). No "toc": heading ids cost more than the rest of the conversion
    together (measured in bench/)."""
    return [TableExtension(), FootnoteExtension(), FencedCodeExtension(), SmartyExtension(), SaneListExtension()]


@cache
def markdown_converter() -> markdown.Markdown:
    """The Markdown instance, reset between notes (building one costs more than using it)."""
    converter = markdown.Markdown(extensions=extensions(), output_format="html")
    for name in ("inline", "smarty"):
        SkippingInlineProcessor.adopt(converter.treeprocessors[name])
    return converter


def warm_markdown() -> None:
    """Build the converter now (before forking workers, so each does not build its own)."""
    markdown_converter()


def render_markdown(text: str, base_path: str = "/") -> str:
    """Convert Markdown and sanitize the result; site-absolute links get the base path."""
    converter = markdown_converter()
    converter.reset()
    try:
        html = converter.convert(text)
    except RecursionError:  # validation refuses bodies nested this deeply; never let one crash a build
        converter.reset()
        html = f"<pre>{html_module.escape(text)}</pre>"
    # Markdown headings start at h2: the page's title is its only h1.
    html = html.replace("<h1", "<h2").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    clean = _anchored(clean) if "<h" in clean else clean
    return ROOT_LINK.sub(rf"\g<1>{base_path}", clean) if base_path != "/" else clean


def _anchored(html: str) -> str:
    """Each heading with an id (its own, or one made from its words) and a link to itself, so that a reader can
    link to a section; ids the page templates use around a body are not taken."""
    used = set(TEMPLATE_IDS)

    def anchor(match: re.Match[str]) -> str:
        level, given, inner = match.group(1), match.group(3), match.group(4)
        ident = base = given or slugify(_text_of(inner)) or "section"
        n = 2
        while ident in used:
            ident, n = f"{base}-{n}", n + 1
        used.add(ident)
        return (f'<h{level} id="{ident}">{inner} <a class="anchor" href="#{ident}" '
                f'aria-label="Link to this section">#</a></h{level}>')

    return HEADING.sub(anchor, html)


def plain_text(html: str, limit: int = 200) -> str:
    """The first words of rendered HTML as plain text, for descriptions and feeds."""
    text = _text_of(_start_of(html, limit * 4))  # most often enough, and a fraction of a body to clean
    if len(text) <= limit:
        text = _text_of(html)
    if len(text) <= limit:
        return text
    return text[: limit].rsplit(" ", 1)[0] + "…"


def _start_of(html: str, size: int) -> str:
    """At most `size` characters from the start of the HTML, cut outside tags and character references, so
    that its text is the start of the whole's."""
    start = html[:size]
    for opener, closer in (("<", ">"), ("&", ";")):
        cut = start.rfind(opener)
        if cut > start.rfind(closer):
            start = start[:cut]
    return start


def _text_of(html: str) -> str:
    """HTML's text, with runs of white space as one space."""
    text = re.sub(r"\s+", " ", nh3.clean(html, tags=set())).strip()
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')


def costly_markdown(text: str) -> tuple[int, str] | None:
    """Where a body would make Markdown recurse too deeply or work for minutes: (line index, why), or None."""
    return None if _surely_cheap(text) else _costly(text)


def _surely_cheap(text: str) -> bool:
    """Whether bounds on the whole text already clear every limit, as they do for any ordinary note: a nesting
    level takes at least one character of a line's lead, and no block is longer than the text or holds more
    brackets or marks than it."""
    openers = text.count("[") + text.count("(")
    marks = sum(text.count(mark) for mark in INLINE_MARK_CHARACTERS) + text.count("\n") + 1
    return (not DEEP_LEAD.search(text) and openers * len(text) <= MAX_BRACKET_SCAN
            and marks * len(text) <= MAX_INLINE_WORK)


def _costly(text: str) -> tuple[int, str] | None:
    """costly_markdown, block by block."""
    lines = text.split("\n")
    fence = ""
    blocks: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines):
        if match := CODE_FENCE.match(line):
            fence = "" if fence and match.group(1).startswith(fence) else fence or match.group(1)[:3]
            continue
        if fence:
            continue  # fenced code is copied as it is, never parsed
        if _nesting(line) > MAX_NESTING:
            return number, (f"the body nests lists or quotes more than {MAX_NESTING} levels deep: flatten them "
                            "(or put the text in a ``` code fence)")
        if not line.strip():
            blocks.append((number + 1, []))
        elif blocks:
            blocks[-1][1].append(line)
        else:
            blocks.append((number, [line]))
    scan = work = 0
    for start, block_lines in blocks:
        block = "\n".join(block_lines)
        scan += _bracket_scan(block)
        work += len(INLINE_MARK.findall(block)) * len(block)
        if scan > MAX_BRACKET_SCAN:
            return start, ("the body has `[` or `(` from here on that are never closed, or nest very deeply: "
                           "Markdown would take minutes to read them; close them, or write `\\[` and `\\(`")
        if work > MAX_INLINE_WORK:
            return start, ("the body's paragraph from here is too long and too full of formatting marks for "
                           "Markdown to read in reasonable time: split it into paragraphs (blank lines between)")
    return None


def _nesting(line: str) -> int:
    """How deeply a line nests lists and quotes: one level per container marker or four spaces of indent."""
    expanded = line.expandtabs(4)
    position = len(expanded) - len(expanded.lstrip(" "))
    depth = position // 4
    while depth <= MAX_NESTING and (match := CONTAINER.match(expanded, position)) and match.end() > position:
        depth, position = depth + 1, match.end()
    return depth


def _bracket_scan(block: str) -> int:
    """How far Markdown's link parser reads: each `[` or `(` scans on to its closing match or the block's end."""
    total = 0
    opened: dict[str, list[int]] = {"[": [], "(": []}
    for match in BRACKET.finditer(block):
        char, position = match.group(), match.start()
        if char in opened:
            opened[char].append(position)
        elif stack := opened["[" if char == "]" else "("]:
            total += position - stack.pop()
    return total + sum(len(block) - position for stack in opened.values() for position in stack)
