from __future__ import annotations

import json
from pathlib import Path

import pytest

from medllm.core.errors import DataError
from medllm.core.splits import is_heldout
from medllm.train.config import DataSection
from medllm.train.data import build_rows, parse_row, read_user_file


def test_alpaca_sharegpt_messages_become_prompt_completion(sft_file: Path) -> None:
    rows = read_user_file(sft_file, "sft")
    assert len(rows) == 24
    alpaca, sharegpt, messages = rows[:3]
    assert alpaca["prompt"] == [
        {"role": "user", "content": "What does ICD-10-CM code Z00.00 cover?"}
    ]
    assert sharegpt["completion"] == [{"role": "assistant", "content": "Fatigue."}]
    assert [m["role"] for m in messages["prompt"]] == ["system", "user"]
    assert messages["completion"][0]["content"] == "The pancreas."


def test_alpaca_input_is_appended_to_the_instruction() -> None:
    row = parse_row({"instruction": "Summarise.", "input": "Some text.", "output": "Short."}, "sft")
    assert row["prompt"][0]["content"] == "Summarise.\n\nSome text."


def test_cpt_reads_text_and_flattens_conversations() -> None:
    assert parse_row({"text": "Anemia is..."}, "cpt") == {"text": "Anemia is..."}
    row = parse_row({"instruction": "Q?", "output": "A."}, "cpt")
    assert row["text"] == "Q?\n\nA."


def test_dpo_rows_accept_strings_and_message_lists() -> None:
    row = parse_row(
        {
            "prompt": "Q?",
            "chosen": "right",
            "rejected": [{"role": "assistant", "content": "wrong"}],
        },
        "dpo",
    )
    assert row["chosen"][0]["content"] == "right" and row["rejected"][0]["content"] == "wrong"


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"instruction": "Q?"}, "output"),
        ({"instruction": "Q?", "output": 3}, "output"),
        ({"conversations": [{"from": "alien", "value": "x"}]}, "conversations"),
        ({"messages": [{"role": "user", "content": "only a question"}]}, "messages"),
        ({"foo": "bar"}, None),
    ],
)
def test_bad_row_names_file_line_and_field(tmp_path: Path, bad: dict, field: str | None) -> None:
    path = tmp_path / "data.jsonl"
    good = {"instruction": "Q?", "output": "A."}
    path.write_text(
        json.dumps(good) + "\n" + json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8"
    )
    with pytest.raises(DataError) as e:
        read_user_file(path, "sft")
    assert e.value.path == str(path) and e.value.line == 3 and e.value.field == field
    assert f"{path}:3" in str(e.value)
    assert "Q?" not in str(e.value)  # row text never appears in the error


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"text": "ok"}\n{not json\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"data.jsonl:2"):
        read_user_file(path, "cpt")


def test_dpo_needs_chosen_and_rejected() -> None:
    from medllm.train.data import _RowError

    with pytest.raises(_RowError):
        parse_row({"instruction": "Q?", "output": "A."}, "dpo")


def test_no_data_is_a_clear_error() -> None:
    with pytest.raises(DataError, match="no sft training examples"):
        build_rows(DataSection(), "sft")


@pytest.mark.parametrize("kind", ["cpt", "sft", "dpo"])
def test_icd10cm_builder_never_uses_heldout_codes(kind: str) -> None:
    rows = build_rows(DataSection(sources=["icd10cm"], limit=300), kind)  # type: ignore[arg-type]
    codes = {r["id"].split(":", 1)[1] for r in rows}
    assert len(codes) == 300
    assert not any(is_heldout(c, "icd10cm") for c in codes)
    heldout = build_rows(DataSection(sources=["icd10cm"], heldout_limit=50), kind, split="heldout")  # type: ignore[arg-type]
    assert all(is_heldout(r["id"].split(":", 1)[1], "icd10cm") for r in heldout)


def test_icd10cm_lists_state_only_training_codes_both_ways_each_row_of_distinct_categories() -> (
    None
):
    from collections import Counter

    from medllm.evaluate.tasks import load_task
    from medllm.train.sources import icd10cm_lists
    from medllm.train.sources.icd10cm import records

    rows = build_rows(DataSection(sources=["icd10cm_lists"], limit=600), "sft")
    ids = {c for r in rows for c in r["id"].split(":", 1)[1].split(",")}
    assert len(ids) == 600
    # biggest categories first, each with its category line when that is a training code
    train = Counter(c.code[:3] for c in records("train") if c.leaf)
    biggest = train.most_common(1)[0][0]
    assert biggest in {c[:3] for c in ids}
    assert (biggest in ids) == (not is_heldout(biggest, "icd10cm"))
    assert max(Counter(c[:3] for c in ids).values()) <= 1 + icd10cm_lists.LEAVES_PER_CATEGORY
    stated: Counter[str] = Counter()
    neighbours: dict[str, set[str]] = {}
    for r in rows:
        forward = (
            r["prompt"][0]["content"] == icd10cm_lists.FORWARD
        )  # "A00 Cholera" / "Cholera: A00"
        lines = r["completion"][0]["content"].splitlines()
        codes = [line.split(" ", 1)[0] if forward else line.rsplit(": ", 1)[1] for line in lines]
        assert codes == r["id"].split(":", 1)[1].split(",")
        # no two codes of one category in an example (the model would copy the category)
        assert len({c[:3] for c in codes}) == len(codes) <= icd10cm_lists.PER_ROW
        stated.update(codes)
        for c in codes:
            neighbours.setdefault(c, set()).update(codes)
    assert set(stated) == ids and not any(is_heldout(c, "icd10cm") for c in stated)
    assert set(stated.values()) == {2 * icd10cm_lists.ORDERS}  # every code, both ways, each dealing
    assert (
        sum(len(n) > icd10cm_lists.PER_ROW for n in neighbours.values()) > len(ids) / 2
    )  # dealings differ
    # the instruction never names the codes (a model would copy them from it instead of learning)
    assert {r["prompt"][0]["content"] for r in rows} == {
        icd10cm_lists.FORWARD,
        icd10cm_lists.BACKWARD,
    }
    for task in ("icd10cm_concepts", "icd10cm_concepts_unseen"):
        answers = {q.id.split(":")[1] for q in load_task(task)}
        assert not answers & ids
    text = build_rows(DataSection(sources=["icd10cm_lists"], limit=40), "cpt")
    assert all(set(r) == {"id", "text"} and r["text"] for r in text)
    with pytest.raises(DataError, match="no preference pairs"):
        build_rows(DataSection(sources=["icd10cm_lists"], limit=40), "dpo")


def test_hpo_families_give_training_diseases_of_big_families_features_to_name() -> None:
    from collections import Counter

    from medllm.evaluate.tasks import load_task
    from medllm.train.sources.hpo import records
    from medllm.train.sources.hpo_families import MIN_FAMILY, family

    assert family("Cone-Rod dystrophy 8") == "cone-rod dystrophy"
    assert family("Spinocerebellar ataxia, autosomal recessive 12") == "spinocerebellar ataxia"
    assert family("Usher syndrome type 1C") == "usher syndrome"
    train = {d.id: d for d in records("train")}
    size = Counter(family(d.name) for d in train.values())
    rows = build_rows(DataSection(sources=["hpo_families"], limit=None), "sft")
    ids = [r["id"].split(":", 1)[1] for r in rows]
    assert len(ids) == len(set(ids)) == sum(n for n in size.values() if n >= MIN_FAMILY)
    assert set(ids) <= set(train) and not any(is_heldout(i, "hpo_disease") for i in ids)
    for r in rows:
        d = train[r["id"].split(":", 1)[1]]
        assert r["completion"][0]["content"] == d.name
        feats = r["prompt"][0]["content"].split(": ", 1)[1].rsplit(". Which", 1)[0].split("; ")
        assert 3 <= len(feats) <= 6 or len(feats) == len(
            {a.hpo_id for a in d.phenotypes if not a.negated}
        )
    # biggest family first: a limit of 50 takes members of the biggest family only
    first = build_rows(DataSection(sources=["hpo_families"], limit=50), "sft")
    assert {family(train[r["id"].split(":", 1)[1]].name) for r in first} == {
        size.most_common(1)[0][0]
    }
    for task in ("hpo_diagnosis", "hpo_diagnosis_unseen"):
        assert not {q.id.split(":", 1)[1] for q in load_task(task)} & set(ids)
    text = build_rows(DataSection(sources=["hpo_families"], limit=20), "cpt")
    assert len(text) == 20 and all(
        r["text"].endswith(train[r["id"].split(":", 1)[1]].name) for r in text
    )
    with pytest.raises(DataError, match="no preference pairs"):
        build_rows(DataSection(sources=["hpo_families"], limit=20), "dpo")


def test_hpo_choice_asks_the_task_question_over_training_diseases_only() -> None:
    from medllm.evaluate.tasks import load_task
    from medllm.train.sources.hpo import heldout_names, records

    train = {d.name.lower() for d in records("train")}
    held = heldout_names()
    rows = build_rows(DataSection(sources=["hpo_choice"], limit=300), "sft")
    assert len(rows) == len({r["id"] for r in rows}) == 300
    assert not any(is_heldout(r["id"].split(":", 1)[1], "hpo_disease") for r in rows)
    for r in rows:
        question, *options = r["prompt"][0]["content"].split("\n")
        assert question.startswith("A patient presents with: ")
        assert question.endswith("Which disease is the most likely diagnosis?")
        names = [o.split(". ", 1)[1] for o in options]
        assert [o[0] for o in options] == list("ABCD")
        assert r["completion"][0]["content"] in names
        # every option is a training disease, none named like a held-out one
        assert all(n.lower() in train and n.lower() not in held for n in names)
    for task in ("hpo_diagnosis", "hpo_diagnosis_unseen"):
        answers = {q.choices[q.answer].lower() for q in load_task(task)}
        assert not answers & {r["completion"][0]["content"].lower() for r in rows}
    pairs = build_rows(DataSection(sources=["hpo_choice"], limit=20), "dpo")
    for p in pairs:
        chosen, rejected = p["chosen"][0]["content"], p["rejected"][0]["content"]
        assert chosen != rejected and f". {rejected}" in p["prompt"][0]["content"]
    text = build_rows(DataSection(sources=["hpo_choice"], limit=20), "cpt")
    assert all("\nAnswer: " in r["text"] for r in text)


def test_icd10cm_choice_asks_the_task_questions_over_training_codes_only() -> None:
    from medllm.evaluate.tasks import load_task
    from medllm.train.sources.icd10cm import records

    train = {c.code: c.description for c in records("train")}
    descriptions = set(train.values())
    rows = build_rows(DataSection(sources=["icd10cm_choice"], limit=300), "sft")
    assert len(rows) == len({r["id"] for r in rows}) == 300
    directions = set()
    for r in rows:
        code = r["id"].split(":", 1)[1]
        assert not is_heldout(code, "icd10cm")
        question, *options = r["prompt"][0]["content"].split("\n")
        answer = r["completion"][0]["content"]
        texts = [o.split(". ", 1)[1] for o in options]
        assert [o[0] for o in options] == list("ABCD") and answer in texts
        if question.startswith("What is the description of the ICD-10-CM code "):
            directions.add("code_to_description")
            assert question.endswith(f" {code}?") and answer == train[code]
            assert all(t in descriptions for t in texts)
        else:
            directions.add("description_to_code")
            assert question == f'Which ICD-10-CM code means "{train[code]}"?' and answer == code
            assert all(t in train for t in texts)  # every option a training code
    assert directions == {"code_to_description", "description_to_code"}
    for task in ("icd10cm_concepts", "icd10cm_concepts_unseen"):
        held = {s.split(":", 1)[1] for q in load_task(task) for s in q.support_ids[:1]}
        assert not held & {r["id"].split(":", 1)[1] for r in rows}
    for p in build_rows(DataSection(sources=["icd10cm_choice"], limit=20), "dpo"):
        chosen, rejected = p["chosen"][0]["content"], p["rejected"][0]["content"]
        assert chosen != rejected and f". {rejected}\n" in p["prompt"][0]["content"] + "\n"


@pytest.mark.parametrize(
    ("task", "source", "namespace"),
    [
        ("icd10cm_concepts", "icd10cm", "icd10cm"),
        ("icd10cm_concepts_unseen", "icd10cm", "icd10cm"),
        ("hpo_diagnosis", "hpo", "hpo_disease"),
        ("hpo_diagnosis_unseen", "hpo", "hpo_disease"),
        ("icd10cm_concepts_unseen_dev", "icd10cm", "icd10cm"),
        ("icd10cm_concepts_unseen_test", "icd10cm", "icd10cm"),
        ("hpo_diagnosis_unseen_dev", "hpo", "hpo_disease"),
        ("hpo_diagnosis_unseen_test", "hpo", "hpo_disease"),
    ],
)
def test_no_evaluation_item_is_ever_trained_on(task: str, source: str, namespace: str) -> None:
    """The evaluation task's answers are records the training builders can never draw."""
    import importlib

    from medllm.evaluate.tasks import load_task

    builder = importlib.import_module(f"medllm.train.sources.{source}")
    items = load_task(task)
    # icd10cm:E11.9:code_to_description → E11.9 ; hpo:OMIM:271630 → OMIM:271630
    answers = {
        q.id.split(":", 1)[1].rsplit(":", 1)[0] if source == "icd10cm" else q.id.split(":", 1)[1]
        for q in items
    }
    trainable = {r.code if source == "icd10cm" else r.id for r in builder.records("train")}
    assert len(answers) >= 100 and len(trainable) > 1000
    assert not answers & trainable
    if source == "hpo":  # nor a disease of another id with the answer's name (OMIM vs ORPHA)
        names = {q.choices[q.answer].lower() for q in items}
        assert not names & {d.name.lower() for d in builder.records("train")}
    if "_unseen" in task:  # no option at all (answer or distractor) is trainable
        if source == "icd10cm":
            options = {s.split(":", 1)[1] for q in items for s in q.support_ids}
        else:
            options = {d for q in items for d in q.meta["distractors"]}
        assert len(options) > len(answers) and not options & trainable
    for kind in ("cpt", "sft", "dpo"):
        used = {row["id"].split(":", 1)[1] for row in builder.build(kind, limit=500)}
        assert used <= trainable and not used & answers


def test_choice_rows_carry_their_tasks_raw_prompt_and_train_without_it() -> None:
    from medllm.core.records import Question
    from medllm.evaluate.scoring import render
    from medllm.evaluate.tasks import get_spec
    from medllm.train.data import to_dataset

    for source, task in (
        ("hpo_choice", "hpo_diagnosis_unseen"),
        ("icd10cm_choice", "icd10cm_concepts_unseen"),
    ):
        rows = build_rows(DataSection(sources=[source], limit=10), "sft")
        blank = render(get_spec(task), Question("q", "Q", ("x",)))
        header = blank.split("\n\n", 1)[0]  # the task's subject line
        for r in rows:
            user = r["prompt"][0]["content"]
            assert r["text_prompt"] == f"{header}\n\n{user}\nAnswer:"
        assert "text_prompt" not in to_dataset(rows).column_names
