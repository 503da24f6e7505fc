"""Files under content/ -> RawNote values: text decoded, front matter parsed, nothing judged yet."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salvo.errors import Problem
from salvo.frontmatter import FrontMatter, parse_front_matter

CONTENT = "content"
SECTIONS = ("incidents", "context", "pages")
FENCE = "---"
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


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
        """The file line of a front-matter key path, else of its nearest parent, else of the opening fence."""
        while key not in self.front.lines and "." in key:
            key = key.rsplit(".", 1)[0]
        return self.front.lines.get(key, -1) + 2

    @property
    def values(self) -> dict[str, Any]:
        """The front matter's values."""
        return self.front.values


def find_note_files(source: Path) -> tuple[list[tuple[str, str]], list[Problem]]:
    """Every note file under content/ as (path as the editor knows it, full path), sorted; stray files and links
    leaving content/ are problems."""
    root = source / CONTENT
    files: list[tuple[str, str]] = []
    problems: list[Problem] = []
    if not root.is_dir():
        return [], [Problem(CONTENT, 1, "", f"no {CONTENT}/ folder in {source}: create {CONTENT}/incidents/")]
    real_root = root.resolve()
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder).relative_to(source).as_posix()
        for name in sorted(d for d in dirs if not d.startswith(".") and os.path.islink(os.path.join(folder, d))):
            problems.append(Problem(f"{here}/{name}", 1, "", "is a symbolic link to a folder, which Salvo does not "
                                    "follow: move the notes themselves into content/"))
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(folder, d)))
        in_section = here.count("/") == 1 and here.split("/")[1] in SECTIONS
        for name in sorted(names):
            if ignored_name(name):
                continue
            path, rel = os.path.join(folder, name), f"{here}/{name}"
            if refusal := _refusal(path, in_section, real_root):
                problems.append(Problem(rel, 1, "", refusal))
            else:
                files.append((rel, path))
    return files, problems


def _refusal(path: str, in_section: bool, real_root: Path) -> str | None:
    """Why a file under content/ cannot be read as a note, or None when it can."""
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        if refusal := link_refusal(path, real_root, CONTENT, "a note"):
            return refusal
        mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        return "is not a regular file (a pipe, socket or device): remove it from content/"
    if not in_section:
        return ("notes belong directly in content/incidents/, content/context/ or content/pages/: "
                "move this file there")
    if not path.endswith(".md"):
        return "is not a Markdown note: rename it to .md or move it out of content/"
    return None


def link_refusal(path: str, real_root: Path, folder: str, wanted: str) -> str | None:
    """Why a symbolic link in one of the site's folders is not followed (it leads nowhere, or out of the folder,
    whose real place is `real_root`), or None when it stays inside."""
    try:
        target = Path(path).resolve(strict=True)
    except (OSError, RuntimeError):
        return ("is a symbolic link that leads nowhere (its target is missing, or the link loops): "
                f"remove it or point it at {wanted}")
    if not target.is_relative_to(real_root):
        kind = "folder" if target.is_dir() else "file"
        return f"is a symbolic link to a {kind} outside {folder}/: copy the {kind} into {folder}/ instead"
    return None


def leaving_links(source: Path, folder: str) -> list[Problem]:
    """Symbolic links in one of the site's folders (templates/, static/) that lead nowhere or out of it (and so
    could publish any file of the machine); the folder itself may be a link, to a folder inside the site."""
    root = source / folder
    if not root.is_dir():
        return []
    real_root = root.resolve()
    if not real_root.is_relative_to(source.resolve()):
        return [Problem(folder, 1, "", f"is a symbolic link to a folder outside the site: copy the folder into "
                        f"the site as {folder}/ instead")]
    problems = []
    for here, dirs, names in os.walk(root):  # links to folders are listed in dirs, and not entered
        for name in sorted(dirs + names):
            path = os.path.join(here, name)
            if os.path.islink(path) and (refusal := link_refusal(path, real_root, folder, f"a file in {folder}/")):
                problems.append(Problem(Path(path).relative_to(source).as_posix(), 1, "", refusal))
    return problems


def ignored_name(name: str) -> bool:
    """Hidden files and editors' temporary and backup files are never notes."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak"))


def read_note(path: Path, source: Path, max_bytes: int) -> tuple[RawNote | None, list[Problem]]:
    """Read one note file: decode, split off the front matter, and parse it."""
    rel = path.relative_to(source).as_posix()
    data, problems = read_bytes(rel, str(path), max_bytes)
    return (None, problems) if data is None else parse_bytes(rel, data)


def read_bytes(rel: str, path: str, max_bytes: int) -> tuple[bytes | None, list[Problem]]:
    """A note file's bytes, or the problem that stops reading it."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            data = handle.read(max_bytes + 1) if size <= max_bytes else b""
        if size > max_bytes or len(data) > max_bytes:
            return None, [too_large(rel, max(size, len(data)), max_bytes)]
        return data, []
    except OSError as error:
        return None, [Problem(rel, 1, "", f"cannot read the file: {error.strerror}")]


def too_large(rel: str, size: int, max_bytes: int) -> Problem:
    """The problem of a note of `size` bytes, over the limit."""
    return Problem(rel, 1, "", f"the note is {size // 1024} KB, over the limit of {max_bytes // 1024} KB "
                   "(max_note_kb in site.toml): shorten it or split it")


def parse_bytes(rel: str, data: bytes) -> tuple[RawNote | None, list[Problem]]:
    """Decode a note's bytes and parse it."""
    text, problem = decode(data)
    if problem:
        return None, [Problem(rel, problem[0], "", problem[1])]
    return parse_note(text, rel)


def decode(data: bytes) -> tuple[str, tuple[int, str] | None]:
    """UTF-8 text with any byte-order mark and Windows line endings normalised, or (line, message)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", (1, "is saved as UTF-16 (or UTF-32) text, not UTF-8: re-save the file as UTF-8")
    if b"\x00" in data:
        return "", (data[: data.index(b"\x00")].count(b"\n") + 1,
                    "is a binary file, not a text note: remove it from content/")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return "", (line, (f"is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be decoded): it may be saved "
                    "in a legacy encoding such as EUC-KR, Shift_JIS or Windows-1252; re-save the file as UTF-8"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if control := CONTROL.search(text):
        kind = "control character" if ord(control.group()) < 0xA0 else "non-character"
        return "", (text.count("\n", 0, control.start()) + 1, f"contains the {kind} "
                    f"U+{ord(control.group()):04X}, which cannot be published (pages and the feed forbid it): "
                    "delete it; an editor that shows invisible characters will find it")
    return text, None


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
