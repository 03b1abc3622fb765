"""Questions the knowledge base cannot answer by what they ask for, whatever they name: doses,
drug interactions, guideline recommendations, prognosis, other code sets, costs, current events
and local policy. The installed vocabularies hold codes, terms, definitions, phenotype
annotations and the WHO list, none of these; retrieval still finds the drug or disease named in
such a question, so the relevance gate alone lets them through (docs/rag.md has the figures).

`out_of_scope(question)` → the topic's label ("dosing", ...), or "" when the question is in scope.
Hand-written patterns: a classifier would need labelled questions that this project does not have
beyond its development set, and these are short, readable and tested one by one.
"""

from __future__ import annotations

import re

# label → pattern over the lowercased question (punctuation kept: "+", "mg/kg", "q8h").
TOPICS: dict[str, str] = {
    "prices or insurance": (
        r"\bcosts?\b|\bprices?\b|\bcheap\w*|\bexpensive\b|\binsurance\b|\bcovered by\b"
        r"|\bcopay\w*|\breimburse\w*|\bafford\w*"
    ),
    "dosing information": (
        r"\bdos(?:e|es|ed|ing|age|ages)\b|\bmg ?/ ?kg\b|\bmcg\b|\bloading\b|\bmaintenance\b"
        r"|\bregimens?\b|\bnomogram\b|\binfusion\b|\bdrips?\b|\bhow much\b|\btitrat\w*"
        r"|\bq ?\d+ ?h\b|\bhow many hours\b|\btarget (?:level|range|dose)\b|\bmax(?:imum)? per day\b"
        r"|\b\d+ ?(?:mg|g|ml|units?|mcg)\b|\bbolus\b"
    ),
    "drug interactions": (
        r"\binteract\w*|\btogether\b|\bbe taken with\b|\bcombin\w*|\bcombos?\b|\bco-?administ\w*"
        r"|\bcontraindicat\w*|\bcan (?:i|you|we) (?:give|take|use|start|prescribe) \S+ with\b"
        r"|\breduces? \S+ (?:effect|levels?)\b|\bqt risk\b"
    ),
    "guideline recommendations": (
        r"\bguidelines?\b|\brecommend\w*|\bfirst[- ]line\b|\bwhen to (?:start|stop|begin|screen)\b"
        r"|\bscreening (?:age|interval|timing)\b|\bindications? for\b|\bstatin indication\b"
        r"|\b(?:acc|aha|ada|uspstf|acog|aap|idsa|nccn|esc|nice|gold|kdigo|gina)\b|\ba1c target\b"
    ),
    "prognosis": (
        r"\bsurviv\w*|\bprognos\w*|\blife expectancy\b|\bmortality\b|\brecurrence\b|\brelapse\b"
        r"|\brisk of (?:progression|recurrence|death|dying|relapse)\b|\bchances? of\b"
        r"|\blive past\b|\bhow long (?:will|do|does|can|until)\b|\boutcomes?\b"
    ),
    "codes of other code sets": (
        r"\b(?:cpt|hcpcs|loinc|snomed|ndc|rxnorm|atc|opcs|dsm)\b|\bdsm-?(?:5|iv)\b"
        r"|\bicd[- ]?10[- ]?pcs\b|\bicd[- ]?11\b|\bicd[- ]?9\b"
    ),
    "current events": (
        r"\b(?:this|next|last) (?:week|month|year|october|winter|season)\b|\btoday'?s\b|\bas of today\b"
        r"|\bright now\b|\bnews\b|\bshortages?\b|\blatest\b|\bwait times?\b|\btonight\b"
        r"|\bnear me\b|\bcurrent (?:covid|flu|variant|outbreak|wait)\b|\bcirculating\b"
    ),
    "local policy": (
        r"\b(?:our|my) (?:ward|unit|hospital|clinic|ed|er|pharmacy|formulary|department|floor|icu)\b"
        r"|\blocal (?:protocol|policy|policies|rule|pathway|guideline)s?\b|\bpolicy\b|\bpolicies\b"
        r"|\bformulary\b|\bwho (?:do|should) i (?:page|call)\b|\bon call\b|\bat our\b|\bhere\b"
        r"|\bhospital rules?\b|\bpathway\b|\bprotocol\b|\bapproval\b|\bvisitor\w*"
    ),
}
_COMPILED = [(label, re.compile(p)) for label, p in TOPICS.items()]
# "warfarin + amiodarone?" asks about an interaction; "levodopa + carbidopa: EML section?", "eye +
# ear + palate findings in stickler" and "hpo term + its id" ask the vocabularies for something.
_PLUS = re.compile(r"[a-z]{4,} ?\+ ?[a-z]{4,}")
_ASKS_VOCABULARY = re.compile(
    r"\b(?:eml|essential|model list|sections?|categor\w*|icd\w*|codes?|hpo|mesh|ids?|terms?"
    r"|syndrome|disease|findings?|phenotypes?|features?|ddx|dx|diagnosis)\b"
)


def out_of_scope(question: str) -> str:
    """The first topic of `TOPICS` the question asks for, or ""."""
    low = question.lower()
    found = next((label for label, pattern in _COMPILED if pattern.search(low)), "")
    if not found and _PLUS.search(low) and not _ASKS_VOCABULARY.search(low):
        return "drug interactions"
    return found
