"""Files under content/ -> RawNote values: text decoded, front matter parsed, nothing judged yet."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salvo.errors import Problem
from salvo.frontmatter import FrontMatter, parse_front_matter

CONTENT = "content"
SECTIONS = ("incidents", "context", "pages")
FENCE = "---"


@dataclass(frozen=True)
class RawNote:
    """A note as read from disk: where it is, its front matter with key lines, and its body."""

    rel: str
    section: str
    stem: str
    front: FrontMatter
    body: str
    body_line: int

    def line(self, key: str) -> int:
        """The file line of a front-matter key path, or of the opening fence if the key is absent."""
        return self.front.lines.get(key, -1) + 2

    @property
    def values(self) -> dict[str, Any]:
        """The front matter's values."""
        return self.front.values


def find_note_files(source: Path) -> tuple[list[Path], list[Problem]]:
    """Every note file under content/, sorted; stray files and links leaving content/ are problems."""
    root = source / CONTENT
    files: list[Path] = []
    problems: list[Problem] = []
    if not root.is_dir():
        return [], [Problem(CONTENT, 1, "", f"no {CONTENT}/ folder in {source}: create {CONTENT}/incidents/")]
    real_root = root.resolve()
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = Path(folder, name)
            rel = path.relative_to(source).as_posix()
            if _ignored(name):
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(real_root):
                problems.append(Problem(rel, 1, "", "is a symbolic link to a file outside content/: "
                                        "copy the file into content/ instead"))
                continue
            parts = path.relative_to(root).parts
            if len(parts) != 2 or parts[0] not in SECTIONS:
                problems.append(Problem(rel, 1, "", "notes belong directly in content/incidents/, "
                                        "content/context/ or content/pages/: move this file there"))
                continue
            if not name.endswith(".md"):
                problems.append(Problem(rel, 1, "", "is not a Markdown note: rename it to .md or move it out of content/"))
                continue
            files.append(path)
    return files, problems


def _ignored(name: str) -> bool:
    """Hidden files and editors' temporary and backup files are never notes."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak"))


def read_note(path: Path, source: Path, max_bytes: int) -> tuple[RawNote | None, list[Problem]]:
    """Read one note file: decode, split off the front matter, and parse it."""
    rel, data, problems = read_bytes(path, source, max_bytes)
    return (None, problems) if data is None else parse_bytes(rel, data)


def read_bytes(path: Path, source: Path, max_bytes: int) -> tuple[str, bytes | None, list[Problem]]:
    """A note file's path as the editor knows it and its bytes, or the problem that stops reading it."""
    rel = path.relative_to(source).as_posix()
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return rel, None, [Problem(rel, 1, "", f"the note is {size // 1024} KB, over the limit of "
                                       f"{max_bytes // 1024} KB (max_note_kb in site.toml): shorten it or split it")]
        return rel, path.read_bytes(), []
    except OSError as error:
        return rel, None, [Problem(rel, 1, "", f"cannot read the file: {error.strerror}")]


def parse_bytes(rel: str, data: bytes) -> tuple[RawNote | None, list[Problem]]:
    """Decode a note's bytes and parse it."""
    text, problem = decode(data)
    if problem:
        return None, [Problem(rel, problem[0], "", problem[1])]
    return parse_note(text, rel)


def decode(data: bytes) -> tuple[str, tuple[int, str] | None]:
    """UTF-8 text with any byte-order mark and Windows line endings normalised, or (line, message)."""
    if b"\x00" in data:
        return "", (data[: data.index(b"\x00")].count(b"\n") + 1,
                    "is a binary file, not a text note: remove it from content/")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return "", (line, (f"is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be decoded): it may be saved in a "
                    "legacy encoding such as EUC-KR, Shift_JIS or Windows-1252; re-save the file as UTF-8"))
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def parse_note(text: str, rel: str) -> tuple[RawNote | None, list[Problem]]:
    """Split `---` front matter from the body and parse the YAML; a problem names the file line."""
    parts = rel.split("/")
    section = parts[1] if len(parts) == 3 else ""
    stem = parts[-1].removesuffix(".md")
    lines = text.split("\n")
    if not text.strip():
        return None, [Problem(rel, 1, "", "the file is empty: a note starts with `---`, its fields, and `---`")]
    if lines[0].rstrip() != FENCE:
        later = next((i for i, line in enumerate(lines) if line.rstrip() == FENCE), None)
        if later is not None:
            return None, [Problem(rel, 1, "", f"the front matter must start on the first line, but the first `---` is "
                                  f"on line {later + 1}: move it, and the fields after it, to the top")]
        return None, [Problem(rel, 1, "", "no front matter: start the note with a line `---`, then its fields "
                              "(`title: ...`, `date: ...`), then another `---`")]
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (FENCE, "...")), None)
    if close is None:
        return None, [Problem(rel, 1, "", "the front matter is never closed: did you forget to add `---` after "
                              "the last field?")]
    front, yaml_problems = parse_front_matter("\n".join(lines[1:close]))
    problems = [Problem(rel, p.line + 2, p.field, p.message) for p in yaml_problems]
    if problems:
        return None, problems
    body = "\n".join(lines[close + 1:])
    return RawNote(rel=rel, section=section, stem=stem, front=front, body=body, body_line=close + 2), []
