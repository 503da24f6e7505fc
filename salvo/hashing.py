"""Digests: what identifies a value, for cache keys and manifests. Standard library only; imports nothing of Salvo's."""

from __future__ import annotations

import hashlib


def digest(*parts: str | bytes) -> str:
    """A short hex digest of the parts, each length-prefixed so that boundaries count."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()
