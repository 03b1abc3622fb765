"""Street addresses: "1234 N. Elm Street, Apt 5", "77 5th Ave", "PO Box 123", "12-410 Centennial
Drive", "885 Tamarack Street West", "61 cedar hollow ln", "County Road 19", "rural route 3 box
118"; a street named without a number after a preposition ("on birchwood ave", "off Elm St"); a
unit on its own ("unit 4", "apt 12B"); UK street lines ("14 Fenwick Crescent", "3 Cobden Row")."""

from __future__ import annotations

import re

from medllm.core import Span
from medllm.privacy.recognizers.base import LO, UP, Pattern, PatternRecognizer, rx

SUFFIXES = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter"
    r"|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Row|Path|Pike|Plaza|Alley|Loop|Crescent"
    r"|Close|Mews|Gardens|Grove|Rise|Walk|Green|Hill|Wynd|Parade|Cres|Gdns|Concourse|Esplanade|Quay"
    r"|Wharf|Embankment|Causeway|Promenade|Broadway|Pde|Brae|Hwy|Ave|Cct|Crt|Gr"
    r"|Lawn|Heath|Expy|Expressway|Singel|Freeway|Fwy|Turnpike|Tpke|Point|Vale|View|Heights"
    r"|Croft|Chase|Fold|Meadows"
)
# Lower-case suffixes (patient messages): not "dr" ("doctor") nor words like "place", "way".
_LOWER_SUFFIXES = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|parkway|pkwy|highway|hwy|ct|cir|crescent"
)
_WORD = r"(?:[A-Z][a-z]+|[A-Z]{2,}|\d{1,3}(?:st|nd|rd|th))"
# Lower-case street words: not function words, units or times ("2 on the way", "5 mg st").
_LWORD = (
    r"(?!(?:the|a|an|on|in|of|to|by|at|and|or|for|per|with|my|your|his|her|our|their|this|that"
    r"|same|other|wrong|right|left|whole|long|short|all|each|every|one|two|three|mg|mcg|ml|units?"
    r"|tabs?|times?|days?|weeks?|hours?|mins?|way|po|prn|bid|tid|qid|qd|daily|am|pm)\b)[a-z]{3,}"
)
_DIR = r"(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)"
_FRENCH_WORD = rf"[{UP}][{LO}]+(?:-[{UP}][{LO}]+)*|\d{{1,3}}(?:e|er|re)"
# The unit word must end there and its number be a whole word: ", Flatbush" is a city, not
# floor "atbush". Spaces, not newlines: a street never runs across lines ("8, 2017\n\nDear Dr.").
_UNIT = (
    r"(?:[ \t]*,?[ \t]+(?:(?:Apt|Apartment|Suite|Ste|Unit|Room|Rm|Fl|Floor|Flat|Bldg|Building)\b\.?|\#)"
    r"[ \t]*\#?[ \t]*[A-Za-z0-9\-]{1,6}\b|,[ \t]+\d{1,2}(?:st|nd|rd|th)[ \t]+Floor\b)?"
)
_AFTER_DIR = r"(?:[ \t]+" + _DIR + r"\b(?![ \t]+[a-z]))?"
# also a unit/number ("4/18 Banksia Pde", Australian) and a grid prefix ("N4410 County Rd")
_NUM = (
    # "Flat 6, Larkhill Court, ", "Shop 3, ", "Level 4, ", "2/1, ", "#210 - " before the number
    r"(?:(?<![\w])(?:(?:Flat|Unit|Shop|Level|Suite|Ste|Apt|Lot|Bldg)[ \t]+[A-Za-z0-9\-]{1,5},?[ \t]+"
    r"(?:(?:[A-Z][a-z]+[ \t]+){1,3}(?:Court|House|Apartments|Mansions|Towers|Heights|Lodge|Place),[ \t]+)?"
    r"|\d{1,2}/\d{1,2},[ \t]+|\#\d{1,5}[ \t]*-[ \t]*|Lot[ \t]+))?"
    r"(?<![\w/.\-])(?:\d{1,5}/|[NSEW](?=\d{3}))?\d{1,6}[A-Za-z]?(?:-\d{1,6})?[ \t]+"
)


_ABBR_STATES = (
    r"(?:Qld|Vic|Tas|Ont|Que|Alta|Sask|Man|Wash|Ore|Calif|Tex|Fla|Mass|Mich|Minn|Penn|Tenn)"
)
# The town after a street line, with the state or province and the postcode that may follow:
# "17 Bosbok Singel, Durbanville, 7550", "5571 Glen Erin Dr, Mississauga Ont. L5M 6V3",
# "Main Street West, Ballincollig, Co. Cork P31 KX28", "Unit 4/17 Banksia St, Auchenflower Qld 4066"
_TOWN_AFTER = re.compile(
    rf"[ \t]*(?:,[ \t]*|(?P<nl>\n)[ \t]*)(?P<city>(?:(?:St|Mt|Ft)\.?[ \t])?[{UP}][{LO}'’]+"
    rf"(?:[ \-](?!{_ABBR_STATES}\b)[{UP}][{LO}'’]+){{0,2}})"
    r"(?:,?[ \t]+(?:Co\.[ \t]+[A-Z][a-z]+|(?P<state>[A-Z]{2,3}|[A-Z]\.[A-Z]\.|"
    + _ABBR_STATES
    + r"\.?)))?"
    r"(?:,?[ \t]+(?:-[ \t]+)?(?P<zip>\d{4,6}(?:-\d{4})?|[A-Z]\d{2}[ \t]?[A-Z0-9]{4}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d"
    r"|[A-Z]{1,2}\d[A-Z\d]?[ \t]\d[A-Z]{2}))?(?![\w])"
)
_NOT_TOWN_TEXT = (
    "apt apartment suite ste unit flat level floor room rm bldg building tel ph phone fax mob"
    " mobile email dear re dob mrn and or the"
)
_NOT_TOWN = frozenset(_NOT_TOWN_TEXT.split())


class AddressRecognizer(PatternRecognizer):
    name = "address"
    kinds = ("STREET", "CITY", "STATE", "ZIP")
    patterns = (
        Pattern(
            "STREET",
            rx(
                _NUM
                + r"(?:"
                + _DIR
                + r"\.?[ \t]+)?"
                + r"(?:"
                + _WORD
                + r"[ \t]+){0,3}"
                + _WORD
                + r"[ \t]+(?:"
                + SUFFIXES
                + r"|"
                + SUFFIXES.upper()
                + r")\b\.?"
                + _AFTER_DIR
                + _UNIT
            ),
            0.9,
        ),
        Pattern(
            "STREET",
            rx(
                _NUM
                + r"(?:[nsew]\.?[ \t]+)?(?:"
                + _LWORD
                + r"[ \t]+){0,2}"
                + _LWORD
                + r"[ \t]+(?:"
                + _LOWER_SUFFIXES
                + r")\b\.?"
            ),
            0.8,
        ),
        Pattern(
            "STREET",
            rx(
                r"(?:(?<![\w/.\-])\d{1,6}[ \t]+)?(?i:\b(?:county|state|us|u\.s\.|farm[ \t\-]to[ \t\-]market)"
                r"[ \t]+(?:road|rd|route|rte|highway|hwy))[ \t]+\d{1,4}[A-Za-z]?\b"
            ),
            0.85,
        ),
        Pattern(
            "STREET",
            rx(
                r"(?i:\b(?:rural[ \t]+route|rfd|star[ \t]+route)[ \t]*\#?[ \t]*\d{1,4}"
                r"(?:,?[ \t]+box[ \t]+\d{1,6})?)\b"
                r"|\b(?i:RR|R\.R\.|HC|RD|Rt\.|Rte\.?)[ \t]*\#?[ \t]*\d{1,4}(?:,?[ \t]+(?i:box|site|comp)[ \t]+\d{1,6}"
                r"(?:-?[A-Z])?){1,3}\b|(?<=,[ ])(?i:rd)[ \t]\d{1,2}(?=[ \t]*,)"
                # a Texas farm-to-market road between commas: ", FM 2061, Pharr"
                r"|(?<=,[ ])(?:FM|RM|CR|SH)[ \t]\d{2,4}(?=[ \t]*,)"
                # dev_i (2026-12-07): "lives on CR 250 outside Bayfield"
                r"|(?<=\bon[ ])(?:FM|RM|CR|SR)[ \t]\d{1,4}\b"
            ),
            0.85,
        ),
        Pattern(
            "STREET",
            rx(
                r"(?i:\b(?:on|at|near|off|by|to|from|onto|along|behind|across)[ \t\n]+)(?P<phi>"
                r"(?:"
                + _WORD
                + r"[ \t]+){1,2}(?:"
                + SUFFIXES
                + r")\b\.?"
                + _AFTER_DIR
                + r"|(?:[nsew]\.?[ \t]+)?(?:(?:"
                + _LWORD
                + r"|\d{1,3}(?:st|nd|rd|th))[ \t]+){1,2}(?:"
                + _LOWER_SUFFIXES
                + r")\b\.?)"
            ),
            0.75,
        ),
        Pattern(
            "STREET",
            rx(
                r"(?i:\b(?:apt|apartment|unit|suite|ste|flat)\b\.?[ \t]*\#?[ \t]*)"
                r"(?:\d{1,5}[A-Za-z]?|[A-Za-z]\d{1,4})\b(?![ \t]*(?i:of|x|units?|mg|ml|west|east|north|south)\b)"
            ),
            0.7,
        ),
        Pattern(
            "STREET", rx(r"(?i:\b(?:P\.?\s?O\.?\s+Box|Post\s+Office\s+Box)\s+\d{1,6})\b"), 0.95
        ),
        # A street named without a number at the start of an address line or after a comma,
        # then a town: "Wellington Road, Durbanville", "Main Street West, Ballincollig"
        Pattern(
            "STREET",
            rx(
                r"(?m:(?:^|(?<=,[ ])|(?<=:[ ])|(?<=:[ ][ ]))(?:"
                + _DIR
                + r"\.?[ \t]+)?(?:"
                + _WORD
                + r"[ \t]+){1,3}(?:"
                + SUFFIXES
                + r")\b\.?"
                + _AFTER_DIR
                + r")(?=[ \t]*,[ \t]*[A-Z])"
            ),
            0.75,
        ),
        # Two streets of a crossing: "Lawrenceville Hwy and Brockett Rd", "Central St & Market St"
        Pattern(
            "STREET",
            rx(
                r"(?<![\w])(?:[NSEW]\.?[ \t]+)?(?:"
                + _WORD
                + r"[ \t]+){1,2}(?:"
                + SUFFIXES
                + r")\b\.?[ \t]+(?:and|&)[ \t]+(?:[NSEW]\.?[ \t]+)?(?:"
                + _WORD
                + r"[ \t]+){1,2}(?:"
                + SUFFIXES
                + r")\b\.?"
            ),
            0.75,
        ),
        # A highway by its number: "off Hwy 180", "Route 9W"
        Pattern("STREET", rx(r"\b(?:Hwy|Highway|Rte|Route|SR)[ \t\-]?\d{1,4}[A-Z]?\b"), 0.7),
        # Indian address lines: "No. 41, Greenways Road", "Door No. 12/4, Krishnaswamy Street",
        # "Survey No. 44/2, Paud Road", "No. 14, 2nd Cross, 5th Main"
        Pattern(
            "STREET",
            rx(
                r"(?:(?<![\w])(?:(?:Door|Survey|Plot|House|Flat|Shop)[ \t]+(?:No\.?)?|No\.?)|(?<![\w\#])\#)"
                r"[ \t]*[A-Za-z0-9/\-]{1,8},[ \t]+"
                r"(?:(?:[A-Z][a-z]+|\d{1,2}(?:st|nd|rd|th)(?:[ \t][A-Z])?)[ \t]+){1,3}"
                r"(?:Road|Street|Cross|Main|Lane|Nagar|Salai|Marg|Rd|St)\b\.?"
                r"(?:,[ \t]+(?:\d{1,2}(?:st|nd|rd|th)[ \t]+)?(?:[A-Z][a-z]+[ \t]+){0,2}(?:Main|Cross)\b)?"
            ),
            0.8,
        ),
        # Spanish street lines (US Southwest, Latin America): "17 Calle Las Golondrinas"
        Pattern(
            "STREET",
            rx(
                _NUM
                + r"(?:Calle|Avenida|Camino|Carrera|Paseo|Callejon|Rua)"
                + r"(?:[ ](?:de|del|la|las|los|el)){0,2}(?:[ ][A-Z][a-z]+){1,3}"
            ),
            0.85,
        ),
        # an Irish county ("Ballyhaunis, Co. Mayo") and an Eircode ("F45 KD82": a routing key, then
        # four letters and digits with at least one of each)
        Pattern(
            "STATE",
            rx(r"(?<![\w&][ ])(?<![\w])Co\.[ \t]+(?P<phi>(?!Ltd|Inc|Limited)[A-Z][a-z]{2,})"),
            0.7,
        ),
        Pattern(
            "ZIP",
            rx(
                r"(?<![\w])[AC-FHKNPRTV-Y]\d[0-9W][ \t](?=[A-Z0-9]{4}(?![\w]))(?=[A-Z]*\d)(?=\d*[A-Z])[A-Z0-9]{4}"
            ),
            0.7,
        ),
        # UK streets named "-gate" ("112 Westgate", "4 Kirkgate")
        Pattern("STREET", rx(_NUM + r"[A-Z][a-z]{2,}gate\b"), 0.8),
        # French street lines (Quebec, New Brunswick, France): "410 rue de l'Église",
        # "1450 boul. Saint-Laurent Ouest", "22 chemin du Lac"
        Pattern(
            "STREET",
            rx(
                r"(?:"
                + _NUM
                + r"|(?<![\w/.\-])\d{1,6},[ \t]+)(?:\d{1,3}e[ \t]+)?"
                + r"(?i:rue|av\.?|avenue|boul\.?|boulevard|bd|chemin|ch\.|rang|route|côte|montée"
                r"|promenade|allée|impasse|place)"
                r"(?:(?:[ ](?:de|du|des|la|le|et))*[ ](?:l['’]|d['’])?" + _FRENCH_WORD + r"){1,4}"
                r"(?:[ ](?:Est|Ouest|Nord|Sud))?"
            ),
            0.85,
        ),
        # dev_i (2026-12-07): a French street without a number, after "on" / "at":
        # "lives alone on chemin du Lac-Lovering", "the Pharmaprix on rue Principale"
        Pattern(
            "STREET",
            rx(
                r"(?i:\b(?:on|at|near|off|along)[ \t\n]+)(?P<phi>(?i:rue|chemin|boul\.?|boulevard|rang"
                r"|montée)(?:(?:[ ](?:de|du|des|la|le))*[ ](?:l['’]|d['’])?"
                + _FRENCH_WORD
                + r"){1,4})"
            ),
            0.75,
        ),
    )

    def analyze(self, text: str) -> list[Span]:
        # A unit or a route found on its own inside a longer street line is that line's.
        spans = super().analyze(text)
        streets = [
            s
            for s in spans
            if not any(
                o is not s
                and o.start <= s.start
                and s.end <= o.end
                and (o.end - o.start) > (s.end - s.start)
                for o in spans
            )
        ]
        return streets + [t for s in streets for t in self._town_after(text, s.end)]

    def _town_after(self, text: str, end: int) -> list[Span]:
        m = _TOWN_AFTER.match(text, end)
        if m is None or m.group("city").split()[0].lower() in _NOT_TOWN:
            return []
        if m.group("nl") and not (m.group("state") or m.group("zip")):
            return []  # a capitalised word on the next line is a town only with a code after it
        out = [Span("CITY", m.start("city"), m.end("city"), 0.7, self.name)]
        for g, kind in (("state", "STATE"), ("zip", "ZIP")):
            if m.group(g):
                out.append(Span(kind, m.start(g), m.end(g), 0.7, self.name))
        return out
