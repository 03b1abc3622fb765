"""UniProtKB human disease summaries as packaged by GNU Health (`gnuhealth-genetics-uniprot`).

6,740 diseases (`DI-…` ids), every one with a paragraph-length description, its acronym, OMIM,
MedGen and MeSH cross-references and keywords; the genes come from the package's UniProt variant
tables (variant → disease, variant → gene), for 5,059 of them. The text is UniProtKB's (CC BY 4.0);
the XML files are GPL-3.0-or-later (GNU Health), so they are read from the installed package and
never copied into this repository. Installed with `--no-deps` (its dependency chain pulls trytond).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medllm.core import Document, locate
from medllm.knowledge.provenance import provenance_meta
from medllm.knowledge.sources._cache import cached

DIST = "gnuhealth-genetics-uniprot"
VERSION = "5.0.4"  # installed with --no-deps by the Makefile (CARRIERS)
_DATA = "trytond/modules/health_genetics_uniprot/data/"
DISEASES = _DATA + "protein_diseases.xml"
VARIANTS = _DATA + "gene_variants.xml"
VARIANT_DISEASES = _DATA + "variant_phenotypes.xml"
SOURCE = "uniprot_disease"
# The text is UniProtKB's (CC BY 4.0); the packaged XML is GPL-3.0-or-later (GNU Health).
LICENCE = "CC BY 4.0"
ATTRIBUTION = (
    "UniProt Consortium, UniProtKB human diseases, CC BY 4.0 (https://www.uniprot.org); "
    f"as packaged in gnuhealth-genetics-uniprot {VERSION} (GNU Health, GPL-3.0-or-later)"
)
_GENE = re.compile(r"'=',\s*'([^']+)'")  # <field name="gene" search="[('name', '=', 'HFE')]"/>


@dataclass(frozen=True)
class UniprotDisease:
    id: str  # "DI-01714"
    name: str  # "Hemochromatosis 1"
    acronym: str
    description: str
    xrefs: tuple[str, ...] = ()  # "MIM:235200", "MedGen:C0392514", "MeSH:D006432"
    keywords: tuple[str, ...] = ()
    genes: tuple[str, ...] = ()  # HGNC symbols of genes with variants linked to the disease


def load_diseases() -> dict[str, UniprotDisease]:
    """All 6,740 diseases by id; parsed once per package version (cached, ≈ 4 s on 2 cores)."""
    paths = [locate(DIST, p) for p in (DISEASES, VARIANTS, VARIANT_DISEASES)]
    return cached("uniprot_diseases", paths, lambda: _parse(*paths), UniprotDisease)


def _fields(record: ET.Element) -> dict[str, ET.Element]:
    return {f.get("name", ""): f for f in record.findall("field")}


def _text(fields: dict[str, ET.Element], key: str) -> str:
    el = fields.get(key)
    return " ".join((el.text or "").split()) if el is not None else ""


def _records(path: Path) -> Iterator[ET.Element]:
    """`<record>` elements one at a time, cleared after use (the variant file is 27 MB)."""
    for _, el in ET.iterparse(path):
        if el.tag == "record":
            yield el
            el.clear()


def _genes(variants: Path, variant_diseases: Path) -> dict[str, tuple[str, ...]]:
    gene_of: dict[str, str] = {}
    for rec in _records(variants):
        m = _GENE.search(_fields(rec).get("gene", ET.Element("x")).get("search", ""))
        if m:
            gene_of[rec.get("id", "")] = m.group(1)
    genes: dict[str, set[str]] = {}
    for rec in _records(variant_diseases):
        f = _fields(rec)
        variant = f["variant"].get("ref", "") if "variant" in f else ""
        disease = f["phenotype"].get("ref", "") if "phenotype" in f else ""
        if variant in gene_of and disease:
            genes.setdefault(disease, set()).add(gene_of[variant])
    return {d: tuple(sorted(g)) for d, g in genes.items()}


def _split(value: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in value.split(",") if x.strip())


def _parse(diseases: Path, variants: Path, variant_diseases: Path) -> dict[str, UniprotDisease]:
    genes = _genes(variants, variant_diseases)
    out: dict[str, UniprotDisease] = {}
    for rec in ET.parse(diseases).getroot().iter("record"):
        f, rid = _fields(rec), rec.get("id", "")
        out[rid] = UniprotDisease(
            id=rid,
            name=_text(f, "disease_name"),
            acronym=_text(f, "acronym"),
            description=_text(f, "description"),
            xrefs=_split(_text(f, "xrefs")),
            keywords=_split(_text(f, "keywords")),
            genes=genes.get(rid, ()),
        )
    return out


def url(disease_id: str) -> str:
    return f"https://www.uniprot.org/diseases/{disease_id}"


def to_document(d: UniprotDisease) -> Document:
    title = f"{d.name} ({d.acronym})" if d.acronym else d.name
    lines = [f"{title}: {d.description}"]
    if d.genes:
        lines.append(f"Genes with variants linked to it (UniProtKB): {', '.join(d.genes)}.")
    if d.keywords:
        lines.append(f"Keywords: {'; '.join(d.keywords)}.")
    if d.xrefs:
        lines.append(f"Cross-references: {', '.join(d.xrefs)}.")
    return Document(
        id=f"{SOURCE}:{d.id}",
        text="\n".join(lines),
        title=title,
        source=SOURCE,
        url=url(d.id),
        meta={
            **provenance_meta(d.id, LICENCE, f"UniProtKB disease {d.id} ({DIST} {VERSION})"),
            "xrefs": list(d.xrefs),
            "genes": list(d.genes),
        },
    )


def documents() -> Iterator[Document]:
    for d in load_diseases().values():
        yield to_document(d)
