"""MedQA-USMLE in its official JSONL (jind11/MedQA `data_clean/questions/US/`): one object a line,
{"question", "options": {"A": ..., "E": ...}, "answer_idx": "C", "answer", "meta_info"}; the
4-option files also carry "metamap_phrases". The file is user-given (not redistributable)."""

from __future__ import annotations

from medllm.core import LETTERS, DataError, Question, read_jsonl
from medllm.evaluate.loaders.common import Items, data_path, require
from medllm.evaluate.spec import TaskSpec


def load(spec: TaskSpec) -> Items:
    path = data_path(
        spec, "a MedQA-USMLE JSONL file (e.g. US/4_options/phrases_no_exclude_test.jsonl)"
    )
    n_options = int(spec.options.get("n_options", 4))
    items = []
    for line, row in read_jsonl(path, required=("question", "options", "answer_idx")):
        options = require(row, "options", path, line, dict)
        letters = LETTERS[:n_options]
        if sorted(options) != list(letters):
            raise DataError(
                f"expected options {', '.join(letters)}, got {', '.join(sorted(options))}",
                path=path,
                line=line,
                field="options",
                fix=f"this task reads the {n_options}-option MedQA file",
            )
        answer = require(row, "answer_idx", path, line)
        if answer not in tuple(letters):  # one letter ("BC" is a substring of "ABCD", not one)
            raise DataError(
                f"{answer!r} is not one of {letters}", path=path, line=line, field="answer_idx"
            )
        choices = tuple(str(require(options, k, path, line, (str, int))) for k in letters)
        items.append(
            Question(
                id=f"medqa:{line}",
                question=require(row, "question", path, line),
                choices=choices,
                answer=letters.index(answer),
                subject=str(row.get("meta_info", "")),
                meta={"line": line},
            )
        )
    return items, _pool(spec, n_options)


def _pool(spec: TaskSpec, n_options: int) -> list[Question]:
    """Shots come from the official train file when `options.fewshot_path` names it."""
    pool_path = spec.options.get("fewshot_path")
    if not pool_path:
        return []
    sub = spec.model_copy(update={"path": pool_path, "options": {"n_options": n_options}})
    return load(sub)[0]
