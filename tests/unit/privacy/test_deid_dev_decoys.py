"""Regression: decoys of the independent set's dev half (eponyms, codes, doses, vitals, scores,
fractions, years, labs) that survive de-identification, per fail-safe mode. Dev half only: the
test half is reported once, never tested against. Figures measured 2026-12 (#19): 52 of 53 on
the first 20 dev notes; 67 of 68 with dev-21..32 (2026-12-02, both modes); 140 of 143 with
dev-33..56 (2026-12-03, both modes; lost: "Whipple", "Babinski" read as names, "6/10" as a date);
with dev-57..96 (2026-12-03, written by another author, before any change for them): 487 of 516
balanced, 492 of 516 off; with dev-97..136 (2026-12-07, two more authors, before any change for
them): 996 of 1070 balanced (509 of the new 554), 1015 of 1070 off; after the dev_e rules
(eponyms from the medical vocabulary are no names by the name lists alone): 1007 / 1026; with
dev-137..166 (2026-12-07, another author, before any change for them): 1322 of 1401 balanced
(315 of the new 331), 1346 of 1401 off.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medllm.privacy.detect import build_analyzer
from medllm.privacy.gold import load_gold

DEV = Path(__file__).resolve().parents[2] / "fixtures" / "deid_independent" / "dev"


def decoys_kept(mode: str) -> tuple[int, int]:
    notes = {n.id: n for n in load_gold(str(DEV))}
    an = build_analyzer(None, 0.0, mode)  # type: ignore[arg-type]
    spans = {k: an.analyze(n.text) for k, n in notes.items()}
    rows = [json.loads(line) for line in (DEV / "decoys.jsonl").read_text().splitlines()]
    kept = sum(
        not any(s.start < r["end"] and r["start"] < s.end for s in spans[r["note"]]) for r in rows
    )
    return kept, len(rows)


@pytest.mark.parametrize(("mode", "kept"), [("balanced", 2229), ("off", 2281)])
def test_dev_decoys_survive(mode: str, kept: int) -> None:
    assert decoys_kept(mode) == (kept, 2390), mode
