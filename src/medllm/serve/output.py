"""Output checks on every answer: a PHI scan with the privacy stage's detectors (a value found is
redacted before the client sees it), and the disclaimer, sent as a documented extra field.

A stream is scanned a sentence at a time: text is held back until its sentence ends, so a name or
number split across pieces is seen whole before it leaves the server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from medllm.core import DISCLAIMER
from medllm.privacy import deidentify
from medllm.serve.checks import run_check

# An answer is not a clinical note: the fail-safe layer (any long digit run, e.g. "OMIM:154700")
# and low-confidence guesses would redact the codes and ids a grounded answer cites.
MIN_SCORE = 0.6
MAX_HELD = 200  # characters held back at most when no sentence ends
SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


@dataclass
class Scan:
    found: int = 0  # PHI values redacted from the answer
    kinds: set[str] = field(default_factory=set)

    @property
    def action(self) -> str:
        return "phi_redacted" if self.found else ""

    def check(self, text: str) -> str:
        """`text` with any PHI value redacted (fails closed: if the detectors fail, withheld)."""
        if not text.strip():
            return text
        try:
            result = deidentify(text)
        except Exception:  # fail closed
            self.found += 1
            return "[withheld: the PHI check failed]"
        spans = [s for s in result.spans if s.source != "fail_safe" and s.score >= MIN_SCORE]
        if not spans:
            return text
        self.found += len(spans)
        self.kinds |= {s.kind for s in spans}
        out, at = [], 0
        for sp in sorted(spans, key=lambda sp: sp.start):
            if sp.start >= at:
                out += [text[at : sp.start], f"[{sp.kind}]"]
                at = sp.end
        return "".join([*out, text[at:]])


async def scanned(pieces: AsyncIterator[str], scan: Scan, enabled: bool) -> AsyncIterator[str]:
    """`pieces` re-cut at sentence ends, each sentence checked by `scan` (in a thread)."""
    if not enabled:
        async for piece in pieces:
            yield piece
        return
    held = ""
    async for piece in pieces:
        held += piece
        ends = [m.end() for m in SENTENCE_END.finditer(held)]
        if not ends and len(held) > MAX_HELD and " " in held[MAX_HELD // 2 :]:
            # no sentence end for long (a list, a table): cut at a space, not mid-word
            ends = [held.rindex(" ") + 1]
        if ends:
            ready, held = held[: ends[-1]], held[ends[-1] :]
            yield await run_check(scan.check, ready)
    if held:
        yield await run_check(scan.check, held)


def extra(scan: Scan, **more: object) -> dict[str, object]:
    """The `medllm` field of a response."""
    out: dict[str, object] = {"disclaimer": DISCLAIMER}
    if scan.found:
        out["phi_redacted"] = scan.found
    out.update(more)
    return out
