"""Cities and states: "City, ST", "City, State", state names, and US city names from GeoNames.

A city name alone counts when it is not also an ordinary word ("Mobile", "Normal" stay) and is
capitalised; "City, ST" counts for any capitalised words before a valid state code (US states and
Canadian provinces), and the city before a ZIP or Canadian postal code. Also a state code before
or after a plate or driver's licence ("OH plate", "plate 8KD 441 MI", "TX DL") and full state
names in lower case ("lives in rural vermont"); a named feature after a preposition ("near Knox
Lake", "in Cedar Heights").
"""

from __future__ import annotations

import re
from itertools import chain

from medllm.core import Span
from medllm.privacy.recognizers.base import LO, UP, Pattern, lowered, trie_alternation
from medllm.privacy.recognizers.name import EPONYM_NEXT
from medllm.privacy.resources import Lexicon, lexicon
from medllm.privacy.vocabulary import english_words

# ", ST" / ", State": the state; the city is looked for in the words just before the comma.
_STATE_AFTER_COMMA = re.compile(r",[ \t]*(?P<state>[A-Z]{2}|[A-Z][a-z]+(?: [A-Z][a-z]+)?)\b")
_WORDS_BEFORE = re.compile(
    r"((?:(?:St\.|Ft\.|Mt\.|[A-Z][a-z]+(?:'s)?|[A-Z]{3,})[ \t\-]){0,2}(?:[A-Z][a-z]+|[A-Z]{3,}))[ \t]*$"
)
# "moved to Big Rapids, MI.": a residence or travel cue makes the words before ", ST" a place
# even when the gazetteer does not know them and no ZIP follows.
_RESIDENCE_CUE = re.compile(
    r"(?i:\b(?:moved|moving|relocated|relocating|lives?|living|resides?|residing|based|"
    r"visiting|visited|grew[ \t]+up|born|raised|originally|back|home|trip|travel(?:l?ed)?|"
    r"drove|flew|from|near|outside)"
    r"(?:[ \t]+(?:to|in|at|from|of|near|outside))?)[ \t]+$"
)
# "Moody Family Clinic, Tallahassee": a city right after a facility name.
_AFTER_FACILITY = re.compile(
    r"(?:Hospital|Center|Centre|Clinic|Infirmary|Institute|Practice),[ \t]+"
    r"(?P<city>(?:St\.[ \t])?[A-Z][a-z]+(?:[ \-][A-Z][a-z]+){0,2})\b"
)
PROVINCES = {
    "ab": "AB",
    "bc": "BC",
    "mb": "MB",
    "nb": "NB",
    "nl": "NL",
    "ns": "NS",
    "nt": "NT",
    "nu": "NU",
    "on": "ON",
    "pe": "PE",
    "qc": "QC",
    "sk": "SK",
    "yt": "YT",
    "pq": "QC",  # Quebec's old code, still in letters
    "alberta": "AB",
    "british columbia": "BC",
    "manitoba": "MB",
    "new brunswick": "NB",
    "newfoundland": "NL",
    "nova scotia": "NS",
    "ontario": "ON",
    "prince edward island": "PE",
    "quebec": "QC",
    "saskatchewan": "SK",
    "yukon": "YT",
}
_CODE = r"(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[TA]|W[AVIY]|PR)"
_STATE_VEHICLE = Pattern(
    "CITY",
    re.compile(
        r"\b(?P<a>"
        + _CODE
        + r")[ \t]+(?i:plate|tag|licen[cs]e[ \t]+plate|dl|driver'?s?[ \t]+licen[cs]e)\b"
        r"|(?i:\bplate)[ \t]*(?:\#|no\.?|number)?[ \t:]*[A-Z0-9]{1,4}[ \t\-]?[A-Z0-9]{1,4}[ \t]+(?P<b>"
        + _CODE
        + r")\b"
    ),
)
# "near Knox Lake", "at Pine Creek": a named place after a preposition.
_FEATURE = Pattern(
    "CITY",
    re.compile(
        r"(?i:\b(?:near|in|at|by|from|to|around|outside|off)\s+)(?:the\s+)?(?P<place>(?:[A-Z][a-z]+[ \t]+){1,2}"
        r"(?:Lake|River|Creek|Falls|Park|Heights|Springs|Hills|Valley|Beach|Harbor|Harbour|Bay|Island"
        r"|Mountain|Ridge|Township|County|Village|Estates|Acres|Pond|Woods|Mall|Plaza))\b"
    ),
)
# "a farm near New Germany", "north of Fort St. James", "the town of Millhaven": a place after a
# cue that only places take; not a title or a facility ("near Dr Ames", "near Mercy Hospital")
_NEAR_PLACE = Pattern(
    "CITY",
    re.compile(
        r"(?i:\b(?:near|outside|(?:north|south|east|west|upriver|downriver)[ \t]+of|(?:town|village|city"
        r"|township|hamlet)[ \t]+of)[ \t\n]+)(?P<place>(?!(?:Dr|Mr|Mrs|Ms|Prof|St|The|My|Our|His|Her)\b)"
        r"(?:(?:Fort|Port|Mount|Lake|St\.|Ft\.|Mt\.)[ \t])?[A-Z][a-z]{2,}(?:[ \-][A-Z][a-z]+){0,2})"
        r"(?![ \t\-]*(?:Hospital|Clinic|Center|Centre|Medical|Health|Pharmacy|School|Church|Mall"
        r"|Park|Plaza|Street|St|Road|Rd|Avenue|Ave|[a-z]))"
    ),
)
_POSTAL_AFTER = re.compile(
    r"\s+(?:\d{5}\b|[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ \t\-]?\d[ABCEGHJ-NPRSTV-Z]\d\b)"
)
_STREET_WORDS = frozenset(
    [
        "street",
        "st",
        "avenue",
        "ave",
        "road",
        "rd",
        "drive",
        "dr",
        "lane",
        "ln",
        "boulevard",
        "blvd",
        "court",
        "ct",
        "way",
        "place",
        "pl",
    ]
)
_STATE_BEFORE_POSTAL = re.compile(
    r"(?<![\w.])(?P<st>[A-Z]{2}|[A-Z]\.[A-Z]\.)(?:[ \t]+|(?<=\.))[ \t]*"
    r"(?=\d{5}(?:-\d{4})?\b|[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ \t\-]?\d[ABCEGHJ-NPRSTV-Z]\d\b)"
)
# one to three capitalised words ending where a postal code or ", Country" may follow
_CAP_RUN_BEFORE = re.compile(rf"(?<![\w\-])[{UP}][{LO}]+(?:[ \-][{UP}][{LO}]+){{0,2}}(?=[ \t]|,)")
_LOWER_BEFORE_ZIP = re.compile(r",[ \t]*([a-z]{3,}(?:[ \-][a-z]{2,}){0,2})[ \t]+\d{5}(?:-\d{4})?\b")
_STREET_LINE_BEFORE = re.compile(
    r"\d+[a-z]?[ \t]+[a-z]+[ \t]+[a-z]+\.?(?:,[ \t]*(?:apt|unit|ste|suite)[ \t]*\#?\w+)?$"
)
_CONTACT_WORDS = frozenset(
    [
        "pager",
        "beeper",
        "ext",
        "extension",
        "fax",
        "phone",
        "tel",
        "cell",
        "mobile",
        "room",
        "rm",
        "bed",
        "mrn",
        "id",
    ]
)
_UK_POSTCODE_AFTER = re.compile(r",?[ \t]+[A-Z]{1,2}\d[A-Z\d]?[ \t]\d[A-Z]{2}\b")
# "East Ballina NSW 2478", "Brunswick VIC 3056": an Australian state and its 4-digit postcode
_AU_STATE_AFTER = re.compile(r",?[ \t]+(?P<st>NSW|VIC|QLD|WA|SA|TAS|ACT|NT)[ \t]+(?P<pc>\d{4})\b")
# "Fairview, Ore.", "Dwight, Ont.": the abbreviations of the press style, always with their dot
_AP_STATES_TEXT = (
    "ala ariz ark calif colo conn del fla ill ind kan kans mass mich minn miss mont neb nebr nev"
    " okla ore penn tenn tex wash wis wisc wyo ont que alta sask"
)
AP_STATES = frozenset(_AP_STATES_TEXT.split())


# lower case: "…, white river junction, vt." / "greenvale minnesota"
def _lower_city_state(state_names: list[str]) -> re.Pattern[str]:
    names = trie_alternation(state_names, fold=False)  # longest first, as a trie (base.py)
    return re.compile(
        r"(?<![\w\-])(?P<city>[a-z]+(?:[ \-][a-z]+){0,2})"
        r"(?:,[ \t]*(?P<code>[a-z]{2}|[A-Z]{2})(?=[ \t]*(?:[.,;:)!?\n]|\d{5}|$))"
        rf"|[ \t]+(?P<name>{names})\b)"
    )


_NOT_CITY = frozenset(
    [
        "in",
        "to",
        "from",
        "at",
        "of",
        "the",
        "a",
        "an",
        "and",
        "or",
        "near",
        "moved",
        "live",
        "lives",
        "living",
        "back",
        "rural",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "upstate",
        "downstate",
        "coastal",
        "my",
        "our",
        "his",
        "her",
        "their",
        "visiting",
        "visit",
        "family",
        "trip",
        "drove",
        "flew",
        "flying",
        "went",
        "going",
        "come",
        "came",
        "born",
        "raised",
        "grew",
        "up",
        "now",
        "here",
        "there",
        "out",
        "over",
        "down",
        "away",
        "moving",
        "relocated",
    ]
)
_LOWER_PLACE = re.compile(
    r"(?:\b(?:in|from|to|near|outside|around|moved\s+to)\s+|\()"
    r"(?P<place>[a-z]+(?:[ \-][a-z]+){0,2})(?=[)\s,.;:!?]|$)"
)
_CAPS = re.compile(
    rf"\b[{UP}][{LO}]+(?:'s)?(?:[ \-](?:[{UP}][{LO}]+|of|de|del|la|on|upon))*\b"
    rf"|\b[{UP}]{{3,}}(?: [{UP}]{{3,}})*\b"
)


class LocationRecognizer:
    name = "location"
    kinds = ("CITY", "STATE")

    def __init__(self, lex: Lexicon | None = None) -> None:
        self.lex = lex or lexicon()
        full = [n for n in [*self.lex.states, *PROVINCES] if len(n) > 2]
        self._lower_cs = _lower_city_state(full)

    def analyze(self, text: str) -> list[Span]:
        spans = self._city_state(text)
        low = lowered(text)  # the pattern scan (`Pattern.finditer`): the same matches, faster
        for m in _STATE_VEHICLE.finditer(text, low):
            g = "a" if m.group("a") else "b"
            spans.append(Span("STATE", m.start(g), m.end(g), 0.85, self.name))
        spans += self._lower_states(text)
        spans += self._lower_city_state(text)
        spans += self._city_before(text)
        spans += self._state_before_postcode(text)
        spans += self._lower_cities(text)
        for m in chain(_FEATURE.finditer(text, low), _NEAR_PLACE.finditer(text, low)):
            spans.append(Span("CITY", m.start("place"), m.end("place"), 0.7, self.name))
        for m in _AFTER_FACILITY.finditer(text):
            city = self._city_in(m.group("city"), "")
            if city is not None:
                start = m.start("city")
                spans.append(Span("CITY", start, start + len(city), 0.8, self.name))
        taken = {(s.start, s.end) for s in spans}
        for m in _CAPS.finditer(text):
            for start, end, kind in self._known(m.group(0), m.start()):
                # "Hashimoto thyroiditis" names a disease, not the city of Hashimoto
                if (start, end) not in taken and not EPONYM_NEXT.match(text[end : end + 30]):
                    spans.append(Span(kind, start, end, 0.6, self.name))
        return spans

    def _lower_states(self, text: str) -> list[Span]:
        """Full state and province names written in lower case ("rural vermont")."""
        out = []
        toks = [
            (m.start(), m.end())
            for m in re.finditer(r"\b[a-z]{4,}\b|\b(?:new|north|south|west|rhode|prince)\b", text)
        ]
        for i, (a, b) in enumerate(toks):
            two = i + 1 < len(toks) and toks[i + 1][0] == b + 1
            for end in (toks[i + 1][1], b) if two else (b,):
                phrase = text[a:end]
                if phrase in self.lex.states or phrase in PROVINCES:
                    out.append(Span("STATE", a, end, 0.7, self.name))
                    break
        return out

    def _lower_city_state(self, text: str) -> list[Span]:
        """Lower-case "white river junction, vt." and "greenvale minnesota": up to three words
        before a state code (after a comma, with the clause ending there) or a full state name."""
        out = []
        for m in self._lower_cs.finditer(text):
            state = m.group("code") or m.group("name")
            if not self._is_state(state):
                continue
            words = m.group("city").split()
            while words and (words[0] in _NOT_CITY or words[0] in _STREET_WORDS):
                words = words[1:]
            if not words or words[-1] in _NOT_CITY | _STREET_WORDS:
                continue
            end = m.start("city") + len(m.group("city"))
            start = end - len(" ".join(words))
            address_line = re.search(r",[ \t]*$", text[max(0, start - 3) : start]) is not None
            if m.group("code") and not address_line and " ".join(words) not in self.lex.cities:
                continue  # "call me, ok.": a code after words that are no address line
            g = "code" if m.group("code") else "name"
            out.append(Span("CITY", start, end, 0.7, self.name))
            out.append(Span("STATE", m.start(g), m.end(g), 0.7, self.name))
        return out

    def _state_before_postcode(self, text: str) -> list[Span]:
        """A state or province code right before a ZIP or Canadian postal code, also dotted
        ("Bronx NY 10457", "Squamish, B.C. V8B 0J9", "PQ G9A 3K7"), and the city just before it
        when no comma separates them."""
        out = []
        for m in _STATE_BEFORE_POSTAL.finditer(text):
            code = m.group("st").replace(".", "")
            if not self._is_state(code):
                continue
            out.append(Span("STATE", m.start("st"), m.end("st"), 0.85, self.name))
            before = _WORDS_BEFORE.search(text, max(0, m.start() - 40), m.start())
            if before and not text[m.start() - 1 : m.start()].strip(" \t"):
                city = self._city_in(before.group(1), "") or before.group(1).split()[-1]
                if city.lower() not in _STREET_WORDS and city.lower() not in _NOT_CITY:
                    end = before.end(1)
                    out.append(Span("CITY", end - len(city), end, 0.75, self.name))
        return out

    def _city_before(self, text: str) -> list[Span]:
        """The place named right before a postal code with no state ("Duluth 55811", "Spearfish
        57783", "Burslem ST6 3LX") or before ", Country" ("Sendai, Japan", "Bamako, Mali"): a
        city, whatever its name (a surname, an ordinary word) also is."""
        from medllm.privacy.recognizers.country import country_names

        out = []
        countries, _ = country_names()
        for m in _LOWER_BEFORE_ZIP.finditer(text):  # "1180 vine st, apt 9, templeton 93465"
            street_before = _STREET_LINE_BEFORE.search(text[max(0, m.start() - 40) : m.start()])
            word = m.group(1)
            if street_before and word not in _NOT_CITY | _STREET_WORDS | _CONTACT_WORDS:
                out.append(Span("CITY", m.start(1), m.end(1), 0.7, self.name))
        for m in _CAP_RUN_BEFORE.finditer(text):
            after = text[m.end() : m.end() + 40]
            au = _AU_STATE_AFTER.match(after)
            if au:
                at = m.end()
                out.append(Span("STATE", at + au.start("st"), at + au.end("st"), 0.8, self.name))
                out.append(Span("ZIP", at + au.start("pc"), at + au.end("pc"), 0.8, self.name))
            elif _POSTAL_AFTER.match(after) or _UK_POSTCODE_AFTER.match(after):
                pass
            elif (
                after.startswith(",")
                and (c := countries.match(after.lstrip(", \t")))
                and c.group(0)[0].isupper()
            ):
                start = m.end() + len(after) - len(after.lstrip(", \t"))
                out.append(Span("COUNTRY", start, start + len(c.group(0)), 0.8, "country"))
            else:
                continue
            words = m.group(0).split()
            while words and (words[0].lower() in _NOT_CITY or words[0].lower() in _STREET_WORDS):
                words = words[1:]
            if words and words[-1].lower() not in _STREET_WORDS:
                start = m.end() - len(" ".join(words))
                out.append(Span("CITY", start, m.end(), 0.75, self.name))
        return out

    def _lower_cities(self, text: str) -> list[Span]:
        """A lower-case city after "in" / "from" / "to" / "near" or in brackets ("(issaquah)"),
        when the city's name is no ordinary word."""
        out = []
        for m in _LOWER_PLACE.finditer(text):
            place = m.group("place")
            words = place.split()
            while words and words[0] in _NOT_CITY:
                words = words[1:]
            for k in range(len(words), 0, -1):
                cand = " ".join(words[:k])
                if len(cand) >= 5 and cand in self.lex.cities and cand not in english_words():
                    start = m.start("place") + place.index(cand)
                    out.append(Span("CITY", start, start + len(cand), 0.6, self.name))
                    break
        return out

    def _is_state(self, state: str) -> bool:
        return state.lower() in self.lex.states or state.lower() in PROVINCES

    def _city_state(self, text: str) -> list[Span]:
        out = []
        for m in _STATE_AFTER_COMMA.finditer(text):
            state = m.group("state")
            dotted = state.lower() in AP_STATES and text[m.end() : m.end() + 1] == "."
            if not self._is_state(state) and not dotted:
                continue
            zip_after = _POSTAL_AFTER.match(text[m.end() : m.end() + 12]) is not None
            credential = state in ("MD", "PA", "DO") and not zip_after  # "Colin Dane, MD"
            before = _WORDS_BEFORE.search(text, max(0, m.start() - 40), m.start())
            if before is None:
                continue
            city = self._city_in(before.group(1), text[m.end() : m.end() + 12])
            if city is None and not credential:
                ahead = text[max(0, before.start(1) - 40) : before.start(1)]
                if _RESIDENCE_CUE.search(ahead) and before.group(1).split()[-1].lower() not in (
                    _STREET_WORDS | _NOT_CITY
                ):
                    city = before.group(1)
            c_start = m.start() - len(city) if city else 0
            if city is None or (credential and not self._place_not_person(text, c_start, city)):
                continue
            out.append(Span("CITY", c_start, m.start(), 0.85, self.name))
            out.append(Span("STATE", m.start("state"), m.end("state"), 0.85, self.name))
        return out

    def _place_not_person(self, text: str, start: int, city: str) -> bool:
        """For "X, MD": X is a known city and not the surname of "Jane X, MD" / "J. X, MD"."""
        if city.lower() not in self.lex.cities:
            return False
        prev = re.search(r"([A-Z][A-Za-z]*)\.?[ \t]+$", text[max(0, start - 30) : start])
        return prev is None or not (len(prev.group(1)) == 1 or self.lex.is_first(prev.group(1)))

    def _city_in(self, words: str, after: str) -> str | None:
        """The longest known city ending `words`; with a ZIP after, the last non-street words."""
        parts = words.split()
        for k in range(len(parts), 0, -1):
            cand = " ".join(parts[-k:])
            if cand.lower() in self.lex.cities:
                return words[len(words) - len(cand) :]
        if _POSTAL_AFTER.match(after) and parts[-1].lower() not in _STREET_WORDS:
            return parts[-1]
        return None

    def _known(self, words: str, offset: int) -> list[tuple[int, int, str]]:
        """Longest known city or full state name inside a run of capitalised words."""
        toks = [(m.start(), m.end()) for m in re.finditer(rf"[{UP}{LO}]+", words)]
        out: list[tuple[int, int, str]] = []
        i = 0
        while i < len(toks):
            for j in range(min(len(toks), i + 3), i, -1):
                s, e = toks[i][0], toks[j - 1][1]
                phrase = words[s:e].lower()
                kind = self._kind(phrase, j - i)
                if kind:
                    out.append((offset + s, offset + e, kind))
                    i = j - 1
                    break
            i += 1
        return out

    def _kind(self, phrase: str, n_words: int) -> str | None:
        if len(phrase) > 2 and phrase in self.lex.states:
            return "STATE"
        if phrase in self.lex.cities and (n_words > 1 or phrase not in self.lex.common):
            return None if self.lex.is_first(phrase) else "CITY"
        return None
