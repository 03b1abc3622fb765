"""Gold corpora for de-identification: seeded synthetic notes and the i2b2-2014 XML reader."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from medllm.core import DataError, Span, read_jsonl


def read_gold_jsonl(path: str | Path) -> list[Any]:
    """Gold notes written by `medllm deid generate`: {"id", "text", "spans": [{kind, start, end}]}."""
    from medllm.privacy.gold.synthetic import GoldNote

    notes = []
    for lineno, obj in read_jsonl(path, required=("id", "text", "spans")):
        try:
            spans = tuple(
                Span(str(s["kind"]), int(s["start"]), int(s["end"]), 1.0, "gold")
                for s in obj["spans"]
            )
        except (KeyError, TypeError, ValueError):
            raise DataError(
                "each span needs kind, start, end",
                path=path,
                line=lineno,
                field="spans",
                fix='write spans as [{"kind": "NAME", "start": 0, "end": 4}, ...] (integers)',
            ) from None
        text = obj["text"]
        if not isinstance(text, str):
            raise DataError("expected a string", path=path, line=lineno, field="text")
        for i, sp in enumerate(spans):
            if not 0 <= sp.start < sp.end <= len(text):
                raise DataError(
                    f"span {i} ({sp.start}-{sp.end}) is outside the text ({len(text)} characters)",
                    path=path,
                    line=lineno,
                    field="spans",
                    fix="give character offsets into text, start < end <= its length",
                )
        notes.append(
            GoldNote(
                str(obj["id"]),
                str(obj.get("patient_id", obj["id"])),
                str(obj.get("note_type", "")),
                text,
                spans,
            )
        )
    return notes


def load_gold(spec: str, *, n: int = 1000, seed: int = 0) -> list[Any]:
    """ "synthetic" (n seeded notes), "i2b2" (the 5 philter-ucsf notes), a gold JSONL file, or an
    i2b2-2014 XML file or folder."""
    notes = _load(spec, n, seed)
    if not notes:
        raise DataError(
            "no gold notes in it",
            path=spec,
            fix="give a gold .jsonl with one note a line, or a folder of i2b2 .xml files",
        )
    return notes


def _load(spec: str, n: int, seed: int) -> list[Any]:
    from medllm.privacy.gold.i2b2 import philter_notes, read_i2b2_xml
    from medllm.privacy.gold.synthetic import generate_notes

    if spec == "synthetic":
        return generate_notes(n, seed)
    if spec == "i2b2":
        return philter_notes()
    p = Path(spec)
    if p.is_dir():
        return [read_i2b2_xml(x) for x in sorted(p.glob("*.xml"))]
    if p.suffix == ".xml":
        return [read_i2b2_xml(p)]
    if p.suffix == ".jsonl":
        return read_gold_jsonl(p)
    if not p.exists():
        close = difflib.get_close_matches(spec, ["synthetic", "i2b2"], n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise DataError(
            "unknown gold corpus, and no such file",
            path=spec,
            fix=f"{hint}use synthetic, i2b2, a .jsonl or an i2b2 .xml file or folder",
        )
    raise DataError(
        "unknown gold corpus", path=spec, fix="use synthetic, i2b2, a .jsonl or i2b2 .xml path"
    )
