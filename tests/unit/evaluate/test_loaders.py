"""Loaders: official formats on fixtures written in exactly those formats, packaged data, errors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from medllm.core.errors import ConfigError, DataError
from medllm.core.splits import HPO_DISEASE, ICD10CM, is_heldout, split_of
from medllm.evaluate.tasks import get_spec, load_task

FIX = Path(__file__).parents[2] / "fixtures" / "evaluate"


def test_mmlu_medical_is_the_1089_multimedqa_items() -> None:
    items = load_task("mmlu_medical")
    counts = Counter(q.subject for q in items)
    assert len(items) == 1089
    assert counts == {
        "anatomy": 135,
        "clinical knowledge": 265,
        "college medicine": 173,
        "medical genetics": 100,
        "professional medicine": 272,
        "college biology": 144,
    }
    assert len({q.id for q in items}) == 1089
    assert all(len(q.choices) == 4 and q.answer in range(4) for q in items)


@pytest.mark.parametrize(
    ("task", "fixture", "answers"),
    [
        ("medqa_4options", "medqa_4options.jsonl", [1, 2, 0]),
        ("medqa_5options", "medqa_5options.jsonl", [1, 4]),
        ("medmcqa_dev", "medmcqa_dev.json", [2, 0, 1]),
        ("pubmedqa_pqal_noctx", "ori_pqal.json", [0, 1, 2]),
        ("bioasq_yesno", "bioasq_training.json", [0, 1]),
    ],
)
def test_official_formats(task: str, fixture: str, answers: list[int]) -> None:
    items = load_task(task, [f"path={FIX / fixture}"])
    assert [q.answer for q in items] == answers
    assert all(q.question for q in items)


def test_medqa_option_counts() -> None:
    assert {
        len(q.choices)
        for q in load_task("medqa_5options", [f"path={FIX / 'medqa_5options.jsonl'}"])
    } == {5}
    with pytest.raises(DataError, match=r"medqa_5options.jsonl:1: field \"options\""):
        load_task("medqa_4options", [f"path={FIX / 'medqa_5options.jsonl'}"])


def test_pubmedqa_context_variants_and_split() -> None:
    split = FIX / "test_ground_truth.json"
    ctx = load_task(
        "pubmedqa_pqal_context", [f"path={FIX / 'ori_pqal.json'}", f"options.split_file={split}"]
    )
    assert [q.id for q in ctx] == ["pubmedqa:90000001", "pubmedqa:90000003"]
    assert all("Synthetic abstract" in q.meta["context"] for q in ctx)
    assert all(
        q.meta["context"] == ""
        for q in load_task("pubmedqa_pqal_noctx", [f"path={FIX / 'ori_pqal.json'}"])
    )


@pytest.mark.parametrize(
    ("task", "name", "text", "pattern"),
    [
        (
            "medqa_4options",
            "bad.jsonl",
            '{"question": "q", "options": {"A": "a", "B": "b", "C": "c", "D": "d"}, "answer_idx": "Z"}\n',
            r'bad.jsonl:1: field "answer_idx"',
        ),
        (
            "medqa_4options",
            "bad.jsonl",
            '{"question": "q", "options": {}, "answer_idx": "A"}\n{oops\n',
            r'bad.jsonl:1: field "options"',
        ),
        (
            "medmcqa_dev",
            "bad.json",
            json.dumps(
                {
                    "id": "x",
                    "question": "q",
                    "opa": "a",
                    "opb": "b",
                    "opc": "c",
                    "opd": "d",
                    "cop": 1,
                }
            )
            + "\n{broken\n",
            r"bad.json:2: invalid JSON",
        ),
        (
            "medmcqa_dev",
            "bad.json",
            json.dumps(
                {
                    "id": "x",
                    "question": "q",
                    "opa": "a",
                    "opb": "b",
                    "opc": "c",
                    "opd": "d",
                    "cop": 9,
                }
            )
            + "\n",
            r'bad.json:1: field "cop"',
        ),
        (
            "medmcqa_dev",
            "bad.json",
            json.dumps({"id": "x", "question": "q", "opa": "a", "opb": "b", "opc": "c", "cop": 1})
            + "\n",
            r'bad.json:1: field "opd"',
        ),
        (
            "pubmedqa_pqal_context",
            "bad.json",
            '{\n "1": {"QUESTION": "q", "CONTEXTS": [],\n  "final_decision": "perhaps"}\n}',
            r'bad.json:2: field "1.final_decision"',
        ),
        (
            "bioasq_yesno",
            "bad.json",
            '{"questions": [\n{"id": "q1", "type": "yesno", "body": "b", "exact_answer": "maybe"}]}',
            r'bad.json:2: field "questions\[0\].exact_answer"',
        ),
        # found by tests/fuzz/test_fuzz_loaders.py
        (
            "bioasq_yesno",
            "bad.json",
            '{"questions": [\n{"id": "q1", "type": "yesno", "body": "b", "exact_answer": "yes",'
            ' "snippets": 5}]}',
            r'bad.json:2: field "questions\[0\].snippets": expected a list, got int',
        ),
        (
            "medqa_4options",
            "bad.json",
            json.dumps(
                {
                    "question": "q",
                    "options": dict(zip("ABCD", "abcd", strict=True)),
                    "answer_idx": "BC",
                }
            ),
            r"""bad.json:1: field "answer_idx": 'BC' is not one of ABCD""",
        ),
        (
            "medmcqa_dev",
            "bad.json",
            json.dumps(
                {"id": "x", "question": "q", "opa": "a", "opb": "b", "opc": "c", "opd": "d"}
                | {"cop": True}
            ),
            r'bad.json:1: field "cop": expected 1-4, got True',
        ),
        (
            "pubmedqa_pqal_context",
            "bad.json",
            '{"1": {"QUESTION": "q", "CONTEXTS": [], "final_decision": "yes", "n": '
            + "1" * 5000
            + "}}",
            r"bad.json: invalid JSON \(a number too long to read\)",
        ),
    ],
)
def test_bad_data_names_file_line_field(
    tmp_path: Path, task: str, name: str, text: str, pattern: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(DataError, match=pattern):
        load_task(task, [f"path={path}"])


def test_official_task_without_path_says_how() -> None:
    with pytest.raises(DataError, match="--set path="):
        load_task("medqa_4options")


def test_bad_task_file_names_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "my_task.yaml"
    bad.write_text("kind: task\nname: my_task\nloader: mmlu\nmode: guess\n")
    with pytest.raises(ConfigError, match=r'my_task.yaml: field "mode"'):
        get_spec(str(bad))
    bad.write_text("kind: task\nname: other\nloader: mmlu\n")
    with pytest.raises(ConfigError, match=r'field "name"'):
        get_spec(str(bad))
    with pytest.raises(Exception, match="did you mean 'mmlu_medical'"):
        get_spec("mmlu_medicl")


@pytest.mark.parametrize("line", ["metrics: [acc]", "fewshot_pool: mmlu_medical"])
def test_spec_fields_that_do_nothing_are_refused(tmp_path: Path, line: str) -> None:
    """`metrics` and `fewshot_pool` were documented but never read: a spec setting them is told so
    instead of silently getting the default behaviour."""
    path = tmp_path / "my_task.yaml"
    path.write_text(f"kind: task\nname: my_task\nloader: mmlu\n{line}\n")
    field = line.split(":")[0]
    with pytest.raises(ConfigError, match=rf'my_task.yaml: field "{field}"'):
        get_spec(str(path))


def test_icd10cm_concepts_heldout_deterministic_grounded() -> None:
    a = load_task("icd10cm_concepts", ["options.n_items=40"])
    b = load_task("icd10cm_concepts", ["options.n_items=40"])
    assert a == b and len(a) == 40
    assert {q.subject for q in a} == {"code_to_description", "description_to_code"}
    for q in a:
        code = q.support_ids[0].split(":", 1)[1]
        assert is_heldout(code, "icd10cm")
        assert len(set(q.choices)) == 4 and len(q.support_ids) == 4
        assert code in q.question or q.choices[int(q.answer)] == code


def test_unseen_variants_hold_out_every_option() -> None:
    """`*_unseen`: the distractors are held-out records too (a fine-tuned model cannot pick by
    familiarity); the answers are the same held-out records as the plain tasks'."""
    icd = load_task("icd10cm_concepts_unseen", ["options.n_items=40"])
    assert [q.id for q in icd] == [
        q.id for q in load_task("icd10cm_concepts", ["options.n_items=40"])
    ]
    assert all(is_heldout(s.split(":", 1)[1], "icd10cm") for q in icd for s in q.support_ids)
    hpo = load_task("hpo_diagnosis_unseen", ["options.n_items=20"])
    assert all(is_heldout(d, "hpo_disease") for q in hpo for d in q.meta["distractors"])
    assert all(is_heldout(q.support_ids[0], "hpo_disease") for q in hpo)


def _records(items: list, namespace: str) -> set[str]:
    """Every record an item shows: the answer and the distractors."""
    if namespace == ICD10CM:
        return {s.split(":", 1)[1] for q in items for s in q.support_ids}
    return {r for q in items for r in (q.support_ids[0], *q.meta["distractors"])}


@pytest.mark.parametrize(
    ("task", "namespace"),
    [("hpo_diagnosis_unseen", HPO_DISEASE), ("icd10cm_concepts_unseen", ICD10CM)],
)
def test_dev_and_test_tasks_draw_disjoint_halves_of_the_heldout_records(
    task: str, namespace: str
) -> None:
    """Every record a `_dev` item shows is a dev record, every one a `_test` item shows a test
    record: choosing on dev tells nothing of the test items."""
    dev, test = load_task(f"{task}_dev"), load_task(f"{task}_test")
    assert len(dev) == len(test) == 400
    assert {split_of(r, namespace) for r in _records(dev, namespace)} == {"dev"}
    assert {split_of(r, namespace) for r in _records(test, namespace)} == {"test"}
    assert load_task(f"{task}_dev") == dev  # deterministic


def test_a_task_set_to_dev_never_shows_a_test_record() -> None:
    """`--set split=dev` on a task with training-split distractors: dev answers, distractors from
    training and dev records only."""
    items = load_task("hpo_diagnosis", ["split=dev", "options.n_items=100"])
    assert len(items) == 100 and {split_of(q.support_ids[0], HPO_DISEASE) for q in items} == {"dev"}
    assert {split_of(d, HPO_DISEASE) for q in items for d in q.meta["distractors"]} == {
        "train",
        "dev",
    }
    with pytest.raises(
        ConfigError, match=r'task hpo_diagnosis: field "split": \'valid\' is not a split'
    ):
        load_task("hpo_diagnosis", ["split=valid"])


@pytest.mark.parametrize(
    ("task", "digest"),
    [
        ("icd10cm_concepts", "88681c778cde61ae"),
        ("icd10cm_concepts_unseen", "348c97655654d756"),
        ("hpo_diagnosis", "5d8890a77743cee1"),
        ("hpo_diagnosis_unseen", "0c0716dd5cd62a85"),
    ],
)
def test_heldout_tasks_keep_the_items_their_figures_were_measured_on(
    task: str, digest: str
) -> None:
    """Regression: the items (and few-shot pool) of the tasks scored before dev and test existed,
    digested as they were then (docs/training.md's S2 figures are on these)."""
    import hashlib

    from medllm.evaluate.tasks import load_items

    items, pool = load_items(get_spec(task))
    text = "\n".join(f"{q.id}|{q.question}|{'|'.join(q.choices)}|{q.answer}" for q in items + pool)
    assert (len(items), len(pool)) == (400, 50)
    assert hashlib.sha256(text.encode()).hexdigest()[:16] == digest


def test_hpo_diagnosis_heldout_with_phenotype_support() -> None:
    items = load_task("hpo_diagnosis", ["options.n_items=20"])
    assert len(items) == 20
    for q in items:
        disease, *phenotypes = q.support_ids
        assert is_heldout(disease, "hpo_disease")
        assert 3 <= len(phenotypes) <= 6 and all(p.startswith("HP:") for p in phenotypes)
        assert len(set(q.choices)) == 4


def test_medhalt_variants() -> None:
    base = load_task("mmlu_medical")[:50]
    nota = load_task("mmlu_medical_nota")[:50]
    fct = load_task("mmlu_medical_fct")[:50]
    for b, n in zip(base, nota, strict=True):
        assert (
            n.choices[int(n.answer)] == "None of the above"
            and b.choices[int(b.answer)] not in n.choices
        )
    assert {q.answer for q in fct} == {0, 1} and all("Proposed answer:" in q.question for q in fct)


def test_radiology_reports_read_at_run_time() -> None:
    items = load_task("radiology_impression", ["options.n_items=5"])
    assert len(items) == 5 and all(
        q.question and isinstance(q.answer, str) and q.answer for q in items
    )
