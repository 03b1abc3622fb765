"""Dataset builders: rows in TRL's conversational formats, from built-in sources and user JSONL.

Row shapes (each also carries "id", dropped before training):
  cpt: {"text"}; sft: {"prompt": [msgs], "completion": [msgs]} (+ "text_prompt" on rows that
  rehearse an evaluation task: that task's raw prompt, for `prompt_format: text`);
  dpo: {"prompt": [msgs], "chosen": [msgs], "rejected": [msgs]}.
User JSONL rows may be alpaca ({instruction, input?, output}), sharegpt ({conversations: [{from,
value}]}), chat messages ({messages: [{role, content}]}), {text}, or {prompt, chosen, rejected}.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from medllm.core import DataError, read_jsonl
from medllm.train.config import DataSection

Kind = Literal["cpt", "sft", "dpo"]
Row = dict[str, Any]
_SHAREGPT_ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "system": "system",
    "bot": "assistant",
    "model": "assistant",
}
_FORMATS = "alpaca {instruction,output}, sharegpt {conversations}, messages {messages}, {text} or {prompt,chosen,rejected}"


def msg(role: str, content: str) -> dict[str, str]:
    return {"role": role, "content": content}


META_KEYS = ("id", "text_prompt")  # row keys that are not training columns


def sft_row(rid: str, question: str, answer: str, *, text_prompt: str | None = None) -> Row:
    """`text_prompt`: the raw prompt of the evaluation task the row rehearses, used when the
    recipe trains on plain text (`prompt_format: text`, see sft.as_text)."""
    row: Row = {
        "id": rid,
        "prompt": [msg("user", question)],
        "completion": [msg("assistant", answer)],
    }
    if text_prompt is not None:
        row["text_prompt"] = text_prompt
    return row


def dpo_row(rid: str, question: str, chosen: str, rejected: str) -> Row:
    return {
        "id": rid,
        "prompt": [msg("user", question)],
        "chosen": [msg("assistant", chosen)],
        "rejected": [msg("assistant", rejected)],
    }


def build_rows(data: DataSection, kind: Kind, *, split: str = "train") -> list[Row]:
    """All rows for a recipe: built-in sources (train split only unless asked), then user files."""
    from medllm.train.registry import train_sources

    rows: list[Row] = []
    for name in data.sources:
        builder: Callable[..., list[Row]] = train_sources.get(name)
        limit = data.limit if split == "train" else data.heldout_limit
        rows.extend(builder(kind, split=split, limit=limit, seed=data.seed))
    if split == "train":
        for path in data.files:
            rows.extend(read_user_file(path, kind))
    if not rows and split == "train":
        raise DataError(
            f"no {kind} training examples", field="data", fix="set data.sources and/or data.files"
        )
    random.Random(data.seed).shuffle(rows)
    return rows


def read_user_file(path: str | Path, kind: Kind) -> list[Row]:
    """Parse a user JSONL file; a malformed row raises DataError naming file, line and field."""
    out: list[Row] = []
    for lineno, obj in read_jsonl(path):
        try:
            row = parse_row(obj, kind)
        except _RowError as e:
            raise DataError(e.message, path=path, line=lineno, field=e.field, fix=e.fix) from None
        row["id"] = f"{Path(path).name}:{lineno}"
        out.append(row)
    if not out:
        raise DataError(
            f"no {kind} rows in this file", path=path, fix="give a JSONL file with one row a line"
        )
    return out


class _RowError(Exception):
    def __init__(
        self, message: str, field: str | None, fix: str = f"rows must be one of: {_FORMATS}"
    ) -> None:
        super().__init__(message)
        self.message, self.field, self.fix = message, field, fix


def _text(obj: dict[str, Any], key: str, *, optional: bool = False) -> str:
    value = obj.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str) or (not value.strip() and not optional):
        got = (
            "missing"
            if value is None
            else f"must be a non-empty string, got {type(value).__name__}"
        )
        raise _RowError(got, key)
    return value


def parse_row(obj: dict[str, Any], kind: Kind) -> Row:
    """One user row → a row of `kind` (detected format; DPO rows only for dpo, text only for cpt)."""
    if kind == "dpo":
        if "chosen" not in obj and "rejected" not in obj:
            raise _RowError("missing", "chosen", fix="DPO rows need {prompt, chosen, rejected}")
        return _dpo(obj)
    if kind == "cpt" and "text" in obj:
        return {"text": _text(obj, "text")}
    row = _conversation(obj)
    if kind == "cpt":  # a conversation read as plain text
        turns = [*row["prompt"], *row["completion"]]
        return {"text": "\n\n".join(m["content"] for m in turns)}
    return row


def _conversation(obj: dict[str, Any]) -> Row:
    if "instruction" in obj or "output" in obj:
        question = _text(obj, "instruction")
        extra = _text(obj, "input", optional=True)
        prompt = f"{question}\n\n{extra}" if extra.strip() else question
        return {
            "prompt": [msg("user", prompt)],
            "completion": [msg("assistant", _text(obj, "output"))],
        }
    if "conversations" in obj:
        return _split_last_turn(_sharegpt(obj["conversations"]), "conversations")
    if "messages" in obj:
        return _split_last_turn(_messages(obj["messages"]), "messages")
    if "prompt" in obj and "completion" in obj:
        return {
            "prompt": [msg("user", _text(obj, "prompt"))],
            "completion": [msg("assistant", _text(obj, "completion"))],
        }
    raise _RowError("no known format", None)


def _sharegpt(turns: Any) -> list[dict[str, str]]:
    if not isinstance(turns, list) or not turns:
        raise _RowError("must be a non-empty list of {from, value}", "conversations")
    out = []
    for i, t in enumerate(turns):
        if (
            not isinstance(t, dict)
            or t.get("from") not in _SHAREGPT_ROLES
            or not isinstance(t.get("value"), str)
        ):
            raise _RowError(
                f"turn {i} must be {{from: human|gpt|system, value: str}}", "conversations"
            )
        out.append(msg(_SHAREGPT_ROLES[t["from"]], t["value"]))
    return out


def _messages(turns: Any) -> list[dict[str, str]]:
    if not isinstance(turns, list) or not turns:
        raise _RowError("must be a non-empty list of {role, content}", "messages")
    for i, t in enumerate(turns):
        ok = isinstance(t, dict) and t.get("role") in ("system", "user", "assistant")
        if not ok or not isinstance(t.get("content"), str):
            raise _RowError(
                f"turn {i} must be {{role: system|user|assistant, content: str}}", "messages"
            )
    return [msg(t["role"], t["content"]) for t in turns]


def _split_last_turn(turns: list[dict[str, str]], field: str) -> Row:
    """Multi-turn chats train on their last assistant turn; earlier turns are the prompt (context)."""
    if turns[-1]["role"] != "assistant" or len(turns) < 2:
        raise _RowError("must end with an assistant turn after at least one user turn", field)
    return {"prompt": turns[:-1], "completion": turns[-1:]}


def _dpo(obj: dict[str, Any]) -> Row:
    prompt = obj.get("prompt")
    prompt_msgs = (
        [msg("user", _text(obj, "prompt"))] if not isinstance(prompt, list) else _messages(prompt)
    )
    row: Row = {"prompt": prompt_msgs}
    for key in ("chosen", "rejected"):
        value = obj.get(key)
        row[key] = (
            _messages(value) if isinstance(value, list) else [msg("assistant", _text(obj, key))]
        )
    return row


def seeded_sample(items: list[Any], limit: int | None, seed: int) -> list[Any]:
    """A stable sample of at most `limit` items (all when None), in a seeded order."""
    items = list(items)
    random.Random(seed).shuffle(items)
    return items if limit is None else items[:limit]


def to_dataset(rows: list[Row]) -> Any:
    """A `datasets.Dataset` without the META_KEYS columns (TRL would try to collate them)."""
    from datasets import Dataset

    return Dataset.from_list([{k: v for k, v in r.items() if k not in META_KEYS} for r in rows])
