"""The gazetteer: one canonical name, province and position per launch site, with the other names it goes by.

Read from launch-sites.toml with the configuration (config.py); notes are judged against it (validate.py), `new`
fills a note in from it, and each Incident carries its site's canonical name (`facility`), so that one site
written several ways is counted once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from salvo.errors import did_you_mean

SITES_FILE = "launch-sites.toml"
UNKNOWN = "unknown"  # a launch_site that says the site is not known (any case), as null does
NEAR_KM = 10  # a note's coordinates further than this from its site's are a problem
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class LaunchSite:
    """A launch site (a facility, or an area when reports name no facility) and where its position comes from."""

    name: str
    province: str | None
    latitude: float | None
    longitude: float | None
    aliases: tuple[str, ...]
    area: bool
    source: str


@dataclass(frozen=True)
class Gazetteer:
    """Every launch site, found by its name or any alias, whatever their case and spacing."""

    sites: tuple[LaunchSite, ...]
    by_name: dict[str, LaunchSite] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Index the names and aliases."""
        index = {normal(name): site for site in self.sites for name in (site.name, *site.aliases)}
        object.__setattr__(self, "by_name", index)

    def find(self, name: str | None) -> LaunchSite | None:
        """The site a name or alias stands for, or None."""
        return self.by_name.get(normal(name)) if name else None

    def names(self) -> tuple[str, ...]:
        """Every name and alias, as written."""
        return tuple(name for site in self.sites for name in (site.name, *site.aliases))

    def judge(self, written: str, latitude: float | None, longitude: float | None) -> tuple[str | None,
                                                                                         list[tuple[str, str]]]:
        """The canonical name of the site a note names, and its problems as (field, message): a name that is
        no site's, or coordinates too far from the site's."""
        if normal(written) == UNKNOWN:
            return None, []
        site = self.find(written)
        if site is None:
            return None, [("launch_site", f"`launch_site` is `{written}`, which is not a name or alias in {SITES_FILE}."
                           f"{did_you_mean(written, self.names())} Write a name or alias listed there, \"Unknown\" "
                           f"if the site is not known, or add the site to {SITES_FILE} with the source of its "
                           "position")]
        if None in (latitude, longitude, site.latitude, site.longitude):
            return site.name, []
        away = distance_km(latitude, longitude, site.latitude, site.longitude)  # type: ignore[arg-type]
        if away <= NEAR_KM:
            return site.name, []
        return site.name, [("latitude", f"`latitude` and `longitude` ({latitude}, {longitude}) are {away:.0f} km from "
                            f"{site.name} as {SITES_FILE} places it ({site.latitude}, {site.longitude}), more than "
                            f"{NEAR_KM} km: correct them, or name the site they belong to")]


def normal(name: str | None) -> str:
    """A name compared without regard to case or spacing."""
    return " ".join(str(name).split()).casefold()


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points given in degrees (haversine, on a sphere of the Earth's mean
    radius: within 0.5% of the ellipsoid's, far closer than the 10 km it is compared with)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((phi2 - phi1) / 2) ** 2
         + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
