"""PubMedQA PQA-L in its official format (pubmedqa/pubmedqa `data/ori_pqal.json`): a JSON object
{PMID: {"QUESTION", "CONTEXTS": [...], "LABELS", "MESHES", "final_decision": yes|no|maybe,
"LONG_ANSWER", ...}}, optionally restricted to the 500 test PMIDs of `test_ground_truth.json`
(options.split_file). `with_context: false` gives MIRAGE's question-only PubMedQA*."""

from __future__ import annotations

from pathlib import Path

from medllm.core import DataError, Question, read_json
from medllm.evaluate.loaders.common import Items, data_path, json_line_of, require
from medllm.evaluate.spec import TaskSpec

CHOICES = ("yes", "no", "maybe")


def load(spec: TaskSpec) -> Items:
    path = data_path(spec, "PubMedQA's ori_pqal.json")
    data = read_json(path)  # a DataError unless UTF-8 JSON
    text = path.read_text(encoding="utf-8-sig")
    if not isinstance(data, dict):
        raise DataError("expected a JSON object {PMID: record}", path=path, line=1)
    keep = _split(spec)
    with_context = bool(spec.options.get("with_context", True))
    items: list[Question] = []
    pool: list[Question] = []
    for pmid, rec in data.items():
        line = json_line_of(text, pmid)
        if not isinstance(rec, dict):
            raise DataError("expected an object", path=path, line=line, field=pmid)
        label = require(rec, "final_decision", path, line)
        if label not in CHOICES:
            raise DataError(
                f"expected yes/no/maybe, got {label!r}",
                path=path,
                line=line,
                field=f"{pmid}.final_decision",
            )
        contexts = require(rec, "CONTEXTS", path, line, list)
        meta = {"context": " ".join(str(c) for c in contexts) if with_context else "", "line": line}
        q = Question(
            id=f"pubmedqa:{pmid}",
            question=require(rec, "QUESTION", path, line),
            choices=CHOICES,
            answer=CHOICES.index(label),
            meta=meta,
        )
        (items if keep is None or pmid in keep else pool).append(q)
    return items, pool


def _split(spec: TaskSpec) -> set[str] | None:
    split_file = spec.options.get("split_file")
    if not split_file:
        return None
    data = read_json(Path(split_file).expanduser())
    if not isinstance(data, dict):
        raise DataError("expected a JSON object {PMID: label}", path=split_file, line=1)
    return set(data)
