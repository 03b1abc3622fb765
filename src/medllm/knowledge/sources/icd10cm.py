"""ICD-10-CM 2026 tabular list (public domain, CDC/CMS) read from the `simple-icd-10-cm` package.

Records: one `IcdCode` per category, subcategory and billable code, including the codes formed with
a 7th character (e.g. S00.00XA), exactly the 98,186 codes of the official code list (which also
lists the 22 chapters and the blocks; those are fields of each code here). We parse the XML ourselves because the package's API loads the whole
tree on import and exposes no typed records.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from medllm.core import Document, locate
from medllm.knowledge.provenance import provenance_meta
from medllm.knowledge.sources._cache import cached

DIST = "simple-icd-10-cm"
RELPATH = "simple_icd_10_cm/data/icd10c-tabular-April-1-2026.xml"
# The official code list decides which 7th-character codes exist (a few rules, such as the S06
# "death" codes taking only "A", are stated in notes the XML does not encode).
CODE_LIST = "simple_icd_10_cm/data/code-list-April-2026.txt"
SOURCE = "icd10cm"
LICENCE = "public domain"  # a U.S. government work (NCHS/CMS)
CITATION = "ICD-10-CM April 2026 (NCHS/CMS; simple-icd-10-cm 1.5.0)"
NOTE_TAGS = (
    "inclusionTerm",
    "includes",
    "excludes1",
    "excludes2",
    "codeFirst",
    "codeAlso",
    "useAdditionalCode",
    "notes",
)


@dataclass(frozen=True)
class IcdCode:
    """One ICD-10-CM code. `code` is dotted ("E11.9"); `chapter`/`block` are "id: title"."""

    code: str
    description: str
    chapter: str
    block: str
    parent: str = ""
    leaf: bool = True
    inclusion_terms: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    excludes1: tuple[str, ...] = ()
    excludes2: tuple[str, ...] = ()
    code_first: tuple[str, ...] = ()
    code_also: tuple[str, ...] = ()
    use_additional_code: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    children: tuple[str, ...] = field(default=())
    # 7th characters defined at this code (char, meaning), and for a code formed with one, its meaning
    seventh_chars: tuple[tuple[str, str], ...] = ()
    extension: str = ""


def xml_path() -> Path:
    return locate(DIST, RELPATH)


def load_codes() -> list[IcdCode]:
    """Every code in tabular order (cached after the first parse, ~3 s → ~0.3 s)."""
    path, code_list = xml_path(), locate(DIST, CODE_LIST)
    return cached("icd10cm", [path, code_list], lambda: _parse(path, code_list), IcdCode)


def load_code_map() -> dict[str, IcdCode]:
    return {c.code: c for c in load_codes()}


def _notes(el: ET.Element, tag: str) -> tuple[str, ...]:
    return tuple(
        " ".join((n.text or "").split()) for sub in el.findall(tag) for n in sub.findall("note")
    )


def _parse(path: Path, code_list: Path) -> list[IcdCode]:
    valid = set(code_list.read_text(encoding="utf-8").split())
    root = ET.parse(path).getroot()
    out: list[IcdCode] = []
    for chapter in root.iter("chapter"):
        chap = f"{chapter.findtext('name', '')}: {chapter.findtext('desc', '').strip()}"
        for section in chapter.iter("section"):
            block = f"{section.get('id', '')}: {' '.join(section.findtext('desc', '').split())}"
            for diag in section.findall("diag"):
                _walk(diag, chap, block, "", None, out)
    keep = [c for c in out if c.code.replace(".", "") in valid]
    kept = {c.code for c in keep}
    return [replace(c, children=tuple(k for k in c.children if k in kept)) for c in keep]


def _walk(
    diag: ET.Element,
    chapter: str,
    block: str,
    parent: str,
    seventh: list[tuple[str, str]] | None,
    out: list[IcdCode],
) -> None:
    code = diag.findtext("name", "").strip()
    desc = " ".join(diag.findtext("desc", "").split())
    own = [
        (e.get("char", ""), (e.text or "").strip()) for e in diag.findall("sevenChrDef/extension")
    ]
    seventh = own or seventh
    subs = diag.findall("diag")
    lists = {tag: _notes(diag, tag) for tag in NOTE_TAGS}
    kids = [s.findtext("name", "").strip() for s in subs]
    if not subs and seventh:
        kids = [_with_seventh(code, ch) for ch, _ in seventh]
    out.append(
        IcdCode(
            code=code,
            description=desc,
            chapter=chapter,
            block=block,
            parent=parent,
            leaf=not kids,
            inclusion_terms=lists["inclusionTerm"],
            includes=lists["includes"],
            excludes1=lists["excludes1"],
            excludes2=lists["excludes2"],
            code_first=lists["codeFirst"],
            code_also=lists["codeAlso"],
            use_additional_code=lists["useAdditionalCode"],
            notes=lists["notes"],
            children=tuple(kids),
            seventh_chars=tuple(seventh or ()) if (own or (seventh and not subs)) else (),
        )
    )
    for sub in subs:
        _walk(sub, chapter, block, code, seventh, out)
    if not subs and seventh:
        for ch, meaning in seventh:
            out.append(
                IcdCode(
                    code=_with_seventh(code, ch),
                    description=f"{desc}, {meaning}",
                    chapter=chapter,
                    block=block,
                    parent=code,
                    extension=meaning,
                )
            )


def _with_seventh(code: str, char: str) -> str:
    """S00.00 + A → S00.00XA: codes shorter than 6 characters are padded with the placeholder X."""
    head, _, tail = code.partition(".")
    tail = tail.ljust(3, "X")
    return f"{head}.{tail}{char}"


def to_document(c: IcdCode) -> Document:
    """Description first (what retrieval matches), then the instructional notes and chapter path."""
    lines = [f"ICD-10-CM {c.code}: {c.description}"]
    labels = (
        ("Inclusion terms", c.inclusion_terms),
        ("Includes", c.includes),
        ("Excludes1", c.excludes1),
        ("Excludes2", c.excludes2),
        ("Code first", c.code_first),
        ("Code also", c.code_also),
        ("Use additional code", c.use_additional_code),
        ("Notes", c.notes),
        ("7th characters", tuple(f"{ch} {meaning}" for ch, meaning in c.seventh_chars)),
    )
    lines += [f"{label}: {'; '.join(items)}." for label, items in labels if items]
    lines.append(f"Chapter {c.chapter}. Block {c.block}.")
    return Document(
        id=f"{SOURCE}:{c.code}",
        text="\n".join(lines),
        title=f"{c.code} {c.description}",
        source=SOURCE,
        url=f"https://www.cms.gov/medicare/coding-billing/icd-10-codes#{c.code}",
        meta={
            **provenance_meta(c.code, LICENCE, f"{c.code}, {CITATION}"),
            "code": c.code,
            "leaf": c.leaf,
            "chapter": c.chapter.split(":")[0],
        },
    )


def documents() -> Iterator[Document]:
    """Codes without the 7th-character variants (~46k): a variant only adds "initial encounter"
    etc. to its parent, whose document lists the 7th characters. `all_documents` has every code."""
    for c in load_codes():
        if not c.extension:
            yield to_document(c)


def all_documents() -> Iterator[Document]:
    for c in load_codes():
        yield to_document(c)
