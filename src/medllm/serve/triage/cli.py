"""`medllm triage TEXT|FILE`: the label of one message, or of every line of a JSONL file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from medllm.core import DataError, read_jsonl


def triage_command(
    text_or_file: Annotated[
        str,
        typer.Argument(
            help='a message ("my dad\'s face is drooping"), or a JSONL file of {"text": ...} '
            "objects (other fields, e.g. id or label, are copied to the output)"
        ),
    ],
    details: Annotated[
        bool, typer.Option("--details", help="also print the scores and the rule that fired")
    ] = False,
) -> None:
    """Triage messages into emergency, urgent, routine, harmful_request or benign_info (red-flag
    rules + a MiniLM classifier). A file gives JSONL out: each input object with `triage` (and
    `scores`, `by` with --details) added."""
    from medllm.serve.triage import assess_many

    path = Path(text_or_file)
    if len(text_or_file) < 4096 and path.suffix == ".jsonl" and path.is_file():
        rows = []
        for n, row in read_jsonl(path):
            if not isinstance(row.get("text"), str):
                raise DataError(
                    f"{path}:{n}: field 'text' is missing or not a string",
                    fix='give one {"text": "..."} object per line',
                )
            rows.append(row)
        for row, a in zip(rows, assess_many([r["text"] for r in rows]), strict=True):
            out = {**row, "triage": a.label}
            if details:
                out |= {"scores": {k: round(v, 4) for k, v in a.scores.items()}, "by": a.by}
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return
    if not text_or_file.strip():
        raise DataError("the message is empty", fix='give a message: medllm triage "..."')
    (a,) = assess_many([text_or_file])
    print(
        a.label if not details else json.dumps({"triage": a.label, "by": a.by, "scores": a.scores})
    )
