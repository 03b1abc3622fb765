"""Scan model generations and log files for any PHI value of a gold corpus.

Reports kinds, counts and locations (file:line, or generation index), never the values found.
Values shorter than `min_len` characters or made only of ordinary words are skipped: "May" or
"Will" would match everywhere without meaning a leak.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medllm.core import Span


@dataclass
class ScanReport:
    hits: Counter[str] = field(default_factory=Counter)
    locations: list[str] = field(default_factory=list)
    scanned: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "scanned": self.scanned,
            "phi_hits": sum(self.hits.values()),
            "by_type": dict(sorted(self.hits.items())),
            "locations": self.locations[:100],
        }


class PhiScanner:
    """One regex over all PHI values (longest first, word-bounded, case-insensitive)."""

    def __init__(self, values: Iterable[tuple[str, str]], min_len: int = 4) -> None:
        from medllm.privacy.resources import lexicon

        common = lexicon().common
        kinds: dict[str, str] = {}
        for kind, value in values:
            v = value.strip()
            if _worth_scanning(v, common, min_len):
                kinds.setdefault(v.lower(), kind)
        self.kinds = kinds
        alts = sorted(kinds, key=len, reverse=True)
        self.regex = (
            re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, alts)) + r")(?!\w)", re.I)
            if alts
            else None
        )

    @classmethod
    def from_notes(cls, notes: Iterable[Any]) -> PhiScanner:
        """From gold notes (objects with `.text` and `.spans`)."""
        return cls((s.kind, n.text[s.start : s.end]) for n in notes for s in n.spans)

    def find(self, text: str) -> list[Span]:
        if self.regex is None:
            return []
        return [
            Span(self.kinds[m.group(0).lower()], m.start(), m.end(), 1.0, "scan")
            for m in self.regex.finditer(text)
        ]

    def scan_texts(self, texts: Sequence[str], label: str = "generation") -> ScanReport:
        rep = ScanReport()
        for i, t in enumerate(texts):
            rep.scanned += 1
            for s in self.find(t):
                rep.hits[s.kind] += 1
                rep.locations.append(f"{label} {i}: {s.kind} at char {s.start}")
        return rep

    def scan_files(self, paths: Sequence[str | Path]) -> ScanReport:
        rep = ScanReport()
        for path in _files(paths):
            rep.scanned += 1
            with path.open(encoding="utf-8", errors="replace") as f:
                for lineno, line in enumerate(f, start=1):
                    for s in self.find(line):
                        rep.hits[s.kind] += 1
                        rep.locations.append(f"{path}:{lineno}: {s.kind}")
        return rep


def _worth_scanning(value: str, common: frozenset[str], min_len: int) -> bool:
    if len(value) < min_len:
        return False
    if any(c.isdigit() for c in value) or "@" in value:
        return True
    return any(w.lower() not in common for w in re.findall(r"[A-Za-z]+", value))


def _files(paths: Sequence[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p])
    return out
