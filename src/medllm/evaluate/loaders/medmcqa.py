"""MedMCQA in its official format (medmcqa/medmcqa data: train.json / dev.json are JSON lines):
{"id", "question", "opa", "opb", "opc", "opd", "cop": 1-4, "subject_name", "topic_name", "exp",
"choice_type"}. The dev set is the test set (test labels are hidden), as in lm-eval and MIRAGE."""

from __future__ import annotations

from medllm.core import DataError, Question, read_jsonl
from medllm.evaluate.loaders.common import Items, data_path, require
from medllm.evaluate.spec import TaskSpec

FIELDS = ("id", "question", "opa", "opb", "opc", "opd", "cop")


def load(spec: TaskSpec) -> Items:
    path = data_path(spec, "the MedMCQA dev.json file")
    base = int(spec.options.get("cop_base", 1))  # official files: 1-4; the HF copy: 0-3
    items = []
    for line, row in read_jsonl(path, required=FIELDS):
        cop = require(row, "cop", path, line, int)
        if isinstance(cop, bool) or not base <= cop < base + 4:  # true is an int in Python
            raise DataError(
                f"expected {base}-{base + 3}, got {cop}",
                path=path,
                line=line,
                field="cop",
                fix="set options.cop_base: 0 for the Hugging Face copy",
            )
        choices = tuple(
            str(require(row, k, path, line, (str, int, float)))
            for k in ("opa", "opb", "opc", "opd")
        )
        items.append(
            Question(
                id=f"medmcqa:{require(row, 'id', path, line)}",
                question=require(row, "question", path, line),
                choices=choices,
                answer=cop - base,
                subject=str(row.get("subject_name") or ""),
                meta={"line": line},
            )
        )
    pool_path = spec.options.get("fewshot_path")
    pool = (
        load(spec.model_copy(update={"path": pool_path, "options": {"cop_base": base}}))[0]
        if pool_path
        else []
    )
    return items, pool
