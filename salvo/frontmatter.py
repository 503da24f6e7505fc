"""YAML front matter -> plain Python values with the line of every key, safely.

Built from the C parser's event stream rather than PyYAML's loader so that duplicate keys, aliases,
foreign tags and deep nesting are refused before they cost memory or time, and so that each value
keeps its line and whether it was quoted.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = yaml.resolver.Resolver()
MAX_DEPTH = 8
TAG = "tag:yaml.org,2002:"
STANDARD_TAGS = {TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}
TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


@dataclass(frozen=True)
class YamlProblem:
    """A problem in the front matter, at a line counted from the first line of the YAML."""

    line: int
    field: str
    message: str


@dataclass
class FrontMatter:
    """The parsed mapping, the line of each key path ("sources.0.url"), and which scalars were plain."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    plain: set[str] = field(default_factory=set)
    raw: dict[str, str] = field(default_factory=dict)


class _Refused(Exception):
    """Stops the event walk at the first structural problem."""

    def __init__(self, problem: YamlProblem) -> None:
        self.problem = problem


def parse_front_matter(text: str, first_line: int = 2) -> tuple[FrontMatter, list[YamlProblem]]:
    """Parse YAML text that must be one mapping; return it with the problems found.

    `first_line` is the file line the YAML starts on (after the opening `---`), for lines named in messages.
    """
    result = FrontMatter()
    if not text.strip():
        return result, [YamlProblem(0, "", "the front matter is empty: add the note's fields between the `---` lines")]
    events = yaml.parse(text, Loader=_Loader)
    try:
        _expect(events, yaml.StreamStartEvent)
        first = next(events)
        if not isinstance(first, yaml.DocumentStartEvent):
            raise _Refused(YamlProblem(0, "", "the front matter has no fields, only comments: add the note's "
                                       "fields (`title: ...`, `date: ...`) between the `---` lines"))
        root = next(events)
        if not isinstance(root, yaml.MappingStartEvent):
            line = root.start_mark.line
            raise _Refused(YamlProblem(line, "", "the front matter must be `key: value` lines, one field per line"))
        _check_node_event(root, "")
        result.values = _mapping(events, result, "", 1, first_line)
        end = next(events)
        if not isinstance(end, yaml.DocumentEndEvent) or not isinstance(next(events), yaml.StreamEndEvent):
            raise _Refused(YamlProblem(end.start_mark.line, "", "the front matter holds more than one YAML document: "
                                       "remove the extra `---` or `...` line"))
    except _Refused as refused:
        return result, [refused.problem]
    except yaml.MarkedYAMLError as error:
        return result, [_explain(error, text)]
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position)
        field = _field_at(text.split("\n"), line)
        character = error.character if isinstance(error.character, str) else chr(error.character)
        return result, [YamlProblem(line, field, f"the front matter contains the invisible character "
                                    f"U+{ord(character):04X}, which YAML does not allow: delete it")]
    except yaml.YAMLError as error:
        return result, [YamlProblem(0, "", f"invalid YAML: {str(error).splitlines()[0]}")]
    return result, []


def _expect(events: Any, kind: type) -> Any:
    """The next event, which must be of the given kind."""
    event = next(events)
    if not isinstance(event, kind):
        raise _Refused(YamlProblem(event.start_mark.line, "", "unexpected YAML structure"))
    return event


def _check_node_event(event: Any, path: str) -> None:
    """Refuse aliases and tags that are not plain YAML types."""
    if isinstance(event, yaml.AliasEvent):
        raise _Refused(YamlProblem(event.start_mark.line, path, f"`{path}` uses a YAML alias (*{event.anchor}): "
                                   "anchors and aliases are not allowed; write the value out"))
    tag = getattr(event, "tag", None)
    if tag and tag not in STANDARD_TAGS and tag != "!":
        shown = "!!" + tag.removeprefix(TAG) if tag.startswith(TAG) else tag
        raise _Refused(YamlProblem(event.start_mark.line, path, f"`{path}` has the YAML tag `{shown}`: "
                                   "tags are not allowed; remove it and write a plain value"))


def _value(event: Any, events: Any, result: FrontMatter, path: str, depth: int, first_line: int) -> Any:
    """Build the value that starts with this event."""
    _check_node_event(event, path)
    result.lines.setdefault(path, event.start_mark.line)
    if isinstance(event, yaml.ScalarEvent):
        return _scalar(event, result, path)
    if depth >= MAX_DEPTH:
        raise _Refused(YamlProblem(event.start_mark.line, path, f"`{path}` is nested too deeply "
                                   f"(more than {MAX_DEPTH} levels): notes need only lists of simple fields"))
    if isinstance(event, yaml.SequenceStartEvent):
        items = []
        while not isinstance(item := next(events), yaml.SequenceEndEvent):
            items.append(_value(item, events, result, f"{path}.{len(items)}", depth + 1, first_line))
        return items
    if isinstance(event, yaml.MappingStartEvent):
        return _mapping(events, result, path, depth + 1, first_line)
    raise _Refused(YamlProblem(event.start_mark.line, path, "unexpected YAML structure"))


def _mapping(events: Any, result: FrontMatter, path: str, depth: int, first_line: int) -> dict[str, Any]:
    """Build a mapping, refusing duplicate and non-text keys."""
    mapping: dict[str, Any] = {}
    while not isinstance(key_event := next(events), yaml.MappingEndEvent):
        _check_node_event(key_event, path)
        if not isinstance(key_event, yaml.ScalarEvent):
            raise _Refused(YamlProblem(key_event.start_mark.line, path, "a key must be a plain word"))
        key = key_event.value
        full = f"{path}.{key}" if path else key
        if key == "<<":
            raise _Refused(YamlProblem(key_event.start_mark.line, full, "YAML merge keys (`<<`) are not allowed: "
                                       "write the fields out in this mapping"))
        if key in mapping:
            first = result.lines.get(full, key_event.start_mark.line) + first_line
            raise _Refused(YamlProblem(key_event.start_mark.line, full, f"duplicate key `{full}` (first given on "
                                       f"line {first}): keep only one"))
        result.lines[full] = key_event.start_mark.line
        mapping[key] = _value(next(events), events, result, full, depth, first_line)
    return mapping


def _scalar(event: Any, result: FrontMatter, path: str) -> Any:
    """Resolve a scalar as YAML 1.1 would, but keep NaN, dates and times visible to validation."""
    text = event.value
    result.raw[path] = text
    if event.tag and event.tag != "!":
        tag = event.tag
    elif event.implicit[0]:
        result.plain.add(path)
        tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    else:
        tag = TAG + "str"
    if tag == TAG + "str":
        return text
    if tag == TAG + "null":
        return None
    if tag == TAG + "bool":
        return text.lower() in ("yes", "true", "on", "y")
    try:
        if tag == TAG + "int":
            return _int(text)
        if tag == TAG + "float":
            return _float(text)
    except (ValueError, OverflowError):  # `0x_`, `!!int x`, thousands of digits: text, for validation to reject
        return text
    if tag == TAG + "timestamp":
        return _timestamp(text)
    raise _Refused(YamlProblem(event.start_mark.line, path, f"`{path}` cannot be read as {tag}"))


def _int(text: str) -> int | str:
    """YAML 1.1 integers, sexagesimal included (so `10:30` becomes 630, as YAML says)."""
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    if ":" in digits:
        value = 0
        for part in digits.split(":"):
            value = value * 60 + int(part)
        return sign * value
    for prefix, base in (("0b", 2), ("0x", 16)):
        if digits.startswith(prefix):
            return sign * int(digits[2:], base)
    if len(digits) > 1 and digits.startswith("0"):
        return sign * int(digits, 8)
    return sign * int(digits)


def _float(text: str) -> float:
    """YAML 1.1 floats, .nan and .inf included (validation rejects them)."""
    lowered = text.replace("_", "").lower()
    if lowered in (".nan",):
        return math.nan
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if ":" in lowered:
        sign = -1.0 if lowered.startswith("-") else 1.0
        value = 0.0
        for part in lowered.lstrip("+-").split(":"):
            value = value * 60 + float(part)
        return sign * value
    return float(lowered)


def _timestamp(text: str) -> dt.date | dt.datetime | str:
    """A YAML date or date-time; anything Python cannot read stays text for validation to reject."""
    try:
        if len(text) <= 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace(" ", "T", 1).replace("t", "T"))
    except ValueError:
        return text


def _explain(error: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    """Turn PyYAML's parser message into an editor's message that names the field and the fix."""
    problem = error.problem or str(error)
    mark = error.problem_mark or error.context_mark
    if error.context_mark and any(p in problem for p in ("end of stream", "expected ',' or", "expected ':'")):
        mark = error.context_mark  # where the unclosed bracket, quote or key began, not where the text ran out
    lines = text.split("\n")
    line = min(mark.line if mark else 0, len(lines) - 1)
    field = _field_at(lines, line)
    where = f"invalid YAML in `{field}`" if field else "invalid YAML"
    if (quoted := _unclosed_quote(lines, line)) is not None and any(p in problem for p in _STRUCTURE):
        line, field = quoted, _field_at(lines, quoted)
        return YamlProblem(line, field, f"invalid YAML in `{field}`: a quotation mark is never closed: "
                           "add the closing quote")
    here = lines[line]
    if "tab" in problem or ("cannot start any token" in problem and "\t" in here[: len(here) - len(here.lstrip())]):
        return YamlProblem(line, field, f"{where}: a tab character is used for indentation: YAML needs spaces, "
                           "replace the tabs with spaces")
    clues = f"{problem} {error.context or ''}"
    for clue, fix in _FIXES:
        if clue in clues:
            return YamlProblem(line, field, f"{where}: {fix}")
    return YamlProblem(line, field, f"{where}: {problem}: check the quoting and the indentation of this line")


_FIXES = (
    ("mapping values are not allowed", "a value contains `: `: put the whole value in quotes"),
    ("could not find expected ':'", "this line is not `key: value`: add the colon, or quote the text"),
    ("expected ',' or ']'", "a `[` is never closed: add the `]`, or put the whole value in quotes"),
    ("expected ',' or '}'", "a `{` is never closed: add the `}`, or put the whole value in quotes"),
    ("end of stream", "a quotation mark is never closed: add the closing quote"),
    ("unknown escape character", "a backslash in double quotes starts an unknown escape: write `\\\\` for a "
     "backslash, or use single quotes"),
    ("cannot start any token", "a value cannot start with `@`, `` ` `` or `%`: put the whole value in quotes"),
    ("undefined tag handle", "`!` starts a YAML tag: tags are not allowed; put the whole value in quotes"),
    ("scanning an alias", "`*` starts a YAML alias: aliases are not allowed; put the whole value in quotes"),
    ("scanning an anchor", "`&` starts a YAML anchor: anchors are not allowed; put the whole value in quotes"),
    ("expected key", "the indentation is inconsistent: indent the fields of one level by the same number of spaces"),
    ("'-' indicator", "a list item and a field are mixed at one level: indent the list under its field"),
)


_STRUCTURE = ("expected key", "expected <block end>", "expected ':'", "end of stream", "mapping values",
              "cannot start any token", "'-' indicator")
QUOTED = re.compile(r"""^\s*(?:-\s+)?[\w-]+\s*:\s+(["'])(.*)$""")


def _unclosed_quote(lines: list[str], line: int) -> int | None:
    """The first line up to this one whose quoted value never closes on it (YAML then reads on), or None."""
    for number, text in enumerate(lines[: line + 1]):
        match = QUOTED.match(text)
        if match and not _closes(match.group(2), match.group(1)):
            return number
    return None


def _closes(rest: str, quote: str) -> bool:
    """Whether a value that opened with this quote closes on the same line (escapes and doubled quotes skipped)."""
    rest = rest.replace("\\\\", "").replace('\\"', "") if quote == '"' else rest.replace("''", "")
    return quote in rest


def _field_at(lines: list[str], line: int) -> str:
    """The top-level key whose value covers this line of the YAML, or an empty string."""
    for text in reversed(lines[: line + 1]):
        if match := TOP_KEY.match(text):
            return match.group(1)
    return ""
