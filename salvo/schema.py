"""The note schema, declared once: every front-matter field of each section of content/, with its rule, when it is
required, its default, the comment `new` writes beside it, its column in the data files and in the launch CSV.

Validation (validate.py), `new` (scaffold.py and its options in cli.py), the data files (datafiles.py) and the
importer (importer.py) all read these tables, so adding a field is one entry here and one in the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LAUNCH = "launch"
NUCLEAR_TEST = "nuclear_test"


@dataclass(frozen=True)
class Option:
    """The `new` command's option that sets a field."""

    flag: str
    metavar: str
    help: str  # may name a vocabulary of site.toml in braces, e.g. {missile_types}


@dataclass(frozen=True)
class Field:
    """One front-matter field."""

    name: str
    rule: str  # the validate.Checker method that reads it: text, when, count, number, word, choice, ...
    required: str = ""  # "always", "launch" (launch notes only), or "" for an optional field
    default: Any = None  # the value when the field is left out or null
    comment: str = ""  # what `new` writes beside the field; may name a vocabulary in braces
    vocabulary: str = ""  # for rule "word": the [vocabularies] table of site.toml that lists the allowed words
    choices: tuple[str, ...] = ()  # for rule "choice": the allowed words
    option: Option | None = None  # the `new` option that sets the field
    column: str | None = None  # its column in data/incidents.csv and .json; None when not published
    imported: str | None = None  # the launch CSV column it is imported from; None when the importer writes it
    imported_words: tuple[tuple[str, Any], ...] = ()  # CSV cell -> value, for cells in a vocabulary of their own

    @property
    def numeric(self) -> bool:
        """Whether the field holds a number (a command-line value is read as one)."""
        return self.rule in ("count", "number", "coordinate", "integer")


def entry(name: str, rule: str, comment: str = "", **more: Any) -> Field:
    """A field, published in the data files under its own name unless told otherwise."""
    return Field(name, rule, comment=comment, **({"column": name} | more))


TITLE = entry("title", "text", "required: the incident in a few words", required="always", column=None)
SOURCES = entry("sources", "sources", required="always", default=(), column=None)
TAGS = entry("tags", "tags", "list of text", default=(), column=None)
DRAFT = entry("draft", "flag", "true while unfinished: left out by `build`, shown by `serve`; set it to false "
              "to publish the note", default=False, column=None)
KIND = entry("kind", "choice", "launch | nuclear_test", choices=(LAUNCH, NUCLEAR_TEST), default=LAUNCH)
NONE = "(default: unknown)"

INCIDENT = (
    TITLE,
    entry("date", "when", "required: \"YYYY-MM-DD\", or \"YYYY-MM\" when only the month is known; the date in Korea",
      required="always", imported="date",
      option=Option("date", "YYYY-MM-DD", "the date in Korea, {korea}; YYYY-MM when only the month is known "
                    "(default: today in Korea)")),
    entry("time", "time", "\"HH:MM\", quoted, Korea Standard Time (UTC+9); null if unknown", column="time_kst",
      imported="time_local",
      option=Option("time", "HH:MM", "the time of the launch, {korea}, on a 24-hour clock " + NONE)),
    KIND,
    entry("missile_type", "word", "required for launches: one of {missile_types}", vocabulary="missile_types",
      required="launch", imported="missile_type",
      option=Option("type", "TYPE", "the missile class, one of: {missile_types} (default: blank, to fill in)")),
    entry("missile_name", "text", "text, e.g. \"Hwasong-14\"; \"Unknown\" when unidentified; null if unknown",
      imported="missile_name",
      option=Option("name", "NAME", "the missile's name, e.g. Hwasong-18; Unknown when unidentified " + NONE)),
    entry("count", "count", "missiles in the event, a whole number of 1 or more; null if unknown", imported="count",
      option=Option("count", "N", "the number of missiles fired, a whole number of 1 or more " + NONE)),
    entry("launch_site", "text", "{sites}; \"Unknown\" or null if unknown", imported="launch_site",
      option=Option("site", "SITE", "the launch site, a name or alias from launch-sites.toml, e.g. Wonsan: fills "
                    "in its canonical name, province and coordinates " + NONE)),
    entry("province", "segment", "text; null if unknown", imported="province",
      option=Option("province", "PROVINCE", "the province (default: the launch site's, else unknown)")),
    entry("latitude", "coordinate", "the launch facility's latitude in degrees, a number; null if unknown",
      imported="facility_lat"),
    entry("longitude", "coordinate", "the launch facility's longitude in degrees, a number; null if unknown",
      imported="facility_lon"),
    entry("distance_km", "number", "km flown, a number; null if unknown", imported="distance_km",
      option=Option("distance", "KM", "the distance flown, in km " + NONE)),
    entry("apogee_km", "number", "highest altitude in km, a number; null if unknown", imported="apogee_km",
      option=Option("apogee", "KM", "the highest altitude reached, in km " + NONE)),
    entry("landing", "text", "where it came down, text, e.g. \"Sea of Japan (East Sea)\"; null if unknown",
      imported="landing",
      option=Option("landing", "WHERE", 'where it came down, e.g. "Sea of Japan (East Sea)" ' + NONE)),
    entry("outcome", "word", "required for launches: one of {outcomes}", vocabulary="outcomes", required="launch",
      imported="outcome", option=Option("outcome", "OUTCOME", "one of: {outcomes} (default: blank, to fill in)")),
    entry("outcome_detail", "text", "text, e.g. \"1 failure, 2 success\"; null if none", column=None,
      imported="outcome_detail"),
    entry("hypersonic", "choice", "confirmed | claimed; null if neither", choices=("confirmed", "claimed"),
      imported="hypersonic", imported_words=(("yes", "confirmed"), ("claimed", "claimed"))),
    entry("overflew_japan", "flag", "true if it flew over the Japanese home islands", default=False,
      imported="overflew_japan", imported_words=(("yes", True),)),
    entry("record_status", "word", "one of {record_statuses}; supplement = outside the ballistic record",
      vocabulary="record_statuses", default="editor", imported="record_status"),
    entry("event_id", "text", "the record's id, unique across notes; null if none", imported="event_id"),
    entry("yield_kt", "text", "nuclear tests: estimated yield as text, e.g. \"10-20\"; null otherwise", column=None),
    entry("seismic_magnitude", "number", "nuclear tests: body-wave magnitude, a number; null otherwise", column=None),
    entry("caveats", "texts", "list of text: what a reader should know about the figures", default=(), column=None),
    SOURCES,
    TAGS,
    DRAFT,
)
CONTEXT = (
    TITLE,
    entry("date", "when", required="always"),
    entry("end_date", "plain_date"),
    entry("kind", "word", vocabulary="context_kinds", required="always"),
    SOURCES,
    TAGS,
    DRAFT,
)
PAGE = (TITLE, entry("description", "text", default=""), entry("weight", "integer", default=0), DRAFT)
FIELDS = {"incidents": INCIDENT, "context": CONTEXT, "pages": PAGE}
