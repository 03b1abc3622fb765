"""No training row says a held-out record: its code, its description or its name, in any text field.

Record ids are not enough (`test_data.py::test_no_evaluation_item_is_ever_trained_on`): a training
code's Excludes note can name a held-out code with its words, a medicine listed twice can fall on
both sides of a split by record id. These tests read the rows' text.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from medllm.core.splits import HPO_DISEASE, is_heldout
from medllm.train.config import DataSection
from medllm.train.data import build_rows
from medllm.train.leakage import HeldOutTerms


def texts(row: dict[str, Any]) -> Iterator[str]:
    """Every string a row trains on (or is rendered into): text, raw prompt and message contents."""
    for key in ("text", "text_prompt"):
        if key in row:
            yield row[key]
    for key in ("prompt", "completion", "chosen", "rejected"):
        for m in row.get(key, ()):
            yield m["content"]


def said(terms: HeldOutTerms, runs: list[tuple[str, str, int | None]]) -> Counter[str]:
    """Held-out terms said by the rows of each (source, kind, limit): distinct texts saying each."""
    seen = {
        t
        for source, kind, limit in runs
        for row in build_rows(DataSection(sources=[source], limit=limit), kind)  # type: ignore[arg-type]
        for t in texts(row)
    }
    return Counter(term for t in seen for term in terms.said(t))


def test_terms_are_codes_as_tokens_and_names_as_whole_words() -> None:
    terms = HeldOutTerms(
        codes=["A01.0", "A09"],
        names=["Typhoid fever", "Myopia, right eye"],
        allowed=["Degenerative myopia, right eye", "typhoid FEVER"],
    )
    assert terms.said("Excludes1: typhoid fever (A01.0-)") == {"A01.0", "typhoid fever"}
    # an allowed phrase equal to a held-out name is no excuse
    assert terms.said("TYPHOID FEVER.") == {"typhoid fever"}
    assert terms.said("Paratyphoid fever; A01.00; A01.01; (A09.1)") == set()
    assert terms.said("(A01.0-A01.4); (A09.-)") == {"A01.0", "A09"}
    assert terms.said("Degenerative myopia, right eye") == set()
    assert terms.spans("Myopia, right eye; degenerative myopia, right eye") == [
        (0, 17, "myopia, right eye")
    ]
    assert terms.spans("see A01.0.") == [(4, 9, "A01.0")]
    assert terms.keep(["typhoid fever (A01.0)", "cholera (A00)", "A01.00"]) == (
        "cholera (A00)",
        "A01.00",
    )


def test_no_icd10cm_training_row_says_a_heldout_code_or_description() -> None:
    """Every training code's rows once (cpt: the documents with their notes; sft: the pairs, the
    lists, the choice items), with the held-out billable descriptions and every held-out code."""
    from medllm.evaluate.tasks import load_task
    from medllm.train.sources.icd10cm import records

    held = records("heldout")
    billable = {c.code: c.description for c in held if c.leaf}
    titles = {t for c in records("train") for t in (c.chapter, c.block)}  # "Block A00-A09: ..."
    terms = HeldOutTerms(
        codes=[c.code for c in held],
        names=billable.values(),
        allowed=[*(c.description for c in records("train")), *titles],
    )
    answers = {q.support_ids[0].split(":", 1)[1] for q in load_task("icd10cm_concepts")}
    t0 = time.perf_counter()
    found = said(
        terms,
        [
            ("icd10cm", "cpt", None),
            ("icd10cm", "sft", None),
            ("icd10cm", "dpo", 3000),
            ("icd10cm_lists", "sft", None),
            ("icd10cm_choice", "sft", None),
        ],
    )
    seconds = time.perf_counter() - t0
    all_codes = {c.code for c in held}
    codes, names = set(found) & billable.keys(), set(found) - all_codes
    counts = {
        "billable codes": len(codes),
        "answer codes": len(codes & answers),
        "descriptions": len(names),
        "answer descriptions": len(names & {billable[a].lower() for a in answers}),
        "other held-out codes": len(set(found) & all_codes - codes),
    }
    print(f"scanned in {seconds:.1f} s: {counts}")
    assert counts == dict.fromkeys(counts, 0)


def test_no_hpo_training_row_says_a_heldout_disease_name() -> None:
    """Held-out disease names may occur only inside a training disease's name (a family:
    "Fanconi anemia" in "Fanconi anemia, complementation group N") or a phenotype's name; the
    held-out diseases named like a phenotype ("Vaginal atresia") are said by every row that lists
    the phenotype, and are not checked here (no training disease bears one: test_data.py)."""
    from medllm.knowledge.sources.hpo import load_diseases, load_terms

    diseases = load_diseases().values()
    phenotypes = [t.name for t in load_terms().values()]
    held = {d.name.lower() for d in diseases if is_heldout(d.id, HPO_DISEASE)}
    terms = HeldOutTerms(
        names=held - {p.lower() for p in phenotypes},
        allowed=[d.name for d in diseases if not is_heldout(d.id, HPO_DISEASE)] + phenotypes,
    )
    found = said(
        terms,
        [
            ("hpo", "cpt", None),
            ("hpo", "sft", None),
            ("hpo", "dpo", 2000),
            ("hpo_families", "sft", None),
            ("hpo_choice", "sft", None),
            ("hpo_choice", "dpo", 2000),
        ],
    )
    assert sorted(found) == []


def test_no_who_training_row_says_a_heldout_medicine_name() -> None:
    from medllm.train.sources.who_medicines import records

    terms = HeldOutTerms(
        names=[m.name for m in records("heldout")], allowed=[m.name for m in records("train")]
    )
    found = said(terms, [("who_medicines", kind, None) for kind in ("cpt", "sft", "dpo")])
    assert sorted(found) == []


def test_who_medicines_split_keeps_every_record_of_a_medicine_on_one_side() -> None:
    from medllm.train.sources.who_medicines import records

    train = {m.name.casefold() for m in records("train")}
    held = {m.name.casefold() for m in records("heldout")}
    assert len(train) > 250 and len(held) > 30
    assert sorted(train & held) == []


@pytest.mark.parametrize("kind", ["cpt", "sft"])
def test_heldout_split_rows_still_say_their_own_records(kind: str) -> None:
    """The filter is for training rows: held-out rows (DPO's evaluation pairs) keep their notes."""
    from medllm.train.sources.icd10cm import build

    rows = build(kind, split="heldout")  # type: ignore[arg-type]
    assert any("Excludes1: " in t for r in rows for t in texts(r)) == (kind == "cpt")
