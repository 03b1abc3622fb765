"""An exact tool hit states its fact: when the first source is a tool's exact match (a code, an
id or a whole name the question asked about, score 1) and the answer does not carry that entry's
whole id and most of its name, the answer starts with the entry's own first line ("ICD-10-CM
E11.9: Type 2 diabetes mellitus without complications [1]."). Small models often write "The HPO ID for hypotonia is [1]." — the
citation without the fact — or decline although the exact entry is in front of them; the lookup
has already answered, and the user should see it. `RagAnswer.fact_led` says when this happened,
and benchmarks/answer_quality.py counts it per arm.

Two more cases lead, both measured on the second development set:
- the first source is an ICD-10-CM candidate (not exact) and the answer writes a code that its
  code extends — "W54.0" for the W54.0XXA the encounter asked for: the code is stated whole;
- a differential's first candidate has every asked phenotype annotated (score 1) and the answer
  does not name it: the answer starts "Best match in the HPO annotations: Holt-Oram syndrome
  (OMIM:142900) [1]." (a ranking's top, said to be one, not a diagnosis).

Definitions (the `define` tool) never lead: their entry is prose the model has to read.
"""

from __future__ import annotations

import re

from medllm.rag.prompt import Source

# tools whose exact hit is a fact a user asked for by id or name
FACT_TOOLS = frozenset(["icd10cm", "hpo", "mesh", "disease", "eml"])
EXACT = 0.999


def _eml_section(text: str) -> str:
    """The first EML section an eml entry lists ("A > B — forms" → "A > B")."""
    for line in text.splitlines():
        if line.startswith("- "):
            return line[2:].split(" — ", 1)[0].strip()
    return ""


def fact(source: Source) -> tuple[str, str, str]:
    """(the sentence an exact hit states, its id, its name): an answer that leaves out the id or
    most of the name has not stated it."""
    first = source.text.splitlines()[0].strip() if source.text else source.title
    if source.tool == "eml":
        section = _eml_section(source.text)
        if not section:
            return "", "", ""
        name = first.partition(":")[2].strip() or source.title
        return f"{name} is listed in the WHO EML under {section}", "", section.split(" > ")[-1]
    record = source.doc_id.partition(":")[2]
    return first, record, first.partition(": ")[2]


def _has_id(answer: str, record: str) -> bool:
    """`record` written as a whole id: "J18" is not in "J18.0", "D00054" not in "D000544"."""
    return re.search(rf"(?<![\w.]){re.escape(record)}(?!\w|\.\w)", answer, re.I) is not None


def states_id(answer: str, source: Source) -> bool:
    """The answer writes the id of the vocabulary entry `source` is ("I48.0" for icd10cm:I48.0,
    "HP:0001250", "OMIM:306900", "D009103")."""
    record = source.doc_id.partition(":")[2]
    return bool(re.fullmatch(r"[A-Z][A-Z0-9.:_-]{2,}", record)) and _has_id(answer, record)


def _has_name(answer: str, name: str) -> bool:
    """More than half of the name's words (of 3+ letters) are in the answer."""
    want = set(re.findall(r"[a-z0-9]{3,}", name.lower()))
    got = set(re.findall(r"[a-z0-9]{3,}", answer.lower()))
    return not want or len(want & got) > len(want) / 2


def _truncated(answer: str, top: Source) -> bool:
    """The answer writes a shorter code that the top source's code extends (its category or the
    code without the 7th character), and not the code itself."""
    record = top.doc_id.partition(":")[2]
    if _has_id(answer, record):
        return False
    codes = re.findall(r"(?<![\w.])[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?(?![\w.])", answer)
    return any(record.startswith(c) and c != record for c in codes)


def lead_fact(answer: str, sources: tuple[Source, ...] | list[Source]) -> str:
    """The sentence to put before `answer` ("" when the answer already holds the fact, or the
    first source is not an exact tool hit)."""
    if not sources:
        return ""
    top = sources[0]
    if top.tool == "differential" and top.score >= EXACT:
        name = top.title.rsplit(" (", 1)[0]
        return (
            ""
            if _has_name(answer, name)
            else f"Best match in the HPO annotations: {top.title} [{top.n}]."
        )
    if top.tool == "icd10cm" and top.score < EXACT and _truncated(answer, top):
        return f"{fact(top)[0].rstrip('.')} [{top.n}]."
    if top.tool not in FACT_TOOLS or top.score < EXACT:
        return ""
    sentence, record, name = fact(top)
    if not sentence or ((not record or _has_id(answer, record)) and _has_name(answer, name)):
        return ""
    return f"{sentence.rstrip('.')} [{top.n}]."
