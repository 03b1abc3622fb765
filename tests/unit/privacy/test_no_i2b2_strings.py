"""No PHI string of the 5 i2b2 development notes is in src/, tests/, docs/ or benchmarks/.

The notes are under an i2b2/n2c2 data-use agreement and the rules were developed on them, so their
strings must not sit in the code or the tests: a test that passes because a rule matches a copied
i2b2 value measures nothing. The notes are read at run time from the installed package.

What is checked, precisely:
- every PHI span text of the 5 notes with at least 4 characters (a 7-digit MRN, a surname, "m/dd");
- every word of at least 4 letters inside a PATIENT, DOCTOR or HOSPITAL span of several words
  (the surname of "First M. Last" alone, each part of "LAST,FIRST");
except a string that is a single word in philter's whitelist of ordinary English and medical
words (names removed; e.g. "church", "bright", "silver") or a month or weekday name: those are
dictionary words, not copies.

Matching is case-insensitive and needs a non-alphanumeric character (or the file's edge) on both
sides, so "5/07" is found in "5/07/2021" but not in "15/07/2021". Every file under src/ and tests/
that reads as UTF-8 text is scanned, and docs/ and benchmarks/ too (caches and binaries skipped).
"""

from __future__ import annotations

import calendar
import re
from pathlib import Path

from medllm.privacy.gold.i2b2 import philter_notes
from medllm.privacy.resources import _PHILTER_WHITE, PHILTER, _json_keys
from medllm.privacy.transforms.dateshift import MONTH_NAMES

ROOT = Path(__file__).resolve().parents[3]
_CALENDAR = frozenset([*MONTH_NAMES, *(d.lower() for d in calendar.day_name)])
COUNT = 49
_SKIP_DIRS = frozenset(["__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"])


def _checked_strings() -> set[str]:
    whitelist = _json_keys(PHILTER, _PHILTER_WHITE)
    out: set[str] = set()
    for note in philter_notes():
        for span in note.spans:
            value = note.text[span.start : span.end].strip()
            candidates = [value]
            words = re.findall(r"[A-Za-z]+", value)
            if span.source in ("PATIENT", "DOCTOR", "HOSPITAL") and len(words) > 1:
                candidates += [w for w in words if len(w) >= 4]
            for c in candidates:
                low = c.lower()
                if len(c) < 4 or low in _CALENDAR or (low.isalpha() and low in whitelist):
                    continue
                out.add(low)
    return out


def _files() -> list[Path]:
    out = []
    for top in ("src", "tests", "docs", "benchmarks"):
        for p in sorted((ROOT / top).rglob("*")):
            if p.is_file() and not _SKIP_DIRS.intersection(p.parts) and p.suffix != ".pyc":
                out.append(p)
    return out


def test_the_checked_strings_follow_the_definition() -> None:
    strings = _checked_strings()
    # 39 distinct span texts in the 5 notes; dictionary words and 3-character values drop out,
    # name parts come in. The count pins the definition above (no value is written here).
    assert len(strings) == COUNT
    assert all(len(s) >= 4 and s not in _CALENDAR for s in strings)
    assert sum(s.isdigit() for s in strings) == 2 and sum("/" in s for s in strings) == 9


def test_no_i2b2_phi_string_in_src_tests_docs_or_benchmarks() -> None:
    pattern = re.compile(
        r"(?<![A-Za-z0-9])(?:"
        + "|".join(re.escape(s) for s in sorted(_checked_strings(), key=len, reverse=True))
        + r")(?![A-Za-z0-9])",
        re.IGNORECASE,
    )
    found: dict[str, set[str]] = {}
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for m in pattern.finditer(text):
            found.setdefault(str(path.relative_to(ROOT)), set()).add(m.group().lower())
    assert found == {}, "strings copied from the i2b2 notes: " + "; ".join(
        f"{f}: {sorted(v)}" for f, v in sorted(found.items())
    )
