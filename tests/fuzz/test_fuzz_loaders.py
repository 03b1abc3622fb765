"""Fuzz the official-format task loaders (MedQA, MedMCQA, PubMedQA, BioASQ) through `load_task`:
any bytes, and records of each format with random field values, give questions or a MedllmError
naming the file, line and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from medllm.core import MedllmError, Question
from medllm.evaluate import load_task

ANY = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
    max_leaves=6,
)
LETTER = st.sampled_from(list("ABCDE")) | st.text(max_size=3)
MEDQA = st.fixed_dictionaries(
    {},
    optional={
        "question": st.text(max_size=20) | ANY,
        "options": st.dictionaries(LETTER, st.text(max_size=8) | ANY, max_size=6) | ANY,
        "answer_idx": LETTER | ANY,
        "answer": ANY,
        "meta_info": ANY,
    },
)
MEDMCQA = st.fixed_dictionaries(
    {},
    optional={
        k: (st.text(max_size=8) | st.integers(-1, 5) | ANY)
        for k in ("id", "question", "opa", "opb", "opc", "opd", "cop", "subject_name")
    },
)
PUBMEDQA = st.dictionaries(
    st.text(max_size=8),
    st.fixed_dictionaries(
        {},
        optional={
            "QUESTION": st.text(max_size=10) | ANY,
            "CONTEXTS": st.lists(st.text(max_size=5)) | ANY,
            "final_decision": st.sampled_from(["yes", "no", "maybe"]) | ANY,
        },
    )
    | ANY,
    max_size=4,
)
BIOASQ_Q = st.fixed_dictionaries(
    {},
    optional={
        "id": ANY,
        "type": st.sampled_from(["yesno", "factoid"]) | ANY,
        "body": st.text(max_size=10) | ANY,
        "exact_answer": st.sampled_from(["yes", "no", "Yes ", ["no"], []]) | ANY,
        "snippets": st.lists(st.fixed_dictionaries({}, optional={"text": ANY}) | ANY, max_size=3)
        | ANY,
    },
)
BIOASQ = st.fixed_dictionaries(
    {}, optional={"questions": st.lists(BIOASQ_Q | ANY, max_size=4) | ANY}
)
# task → (file suffix, records of its format as the file's bytes)
FORMATS = {
    "medqa_4options": st.lists(MEDQA | ANY, max_size=4).map(
        lambda rs: "\n".join(map(json.dumps, rs))
    ),
    "medmcqa_dev": st.lists(MEDMCQA | ANY, max_size=4).map(
        lambda rs: "\n".join(map(json.dumps, rs))
    ),
    "pubmedqa_pqal_context": (PUBMEDQA | ANY).map(json.dumps),
    "bioasq_yesno": (BIOASQ | ANY).map(json.dumps),
}


def _check(task: str, path: Path) -> None:
    try:
        items = load_task(task, {"path": str(path)})
    except MedllmError:
        return
    assert all(isinstance(q, Question) and 0 <= q.answer < len(q.choices) for q in items)


def test_records_of_each_format(fuzz: Any, tmp_path: Path) -> None:
    @fuzz
    @given(st.sampled_from(sorted(FORMATS)).flatmap(lambda t: st.tuples(st.just(t), FORMATS[t])))
    def prop(case: tuple[str, str]) -> None:
        task, text = case
        path = tmp_path / "data.json"
        path.write_text(text, encoding="utf-8")
        _check(task, path)

    prop()


def test_any_bytes_for_each_format(fuzz: Any, nasty: Any, tmp_path: Path) -> None:
    @fuzz
    @given(st.sampled_from(sorted(FORMATS)), st.binary(max_size=200) | nasty)
    def prop(task: str, raw: bytes) -> None:
        path = tmp_path / "data.json"
        path.write_bytes(raw)
        _check(task, path)

    prop()
