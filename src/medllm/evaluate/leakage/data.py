"""The S9 notes: members and non-members from the same synthetic generator, PHI-shaped canaries
written into the members, and the de-identified forms of both.

Members and non-members are split by patient (the generator gives every 3 notes one patient):
a held-out note of a training patient would repeat that patient's names and numbers and so look
like a member. Each note is cut to its first `note_chars` characters (at a space) so that a row
fits `max_length` tokens whole; a canary is a note's first sentence ("The patient's MRN is
4829175."), so its training context is exactly `CONTEXT` + the canary's prefix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medllm.evaluate.leakage.config import PrivacyLeakageConfig
from medllm.privacy import (
    PHI_PREFIXES,
    Canary,
    deidentify,
    embed_canaries,
    generate_notes,
    make_canaries,
)

# The SFT recipe's `prompt_format: text` renders a {prompt, completion} row as the prompt, then
# "\nAnswer:", then " " + completion (train/sft.py `as_text`; a test checks they agree).
NOTE_PROMPT = "Write a clinical note."
CONTEXT = f"{NOTE_PROMPT}\nAnswer:"
CONTROL_SEED = 1_000_003  # control canaries' seed offset: other secrets, the same prefixes


@dataclass(frozen=True)
class StudyData:
    members: list[str] = field(repr=False)  # training notes as written, canaries in
    nonmembers: list[str] = field(repr=False)  # held-out notes of other patients
    canaries: list[Canary] = field(repr=False)  # inserted
    controls: list[Canary] = field(repr=False)  # the same shape, never inserted
    placed: dict[str, list[int]]  # canary id -> indices of the members holding it

    def plain(self, texts: list[str]) -> list[str]:
        """The members (or a form of them, in the same order) that hold no canary: membership is
        measured on these, so the inserted digits (costly under any model) do not shift it."""
        held = {i for ids in self.placed.values() for i in ids}
        return [t for i, t in enumerate(texts) if i not in held]


def cut(text: str, chars: int) -> str:
    """The first `chars` characters of `text`, ending at a space or line end (never mid-word)."""
    if len(text) <= chars:
        return text.strip()
    head = text[: chars + 1]
    end = max(head.rfind(" "), head.rfind("\n"))
    return (head[:end] if end > 0 else head[:chars]).strip()


def build_data(cfg: PrivacyLeakageConfig) -> StudyData:
    """Seeded: the same config gives the same notes and canaries."""
    wanted = max(cfg.n_train, cfg.n_heldout)
    notes = generate_notes(2 * wanted + 6, seed=cfg.seed)
    # patient index i // 3: even patients train, odd ones are held out
    members = [n for i, n in enumerate(notes) if (i // 3) % 2 == 0][: cfg.n_train]
    held = [n for i, n in enumerate(notes) if (i // 3) % 2 == 1][: cfg.n_heldout]
    canaries, controls = (
        make_canaries(cfg.canaries, seed=s, digits=cfg.canary_digits, prefixes=PHI_PREFIXES)
        for s in (cfg.seed, cfg.seed + CONTROL_SEED)  # other secrets, the same prefixes
    )
    texts, placed = embed_canaries(
        [cut(n.text, cfg.note_chars) for n in members],
        canaries,
        cfg.canary_repeats,
        seed=cfg.seed,
    )
    return StudyData(texts, [cut(n.text, cfg.note_chars) for n in held], canaries, controls, placed)


def deidentified(texts: list[str], transform: str) -> list[str]:
    return [deidentify(t, transform=transform).text for t in texts]


def in_context(canary: Canary) -> Canary:
    """The canary with what preceded it in training, so exposure scores the secret as trained."""
    return Canary(canary.id, f"{CONTEXT} {canary.prefix}", canary.secret)


def sft_rows(texts: list[str]) -> list[dict[str, str]]:
    """Rows of a user JSONL file for the SFT recipe ({prompt, completion})."""
    return [{"prompt": NOTE_PROMPT, "completion": t} for t in texts]
