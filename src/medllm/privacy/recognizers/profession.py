"""Professions (an i2b2 PHI type, not a Safe Harbor identifier): the job a person holds, after the
phrases notes use for it ("works as a school bus driver", "retired machinist", "a former
librarian", "Occupation: welder"). One to three lower-case words ending in a job word."""

from __future__ import annotations

from medllm.core import Span
from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx, trie_alternation

# Job words: an agent suffix (-er, -or, -ist, -ian, -ant, -man...) or a listed head noun.
_HEADS = (
    r"nurse|teacher|clerk|chef|cook|cashier|mechanic|engineer|pilot|judge|lawyer|attorney|soldier"
    r"|officer|firefighter|paramedic|dentist|pharmacist|accountant|architect|electrician|plumber"
    r"|carpenter|janitor|custodian|farmer|rancher|miner|welder|machinist|barber|hairdresser|tailor"
    r"|secretary|receptionist|aide|assistant|technician|therapist|veterinarian|pastor|priest|rabbi"
    r"|imam|minister|professor|musician|artist|actor|actress|writer|editor|journalist|librarian"
    r"|photographer|butcher|baker|waitress|waiter|bartender|housekeeper|nanny|guard|courier"
    r"|trucker|analyst|consultant|contractor|programmer|developer|scientist|surgeon|physician"
    r"|painter|roofer|logger|fisherman|driver|manager|supervisor|salesman|saleswoman|banker"
    r"|maker|worker|operator|builder|laborer|labourer|owner|barista|aide|mariner|sailor|porter"
    # more heads that no agent suffix gives, or that a weak cue ("she's a ...") needs listed
    r"|cleaner|carer|caretaker|fitter|joiner|bricklayer|plasterer|scaffolder|tiler|mason|roofer"
    r"|midwife|doula|hygienist|optician|chiropractor|physiotherapist|radiographer|sonographer"
    r"|phlebotomist|paralegal|solicitor|barrister|lecturer|tutor|coach|dispatcher|conductor"
    r"|warden|jockey|groom|stylist|beautician|florist|jeweller|jeweler|locksmith|undertaker"
    r"|postman|postwoman|milkman|binman|fireman|policeman|policewoman|constable|detective"
    r"|sergeant|marine|airman|medic|deckhand|stevedore|longshoreman|lineman|machinist|seamstress"
    r"|housewife|homemaker|au pair|babysitter|childminder|dog walker|cabbie|chauffeur|valet"
    r"|usher|steward|stewardess|flight attendant|concierge|bookkeeper|auditor|actuary|realtor"
    r"|broker|estate agent|surveyor|planner|translator|interpreter|chaplain|deacon|missionary"
    # dev_d (2026-12-03)
    r"|roughneck|crew|principal|headteacher|headmaster|glazier|captain|skipper|auctioneer"
    r"|stenographer|guide|foreman|forewoman|superintendent|administrator|executive|director"
    r"|shepherd|trapper|harvester|packer|lobsterman|fisher|ranger|warden|clerk|organist|drummer"
    # dev_e (2026-12-07)
    r"|tool and die maker|stonemason|weaver|carrier|cutter|shearer|tech|student|dinner lady|lollipop lady|secretary|hygienist"
    r"|homemaker|attendant|stylist|hairstylist|orchardist|pipefitter|radioman|pharmacist"
    r"|CNA|cna|LPN|lpn|CPA|cpa|EMT|emt|PSW|psw|HCA|hca|LVN|lvn"
    # dev_f (2026-12-07)
    r"|postmistress|postmaster|conductress|hostess|wharfie|purser|outfitter|bolter|hauler|boner"
    # dev_h (2026-12-07)
    r"|reporter|dealer|deputy|trooper|practitioner|junior doctor|resident doctor|registrar"
)
# As a trie (`trie_alternation`): re tried the 250 words one by one at each word of a note, and
# that was most of this recognizer's time. The same matches: every pattern needs a non-word
# character (or the end) right after the job word, and no head is another head plus a word
# ("dog" / "dog walker"), so at most one head can match where the flat alternation tried them.
_HEADS = trie_alternation(_HEADS.split("|"), fold=False).replace("\\ ", r"[ \t]")
# (the patterns are VERBOSE: a literal space would be dropped)
# Job words by their ending, after a strong cue only ("works as a ... -er").
_SUFFIXED = (
    r"[a-z]{3,}(?:erer|ster|ician|ist|maker|worker|driver|keeper|smith|wright|grapher|ologist"
    r"|man|woman|hand|operator|inspector|instructor|counselor|er|or|ian|ant)"
)
_STRONG = (
    r"(?:(?i:\b(?:(?:years?|yrs|decades?|seasons?|summers?|winters?|off-season|weekends|nights)"
    r"[ \t]+as[ \t]+an?|(?:seasonal|casual|fifo|longtime|long-time|self-employed|part-time"
    r"|full-time)(?=[ \t]+[a-z]))|\b(?:works?|worked|working|employed|job|occupation|profession|trade|served)\b"
    r"(?:\s+(?:part[\s\-]time|full[\s\-]time|nights|days|weekends|shifts|casually|seasonally))?"
    r"(?:\s+(?:as|in))?(?:\s+(?:an?|the))?|\b(?:retired|former|formerly))[\s:]+|(?i:\bex-))"
)
_WEAK = (
    r"(?i:\b(?:is|was|as|i'?m|im|am|(?:he|she)'?s|works nights as|then|later|now|previously"
    r"|currently|used\s+to\s+be|became|trained\s+as)\s+(?:an?|the)|\band\s+later)"
    r"(?:\s+(?:part|full)[\s\-]time)?\s+"
)
_NOT_JOB_WORDS = (
    r"(?:the|a|an|this|his|her|their|our|my|your|its|other|another|smoker|drinker|never|ever|user|number|order|letter|member|partner|daughter"
    r"|mother|father|brother|sister|caregiver|patient|person|matter|manner|center|water|winter"
    r"|summer|paper|power|fever|liver|ulcer|cancer|tumor|tremor|error|donor|monitor|factor|sponsor"
    r"|doctor|pain|poor|good|great|little|big|bit|lot|better|worse|later|after|over|under|for|and"
    r"|with|who|that|at|in|of|on|to|from|very|much|more|less|new|old|young|heavy|light|long|short"
    r"|full|part|low|first|second|third|day|night|week|year|hospital)"
)
# a trie too (inside a negative look-ahead the order of the words does not matter)
_NOT_JOB = r"(?!" + trie_alternation(_NOT_JOB_WORDS[3:-1].split("|"), fold=False) + r"(?![\w\-]))"
# words before the job word: lower case, an acronym, a capitalised name ("Royal Mail delivery
# driver", "Broward Sheriff's deputy"), a number ("9-1-1 dispatcher"); up to four
_PRE = (
    r"(?:"
    + _NOT_JOB
    + r"(?:[a-z]+(?:'s)?|[A-Z]{2,4}|(?<=[ \t])[A-Z][a-z]+(?:'s)?|\d[\d\-]*(?<=\d))[ \t\-]){0,4}"
    + _NOT_JOB
)


# A job word alone (one head noun or suffixed word), for the employer after it (hospital.py)
JOB_WORD = (
    r"(?<![\w\-])(?:"
    + _HEADS
    + r"|[a-z]{3,}(?:erer|ician|ist|maker|worker|keeper|smith|wright|ologist))"
)

_JOB = (
    r"(?P<phi>"
    + _PRE
    + r"(?:"
    + _HEADS
    + r"|[a-z]{3,}(?:erer|ician|ist|maker|worker|keeper|smith|wright|ologist)))"
)


# what follows a job at its employer, or "by trade" (zero-width)
_AT_EMPLOYER = r"(?=\s+(?:at|for)\s+(?:the\s+)?[A-Z]|,?[ \t]+\(?employer\b)"
_BY_TRADE = r"(?=\s+by\s+(?:trade|profession)\b)"

# a second job joined to one found: "welder and part-time cattle hauler", "outfitter and packer"
_AND_JOB = rx(
    r"[ \t]+(?:and|&|/)[ \t]+(?:(?:part-time|casual|seasonal|commercial)[ \t]+)?(?P<phi>"
    + _PRE
    + r"(?:"
    + _HEADS
    + r"|"
    + _SUFFIXED
    + r"))\b"
)


class ProfessionRecognizer(PatternRecognizer):
    name = "profession"
    kinds = ("PROFESSION",)
    patterns = (
        Pattern(
            "PROFESSION",
            rx(_STRONG + r"(?P<phi>" + _PRE + r"(?:" + _HEADS + r"|" + _SUFFIXED + r"))\b"),
            0.6,
        ),
        Pattern(
            "PROFESSION",
            rx(
                _WEAK
                + r"(?P<phi>"
                + _PRE
                + r"(?:"
                + _HEADS
                + r"|[a-z]{3,}(?:erer|ician|ist|maker|worker|keeper|smith|wright|ologist)))\b"
            ),
            0.55,
        ),
        # "this 35-year-old commercial fisherman with ...", "54 yo retired welder presenting"
        Pattern(
            "PROFESSION",
            rx(
                r"(?i:\b\d{1,3}[\s\-]?(?:-?year-old|years?[ \t]old|y/?o|yo)\s+(?:male\s+|female\s+|man\s+|woman\s+)?)"
                + _JOB
                + r"(?=\s+(?:with|who|presenting|presents|complaining|c/o|here|seen|referred|in|and"
                r"|at|from|for|on|employed|working|works|living|lives|whose)\b|\s*[,;.(])"
            ),
            0.6,
        ),
        # "58f, hairdresser", "69M ferry captain": a job after an age and sex code
        Pattern(
            "PROFESSION",
            rx(r"(?<![\w])\d{1,3}[ \t]?[MFmf],?[ \t]+" + _JOB + r"(?=[ \t]*[,;.)]|[ \t]+[a-z])"),
            0.55,
        ),
        # "Her son Giles, a tram driver in Manchester," / "58, a retired taxi driver originally
        # from": a job in apposition
        Pattern(
            "PROFESSION",
            rx(
                r"[,(][ \t]*an?[ \t]+(?:retired[ \t]+|former[ \t]+)?"
                + _JOB
                + r"(?=[ \t]*[,;.)]|[ \t]+(?:in|at|on|from|with|who|originally|for|and)\b)"
            ),
            0.55,
        ),
        # "(cabinet maker at Holloway Millwork)": a job at a named employer
        Pattern(
            "PROFESSION",
            rx(r"(?<![\w\-])" + _JOB + _AT_EMPLOYER),
            0.55,
            ends=rx(_AT_EMPLOYER),  # a job holds no line break: tried on lines with these only
        ),
        # "a welder by trade", "an electrician by profession"
        Pattern(
            "PROFESSION",
            rx(r"(?<![\w\-])" + _JOB + _BY_TRADE),
            0.6,
            ends=rx(_BY_TRADE),
        ),
        # a table cell or a bracket holding just the job: "| roofer, uninsured |",
        # "(software engineer, Nirmiti Softech)"
        Pattern(
            "PROFESSION",
            rx(r"[|(][ \t]*(?:retired[ \t]+|ex-)?" + _JOB + r"(?=[ \t]*[,;|)])"),
            0.55,
        ),
        # a labelled field: "Occupation: Homemaker"
        Pattern(
            "PROFESSION",
            rx(
                r"(?i:\b(?:occupation|profession|employment|job[ \t]+title)[ \t]*:[ \t]*)"
                r"(?!(?i:none|n/?a|unemployed|unknown|not[ \t]+\w+|retired|disabled)\b)"
                r"(?P<phi>[A-Za-z][a-z]+(?:[ \t\-][a-z]+){0,3})(?=[ \t]*(?:$|[,;.(|\n]))"
            ),
            0.6,
        ),
    )

    def analyze(self, text: str) -> list[Span]:
        spans = super().analyze(text)
        for s in list(spans):
            m = _AND_JOB.match(text, s.end)
            if m:
                spans.append(Span("PROFESSION", m.start("phi"), m.end("phi"), 0.55, self.name))
        return spans
