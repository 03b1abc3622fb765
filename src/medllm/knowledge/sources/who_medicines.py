"""WHO Model List of Essential Medicines as packaged by GNU Health (`gnuhealth-who-essential-medicines`).

442 medicines, each with its active component, the WHO category path (e.g. "ANAESTHETICS > General
anaesthetics and oxygen > Inhalational medicines"), pregnancy category and dosage-form notes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medllm.core import Document, locate
from medllm.knowledge.provenance import provenance_meta
from medllm.knowledge.sources._cache import cached

DIST = "gnuhealth-who-essential-medicines"
_DATA = "trytond/modules/health_who_essential_medicines/data/"
MEDICINES = _DATA + "WHO_list_of_essential_medicines.xml"
CATEGORIES = _DATA + "medicament_categories.xml"
SOURCE = "who_medicine"
# The WHO Model List is CC BY-NC-SA 3.0 IGO; the packaged XML is GPL-3.0-or-later (GNU Health).
LICENCE = "CC BY-NC-SA 3.0 IGO"
CITATION = "WHO Model List of Essential Medicines (gnuhealth-who-essential-medicines 5.0.4)"
# The two top levels ("Medicaments" > "WHO essential Medicines") say nothing about a medicine.
_ROOT_CATEGORIES = {"medicament", "em"}


@dataclass(frozen=True)
class Medicine:
    id: str  # "meds_em1"
    name: str  # the active component, e.g. "halothane"
    category: tuple[str, ...]  # from the WHO section down to the subsection
    pregnancy_category: str = ""
    pregnancy_warning: bool = False
    notes: str = ""


def load_medicines() -> list[Medicine]:
    meds, cats = locate(DIST, MEDICINES), locate(DIST, CATEGORIES)
    return cached("who_medicines", [meds, cats], lambda: _parse(meds, cats), Medicine)


def _records(path: Path) -> Iterator[tuple[str, dict[str, ET.Element]]]:
    for rec in ET.parse(path).getroot().iter("record"):
        yield rec.get("id", ""), {f.get("name", ""): f for f in rec.findall("field")}


def _category_paths(path: Path) -> dict[str, tuple[str, ...]]:
    parent: dict[str, str] = {}
    name: dict[str, str] = {}
    for rid, fields in _records(path):
        name[rid] = (fields["name"].text or "").strip() if "name" in fields else rid
        if "parent" in fields:
            parent[rid] = fields["parent"].get("ref", "")
    paths: dict[str, tuple[str, ...]] = {}
    for rid in name:
        chain, cur = [], rid
        while cur in name and cur not in _ROOT_CATEGORIES:
            chain.append(name[cur])
            cur = parent.get(cur, "")
        paths[rid] = tuple(reversed(chain))
    return paths


def _text(fields: dict[str, ET.Element], key: str) -> str:
    el = fields.get(key)
    return " ".join((el.text or "").split()) if el is not None else ""


def _parse(meds: Path, cats: Path) -> list[Medicine]:
    paths = _category_paths(cats)
    out = []
    for rid, fields in _records(meds):
        cat = fields["category"].get("ref", "") if "category" in fields else ""
        out.append(
            Medicine(
                id=rid,
                name=_text(fields, "active_component"),
                category=paths.get(cat, ()),
                pregnancy_category=_text(fields, "pregnancy_category"),
                pregnancy_warning=_text(fields, "pregnancy_warning") == "1",
                notes=_text(fields, "notes"),
            )
        )
    return out


def to_document(m: Medicine) -> Document:
    lines = [f"WHO essential medicine: {m.name}"]
    if m.category:
        lines.append(f"Category: {' > '.join(m.category)}.")
    if m.notes:
        lines.append(f"Forms and notes: {m.notes}")
    if m.pregnancy_category:
        warn = " (pregnancy warning)" if m.pregnancy_warning else ""
        lines.append(f"Pregnancy category: {m.pregnancy_category}{warn}.")
    return Document(
        id=f"{SOURCE}:{m.id}",
        text="\n".join(lines),
        title=m.name,
        source=SOURCE,
        url="https://list.essentialmeds.org/",
        meta={
            **provenance_meta(m.id, LICENCE, f"{m.id}, {CITATION}"),
            "medicine_id": m.id,
        },
    )


def documents() -> Iterator[Document]:
    for m in load_medicines():
        yield to_document(m)
