"""Problems found in a site's input, and the error that carries them to the command line."""

from __future__ import annotations

import difflib
import errno
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input: where it is, which field, what is wrong and how to fix it."""

    path: str
    line: int
    field: str
    message: str
    draft: bool = False  # in a note marked draft: it stops only the builds that publish drafts

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """The problem as plain data, for `check --format json`."""
        return {"path": self.path, "line": self.line, "field": self.field, "message": self.message}


class SiteError(Exception):
    """The site cannot be built; carries every problem found, sorted by file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(map(str, self.problems)))

    def __reduce__(self) -> tuple[type, tuple[list[Problem]]]:
        """Pickle with the problems, so an error raised in a worker process arrives whole."""
        return (SiteError, (self.problems,))


# What to do when the machine refuses, by the system's error number.
MACHINE_ADVICE = {
    errno.ENOSPC: "free some space on that disk, then build again",
    errno.EDQUOT: "free some space within your disk quota, then build again",
    errno.EROFS: "the file system is mounted read-only: remount it read-write, or build elsewhere (--destination)",
    errno.EACCES: "this user may not change it: change its owner or permissions, or build elsewhere (--destination)",
    errno.EPERM: "this user may not change it: change its owner or permissions, or build elsewhere (--destination)",
    errno.ENOTDIR: "a file stands where a folder is needed: move the file, or build elsewhere (--destination)",
    errno.EEXIST: "a file stands where a folder is needed: move the file, or build elsewhere (--destination)",
}


def machine_problem(error: OSError) -> str:
    """One line for a failure of the machine rather than of the site: the path, the cause and what to do."""
    where = f"{error.filename}: " if error.filename else ""
    cause = error.strerror or str(error)
    advice = MACHINE_ADVICE.get(error.errno or 0, "check the disk and the path, then build again")
    return f"{where}{cause}: {advice}"


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A ' Did you mean `x`?' hint for a misspelt word, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Did you mean `{close[0]}`?" if close else ""


def display_path(path: Path, root: Path) -> str:
    """The path as an editor would type it: relative to the site when possible."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
