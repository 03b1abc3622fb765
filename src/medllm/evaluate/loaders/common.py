"""Helpers shared by loaders: reading official files with file/line/field errors, the split of a
generated task."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medllm.core import ConfigError, DataError, check_split, read_jsonl
from medllm.evaluate.spec import TaskSpec

Items = tuple[list[Any], list[Any]]


def data_path(spec: TaskSpec, what: str) -> Path:
    """The user-given data path of an official-format task (MedQA, PubMedQA...)."""
    if not spec.path:
        raise DataError(
            f"task {spec.name!r} needs {what}, which cannot ship with medllm",
            fix=f"pass --set path=/path/to/file, or set `path:` in {spec.name}.yaml",
        )
    path = Path(spec.path).expanduser()
    if not path.exists():
        raise DataError("file not found", path=path, fix=f"give the path of {what}")
    return path


def require(
    obj: dict[str, Any],
    key: str,
    path: Path,
    line: int | None,
    kind: type | tuple[type, ...] = str,
) -> Any:
    """obj[key], checked to exist and be of `kind`; else a DataError naming file, line and field."""
    if key not in obj:
        raise DataError("missing", path=path, line=line, field=key)
    value = obj[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, str) and not value.strip()):
        names = "/".join(k.__name__ for k in kinds)
        raise DataError(
            f"expected a non-empty {names}, got {type(value).__name__}",
            path=path,
            line=line,
            field=key,
        )
    return value


def jsonl_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    return list(read_jsonl(path))


def json_line_of(text: str, key: str) -> int | None:
    """Line where `"key"` first appears in a JSON document (to point errors at a record)."""
    pos = text.find(json.dumps(key))
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def split_of_task(spec: TaskSpec) -> str:
    """The split a generated task draws its answers from (train, heldout, dev or test)."""
    return check_split(spec.split, f'task {spec.name}: field "split"')


def rng_key(split: str) -> str:
    """The split's part of a generator's seed string: "True" / "False" for heldout / train, as
    when a task was held out or not, so the items of the tasks scored before dev and test existed
    stay the same."""
    return {"heldout": "True", "train": "False"}.get(split, split)


def generated_only(spec: TaskSpec) -> None:
    """A generated task reads no data file: a `path` given to it (`--set path=...`) would be
    dropped silently and the result folder would look as if the user's file had been scored."""
    if spec.path:
        raise ConfigError(
            f'task {spec.name}: field "path": this task is generated from the installed '
            "vocabularies and reads no data file",
            fix="drop the path override, or score your file with a task of its format "
            "(medqa_4options, medmcqa_dev, pubmedqa_pqal_context, bioasq_yesno, mmlu_medical)",
        )
