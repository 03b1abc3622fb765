"""BioASQ yes/no questions in the official training-set JSON (Task B):
{"questions": [{"id", "type": "yesno", "body", "exact_answer": "yes"|"no", "ideal_answer",
"snippets": [{"text", ...}], "documents"}]}; other question types are skipped.
`with_context: true` puts the gold snippets in {context}."""

from __future__ import annotations

from medllm.core import DataError, Question, read_json
from medllm.evaluate.loaders.common import Items, data_path, json_line_of, require
from medllm.evaluate.spec import TaskSpec

CHOICES = ("yes", "no")


def load(spec: TaskSpec) -> Items:
    path = data_path(spec, "a BioASQ training JSON file (e.g. training12b.json)")
    data = read_json(path)  # a DataError unless UTF-8 JSON
    text = path.read_text(encoding="utf-8-sig")
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise DataError("missing or not a list", path=path, line=1, field="questions")
    with_context = bool(spec.options.get("with_context", False))
    items = []
    for n, rec in enumerate(data["questions"]):
        qid = str(rec.get("id", n)) if isinstance(rec, dict) else str(n)
        line = json_line_of(text, qid)
        if not isinstance(rec, dict):
            raise DataError("expected an object", path=path, line=line, field=f"questions[{n}]")
        if rec.get("type") != "yesno":
            continue
        answer = rec.get("exact_answer")
        answer = answer[0] if isinstance(answer, list) and answer else answer
        if not isinstance(answer, str) or answer.strip().lower() not in CHOICES:
            raise DataError(
                f"expected yes or no, got {answer!r}",
                path=path,
                line=line,
                field=f"questions[{n}].exact_answer",
            )
        snippets = rec.get("snippets") or []
        if not isinstance(snippets, list):
            raise DataError(
                f"expected a list, got {type(snippets).__name__}",
                path=path,
                line=line,
                field=f"questions[{n}].snippets",
                fix='write "snippets": [{"text": ...}]',
            )
        context = " ".join(str(s.get("text", "")) for s in snippets if isinstance(s, dict))
        items.append(
            Question(
                id=f"bioasq:{qid}",
                question=require(rec, "body", path, line),
                choices=CHOICES,
                answer=CHOICES.index(answer.strip().lower()),
                meta={"context": context if with_context else "", "line": line},
            )
        )
    return items, []
