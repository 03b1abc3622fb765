"""Shift a written date by N days and write it back in the same format.

"03/14/2024" → "01/02/2024", "March 14, 2024" → "January 2, 2024", "7/91" → "5/91" (month/year),
"9/23" (month/day, no year), "June" (month alone), "1998" (year alone). Returns None when the
string is not a date it understands, so the caller can fall back to redaction (fail-safe).
Hand-written because dateutil parses but cannot tell which format a string was in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_TOKEN = re.compile(r"\d+|[A-Za-z]+")
_REF_YEAR = 2000  # a leap year, so "2/29" without a year can be shifted


@dataclass
class _Parts:
    year: int | None = None
    month: int | None = None
    day: int | None = None


def _month_of(word: str) -> int | None:
    w = word.lower()
    if len(w) < 3:
        return None
    for i, name in enumerate(MONTH_NAMES):
        if name.startswith(w) or (w == "sept" and i == 8):
            return i + 1
    return None


def _full_year(y: str) -> int:
    n = int(y)
    if len(y) == 4:
        return n
    return 2000 + n if n < 50 else 1900 + n


def _assign(
    parts: _Parts, nums: list[re.Match[str]], has_month_word: bool
) -> dict[int, str] | None:
    """Decide which number is the year, month and day; returns token index → role."""
    roles: dict[int, str] = {}
    vals = [(i, m.group(0)) for i, m in enumerate(nums)]
    if has_month_word:
        for i, v in vals:
            role = "year" if len(v) == 4 or (int(v) > 31) else "day"
            roles[i] = role
    elif len(vals) == 3:
        a, b, _c = (v for _, v in vals)
        if len(a) == 4:
            roles = {0: "year", 1: "month", 2: "day"}
        elif int(a) > 12:
            roles = {0: "day", 1: "month", 2: "year"}
        else:
            roles = {0: "month", 1: "day", 2: "year"}
    elif len(vals) == 2:
        a, b = (v for _, v in vals)
        if len(a) == 4:
            roles = {0: "year", 1: "month"}
        elif int(b) > 31 or len(b) == 4:
            roles = {0: "month", 1: "year"}
        else:
            roles = {0: "month", 1: "day"}
    elif len(vals) == 1 and len(vals[0][1]) == 4:
        roles = {0: "year"}
    else:
        return None
    for i, role in roles.items():
        v = nums[i].group(0)
        setattr(parts, role, _full_year(v) if role == "year" else int(v))
    return roles


def shift_date(value: str, days: int) -> str | None:
    """`value` moved by `days`, in its own format; None if it cannot be parsed."""
    toks = list(_TOKEN.finditer(value))
    parts = _Parts()
    month_tok = next((m for m in toks if m.group(0).isalpha() and _month_of(m.group(0))), None)
    words = [m for m in toks if m.group(0).isalpha() and m is not month_tok]
    if any(w.group(0).lower() not in ("st", "nd", "rd", "th", "of") for w in words):
        return None
    if month_tok is not None:
        parts.month = _month_of(month_tok.group(0))
    nums = [m for m in toks if m.group(0).isdigit()]
    roles = _assign(parts, nums, month_tok is not None) if nums else {}
    if roles is None or (parts.month is None and parts.year is None):
        return None
    try:
        new = _shifted(parts, days)
    except ValueError:
        return None
    return _render(value, toks, nums, roles, month_tok, parts, new)


def _shifted(p: _Parts, days: int) -> dt.date:
    if p.month is None:  # year alone: move the middle of the year
        return dt.date(p.year or _REF_YEAR, 7, 1) + dt.timedelta(days=days)
    return dt.date(p.year or _REF_YEAR, p.month, p.day or 15) + dt.timedelta(days=days)


def _render(
    value: str,
    toks: list[re.Match[str]],
    nums: list[re.Match[str]],
    roles: dict[int, str],
    month_tok: re.Match[str] | None,
    parts: _Parts,
    new: dt.date,
) -> str:
    repl: dict[int, str] = {}
    padded = any(m.group(0).startswith("0") and roles[i] != "year" for i, m in enumerate(nums))
    for i, m in enumerate(nums):
        old, role = m.group(0), roles[i]
        n = {"year": new.year, "month": new.month, "day": new.day}[role]
        if role == "year" and len(old) == 2:
            repl[m.start()] = f"{n % 100:02d}"
        else:
            repl[m.start()] = str(n) if role == "year" else f"{n:02d}" if padded else str(n)
    if month_tok is not None:
        repl[month_tok.start()] = _month_word(month_tok.group(0), new.month)
    for m in toks:  # "14th" → "3rd"
        if m.group(0).lower() in ("st", "nd", "rd", "th") and m.start() > 0:
            suffix = _ordinal(new.day)
            repl[m.start()] = suffix.upper() if m.group(0).isupper() else suffix
    out, pos = [], 0
    for m in toks:
        if m.start() in repl:
            out.append(value[pos : m.start()] + repl[m.start()])
            pos = m.end()
    out.append(value[pos:])
    return "".join(out)


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _month_word(old: str, month: int) -> str:
    name = MONTH_NAMES[month - 1]
    word = name if len(old) > 4 or old.lower() in MONTH_NAMES else name[: len(old)]
    if old.isupper() and len(old) > 1:
        return word.upper()
    return word.capitalize() if old[0].isupper() else word
