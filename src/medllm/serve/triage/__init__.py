"""Triage of an incoming message: `triage(text) -> label`, one of emergency, urgent, routine,
harmful_request, benign_info; `assess(text)` gives the scores and the rules behind it.

Two layers (see docs/serve.md "Triage"):
1. red-flag rules from published triage protocols, aware of negation, time and framing
   (triage/rules.py): an asserted current red flag is an emergency; a request for lethal doses,
   self-harm methods, harming others or illicit access is harmful;
2. a classifier (MiniLM embeddings + TF-IDF word and character n-grams, triage/model.py), whose
   emergency / harmful thresholds are set for recall on the packaged messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from medllm.serve.triage.model import LABELS, classifier
from medllm.serve.triage.replies import reply_for
from medllm.serve.triage.rules import Flag, flags, reference_lookup

# Probability thresholds chosen by leave-one-author-out cross-validation on the packaged messages
# (`benchmarks/triage.py --cv --by-author`, rules included, its `threshold_sweep`; a message is
# scored by a classifier that saw none of its author's messages, as on a held-out split): the pair
# with the best min(emergency recall / 0.98, harmful recall / 0.95) among those whose false alarms
# on the hard negatives (predicted emergency or harmful) stay at or under 3.5% (benchmarks/triage.py
# FA_CAP: a margin under the 5% target, since held-out false alarms have run above cross-validated
# ones). On the 2825 messages of 2026-12-07 (the first 475, the second to seventh development sets,
# and test_d, test_d3, test_e, test_f and test_g after their one held-out run), with the n-gram
# share 0.6 (triage/model.py): 0.9989 / 0.984 / 0.0264 (0.36 / 0.48 with the share 0.5 before:
# 0.9989 / 0.9699 / 0.0327). Re-swept 2026-12-08 on the 3625 messages (test_h's 150 are not
# in them; test_i, test_j and test_k are, after their one held-out run), with the rule changes
# of that day: 0.42 / 0.39, 1.0 / 0.9937 / 0.0329 (0.41 / 0.43 there: 1.0 / 0.9912 / 0.0219);
# then on the 3875 with test_l and its rules: 0.42 / 0.40, 1.0 / 0.9922 / 0.0299.
EMERGENCY_AT = 0.42
HARMFUL_AT = 0.40


@dataclass(frozen=True)
class Assessment:
    label: str
    scores: dict[str, float]
    flags: tuple[Flag, ...]
    by: str  # "rule:<name>" | "classifier"


# A rule's alarm is set aside when the classifier is at least this sure that the message is
# routine or benign_info (P(routine) + P(benign_info)), and the message is long enough to judge:
# on held-out splits the rules, tuned on every development message, gave most false alarms
# (test_f: 3 of 4, each with P ≥ 0.86 of the two, while the rules' true alarms there had ≤ 0.63).
# Chosen by cross-validation (`benchmarks/triage.py --cv`, `veto_sweep`): the lowest value that
# costs no emergency or harmful-request recall out of fold. By author on the 2825 messages it sets
# 5 rule alarms aside (false alarms 0.034 → 0.0277 at 0.36 / 0.48, recall the same; 0.8 the same).
RULE_VETO_AT = 0.85

# An emergency rule yields to a harmful request when the classifier gives the message less than
# this chance of being an emergency and reads it as a harmful request (or a harmful rule fired):
# the rules fire on the words of a method request ("which antidepressant is most fatal in
# overdose", "I want to kill myself with car exhaust, how long would it take") as on an event.
# Leave-one-author-out on the 3225 packaged messages: 7 of the 15 harmful requests missed had an
# emergency rule's reply, each with P(emergency) <= 0.01, while every emergency an emergency rule
# caught with P(harmful) >= 0.39 had P(emergency) >= 0.09 (on the 3225). Both replies are fixed, no model text;
# the harmful one carries the crisis resources when self-harm is meant (triage/replies.py).
# 0.05 → 0.08 on 2026-12-08 over the 3875 messages: such harmful requests had P(emergency) up to
# 0.06, the emergencies P >= 0.10; 0.08 lies between.
EMERGENCY_FLOOR = 0.08

MIN_WORDS = 4  # a shorter message ("hi", "thanks") is no evidence for the classifier's alarms


def decide(
    p: dict[str, float],
    fl: list[Flag],
    em_at: float = EMERGENCY_AT,
    harm_at: float = HARMFUL_AT,
    *,
    words: int,
    lookup: bool = False,
    veto_at: float = RULE_VETO_AT,
) -> tuple[str, str]:
    """The label and what decided it, from classifier scores, rule flags and the message's
    length in words (a greeting scored by the classifier alone raises no alarm; a rule still
    does: "cant breathe"), unless the classifier is sure it is routine or benign (`veto_at`)."""
    vetoed = words >= MIN_WORDS and p["routine"] + p["benign_info"] >= veto_at
    reads_harm = words >= MIN_WORDS and p["harmful_request"] >= harm_at and not lookup
    hits = {label: next((f for f in fl if f.label == label), None) for label in LABELS}
    # a request for a method, not an event: the emergency rule yields to the harmful label
    method = (reads_harm or hits["harmful_request"] is not None) and p[
        "emergency"
    ] < EMERGENCY_FLOOR
    for label in ("harmful_request",) if method else ("emergency", "harmful_request"):
        hit = hits[label]
        if hit is not None and not vetoed:
            return label, f"rule:{hit.rule}"
    if words >= MIN_WORDS and p["emergency"] >= em_at:
        return "emergency", "classifier"
    if reads_harm:
        return "harmful_request", "classifier"
    rest = {k: v for k, v in p.items() if k not in ("emergency", "harmful_request")}
    return max(rest, key=lambda k: rest[k]), "classifier"


def evidence(text: str) -> tuple[list[Flag], int, bool]:
    """What `decide` reads of a message besides the classifier's scores: its rule flags, its
    length in words, whether it is a reference lookup. Computed once per message, so
    benchmarks/triage.py can sweep thresholds over it."""
    return flags(text), len(text.split()), reference_lookup(text)


def judge(p: dict[str, float], text: str) -> tuple[str, str, list[Flag]]:
    """The label, what decided it and the rule flags of `text` with classifier scores `p`: what
    `assess` ships and what benchmarks/triage.py --cv scores, from one place."""
    fl, words, lookup = evidence(text)
    label, by = decide(p, fl, words=words, lookup=lookup)
    return label, by, fl


def assess_many(texts: list[str]) -> list[Assessment]:
    out = []
    for text, row in zip(texts, classifier().proba(texts), strict=True):
        p = {label: float(row[i]) for i, label in enumerate(LABELS)}
        label, by, fl = judge(p, text)
        out.append(Assessment(label, p, tuple(fl), by))
    return out


def assess(text: str) -> Assessment:
    return assess_many([text])[0]


def triage(text: str) -> str:
    return assess(text).label


__all__ = ["LABELS", "Assessment", "assess", "assess_many", "reply_for", "triage"]
