"""Markdown -> sanitized HTML: the editor's formatting survives, executable markup never does."""

from __future__ import annotations

import re
from functools import lru_cache

import markdown
import nh3

# No "toc": heading ids cost more than the rest of the conversion together (measured in bench/).
EXTENSIONS = ["tables", "footnotes", "fenced_code", "smarty", "sane_lists"]
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


@lru_cache(maxsize=1)
def _converter() -> markdown.Markdown:
    """One Markdown instance, reset between notes (building it costs more than using it)."""
    return markdown.Markdown(extensions=EXTENSIONS, output_format="html")


def render_markdown(text: str, base_path: str = "/") -> str:
    """Convert Markdown and sanitize the result; site-absolute links get the base path."""
    converter = _converter()
    converter.reset()
    # Markdown headings start at h2: the page's title is its only h1.
    html = converter.convert(text).replace("<h1", "<h2").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return ROOT_LINK.sub(rf"\g<1>{base_path}", clean) if base_path != "/" else clean


def plain_text(html: str, limit: int = 200) -> str:
    """The first words of rendered HTML as plain text, for descriptions and feeds."""
    text = re.sub(r"\s+", " ", nh3.clean(html, tags=set())).strip()
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    if len(text) <= limit:
        return text
    return text[: limit].rsplit(" ", 1)[0] + "…"
