"""Safe, readable URL segments from any text, Korean and Japanese included."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_UNSAFE = re.compile(r"[^\w]+", re.UNICODE)


@lru_cache(maxsize=65536)  # the same classes, years, provinces and tags recur on every note
def slugify(text: str) -> str:
    """Lower-case words joined by hyphens; letters of any script survive, nothing else does."""
    text = unicodedata.normalize("NFKC", text).casefold()
    slug = _UNSAFE.sub("-", text).replace("_", "-")
    slug = re.sub(r"-{2,}", "-", slug).strip("-")
    return slug or "untitled"
