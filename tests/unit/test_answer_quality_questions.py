"""The hand-written answer-quality question set: every gold key is in the installed vocabularies.

benchmarks/data/answer_quality/check_questions.py reads the vocabularies straight from their
packages; these tests run it on the real files, and on copies with one seeded mistake each, to show
that it can fail.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

DATA = Path(__file__).parents[2] / "benchmarks" / "data" / "answer_quality"


@pytest.fixture(scope="module")
def check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_questions", DATA / "check_questions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_question_set_passes_its_check(
    check: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check.run(assign=False) == 0
    out = capsys.readouterr().out
    assert "answerable 198, unanswerable 112, injected documents 26" in out


def test_a_question_per_half_per_stratum(check: ModuleType) -> None:
    questions = check.read_jsonl(DATA / "questions.jsonl")
    halves: dict[str, set[str]] = {}
    for q in questions:
        halves.setdefault(check.group_of(q), set()).add(q["half"])
    assert all(h == {"dev", "test"} for h in halves.values()), halves


def mutated(tmp_path: Path, check: ModuleType, line: int, **change: object) -> int:
    """Run the check on a copy of the set whose question on ``line`` (1-based) is changed."""
    for name in ("questions.jsonl", "injected_docs.jsonl"):
        shutil.copy(DATA / name, tmp_path / name)
    path = tmp_path / "questions.jsonl"
    rows = [json.loads(x) for x in path.read_text().splitlines()]
    rows[line - 1].update(change)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    check.QUESTIONS, check.DOCS = path, tmp_path / "injected_docs.jsonl"
    try:
        return int(check.run(assign=False))
    finally:
        check.QUESTIONS, check.DOCS = DATA / "questions.jsonl", DATA / "injected_docs.jsonl"


@pytest.mark.parametrize(
    ("line", "change", "message"),
    [
        # line 1 is "icd10 for t2dm w/o complications pls" -> E11.9; E11.8 is another code
        (1, {"keys": ["E11.9", "E11.8"]}, "questions.jsonl:1: key 'E11.8' is in none of"),
        (1, {"keys": ["t2dm"]}, "questions.jsonl:1: key 't2dm' is already written in the question"),
        (1, {"gold_source": ["icd10cm:E11.99"]}, "gold_source 'icd10cm:E11.99' is not in the"),
    ],
)
def test_check_finds_a_seeded_mistake(
    tmp_path: Path,
    check: ModuleType,
    capsys: pytest.CaptureFixture[str],
    line: int,
    change: dict[str, object],
    message: str,
) -> None:
    assert mutated(tmp_path, check, line, **change) == 1
    assert message in capsys.readouterr().err


def test_check_finds_a_phenotype_not_annotated_to_the_disease(
    tmp_path: Path, check: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = check.read_jsonl(DATA / "questions.jsonl")
    line = next(i for i, q in enumerate(rows, 1) if q["kind"] == "phenotype_to_disease")
    assert rows[line - 1]["gold_source"] == ["hpo_disease:OMIM:154700"]  # Marfan syndrome
    # HP:0001250 Seizure is not among Marfan syndrome's HPO annotations
    phenotypes = [*rows[line - 1]["phenotypes"], "HP:0001250"]
    assert mutated(tmp_path, check, line, phenotypes=phenotypes) == 1
    err = capsys.readouterr().err
    assert f"questions.jsonl:{line}: phenotype HP:0001250 is not annotated" in err


def test_check_finds_a_half_off_the_seeded_split(
    tmp_path: Path, check: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    half = check.read_jsonl(DATA / "questions.jsonl")[0]["half"]
    other = "test" if half == "dev" else "dev"
    assert mutated(tmp_path, check, 1, half=other) == 1
    assert (
        f"questions.jsonl:1: half {other} differs from the seeded split" in capsys.readouterr().err
    )
