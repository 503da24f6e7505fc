"""Site paths as links: under the site's base path, and as full URLs."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit


@dataclass(frozen=True)
class Urls:
    """The links of a site served at `base_url`."""

    base_url: str

    @property
    def base_path(self) -> str:
        """The path the site is served under, e.g. "/" or "/salvo/"."""
        return urlsplit(self.base_url).path or "/"

    def url(self, path: str) -> str:
        """A site path with the base path in front, percent-encoded (non-Latin slugs stay valid)."""
        return self.base_path + quote(path.lstrip("/"), safe="/#?=&")

    def absolute(self, path: str) -> str:
        """A site path as a full URL, for canonical links, the feed, the sitemap and the data files."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}{self.url(path)}"
