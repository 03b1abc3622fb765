"""WHO Model List of Essential Medicines: medicine ↔ sections.

A medicine named in the question → every section it is listed in (a medicine such as
hydrocortisone is listed in five), with forms and pregnancy category; a section named in the
question ("antimalarial medicines", "anaesthetics") → the medicines listed under it. Data: the
442 records GNU Health packages (names as the list spells them: "acetylsalicylic acid").
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import TYPE_CHECKING

from medllm.rag.tools.base import Found, entry, lines
from medllm.rag.tools.text import PhraseIndex

if TYPE_CHECKING:
    from medllm.knowledge import Medicine

NAME = "eml"
SOURCE = "who_medicine"
URL = "https://list.essentialmeds.org/"


@lru_cache(maxsize=1)
def medicines() -> dict[str, list[Medicine]]:
    """Records by medicine name, in list order."""
    from medllm.knowledge import load_medicines

    out: dict[str, list[Medicine]] = defaultdict(list)
    for m in load_medicines():
        out[m.name].append(m)
    return dict(out)


@lru_cache(maxsize=1)
def sections() -> dict[tuple[str, ...], list[Medicine]]:
    """Every section and subsection path → the medicines listed at or below it."""
    out: dict[tuple[str, ...], list[Medicine]] = defaultdict(list)
    for m in (m for records in medicines().values() for m in records):
        for depth in range(1, len(m.category) + 1):
            out[m.category[:depth]].append(m)
    return dict(out)


@lru_cache(maxsize=1)
def medicine_names() -> PhraseIndex:
    """Medicine names and their aliases (`_medicine_aliases`) → the name as the list spells it."""
    return PhraseIndex((alias, n) for n in medicines() for alias in _medicine_aliases(n))


def _medicine_aliases(name: str) -> list[str]:
    """The list writes abbreviations in brackets ("efavirenz (EFV or EFZ)"): users write the
    name without them, or an abbreviation alone."""
    bare = re.sub(r"\s*\([^)]*\)", "", name).strip()
    short = [a.strip() for b in re.findall(r"\(([^)]*)\)", name) for a in re.split(r" or |,", b)]
    return list(dict.fromkeys(a for a in [name, bare, *short] if a))


_GENERIC = frozenset({"medicines", "medicine", "agents", "and", "other", "used", "in", "for"})


def _core(name: str) -> str:
    """A section name without its generic words ("Antimalarial medicines" → "antimalarial")."""
    return " ".join(w for w in name.split() if w.lower() not in _GENERIC)


def _section_aliases(path: tuple[str, ...]) -> list[str]:
    """What users call a section: its name, its bracketed abbreviation ("DMARDs"), its core, each
    "/"-alternative ("ANTICONVULSANTS/ANTIEPILEPTICS" → "anticonvulsants"), and the core with a
    parent's ("Inhalational medicines" under "ANAESTHETICS" → "inhalational anaesthetics")."""
    name = path[-1]
    # "... rheumatoid disorders (DMARDs)": the bracketed abbreviation alone, and the name without it
    bracketed = [a.strip() for b in re.findall(r"\(([^)]*)\)", name) for a in b.split(",")]
    out = [name, *name.split("/"), *bracketed]
    name = re.sub(r"\s*\([^)]*\)", "", name).strip() or name
    out.append(name)
    core = _core(name)
    if core and core != name and max(len(w) for w in core.split()) >= 6:
        out.append(core)
    for parent in path[:-1]:
        for alt in parent.split("/"):
            if (pc := _core(alt)) and core:
                out.append(f"{core} {pc}")
    return list(dict.fromkeys(a.strip() for a in out if a.strip()))


@lru_cache(maxsize=1)
def section_names() -> PhraseIndex:
    """Section names and their aliases (`_section_aliases`) → the section path."""
    return PhraseIndex(
        (alias, " > ".join(path)) for path in sections() for alias in _section_aliases(path)
    )


def medicine_text(name: str, records: list[Medicine]) -> str:
    out = [f"WHO essential medicine: {name}", f"Listed in {len(records)} section(s) of the EML:"]
    for m in records:
        forms = f" — {m.notes}" if m.notes else ""
        out.append(f"- {' > '.join(m.category)}{forms}")
    cats = sorted({m.pregnancy_category for m in records if m.pregnancy_category})
    out += lines("Pregnancy category", cats)
    return "\n".join(out)


def section_text(path: str, records: list[Medicine]) -> str:
    names = list(dict.fromkeys(m.name for m in records))
    out = [f"WHO EML section: {path}", f"{len(names)} medicine(s) listed:"]
    out += lines("Medicines", names, limit=40)
    return "\n".join(out)


class EmlTool:
    name = NAME

    def medicine(self, name: str, score: float = 1.0) -> Found:
        records = medicines()[name]
        doc = f"{SOURCE}:{records[0].id}"
        return Found(entry(doc, NAME, medicine_text(name, records), name, SOURCE, URL), score)

    def section(self, path: str, score: float) -> Found:
        records = sections()[tuple(path.split(" > "))]
        doc = f"{SOURCE}_section:{path}"
        text = section_text(path, records)
        return Found(entry(doc, NAME, text, f"EML section: {path}", SOURCE, URL), score)

    def run(self, query: str, k: int = 3) -> list[Found]:
        """Medicines named in `query`; when none is, the sections named in it. Section numbers
        ("section 5", "6.4.2.2") are not in the packaged list and are left out of the match."""
        query = " ".join(re.sub(r"\b\d+(?:\.\d+)*\b", " ", query).split())
        meds = medicine_names().lookup(query, k)
        if meds:
            return [self.medicine(n, s) for n, s in meds]
        return [self.section(p, s) for p, s in section_names().lookup(query, k)]
