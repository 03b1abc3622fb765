"""Professions (an i2b2 PHI type, not a Safe Harbor identifier): the job a person holds, after the
phrases notes use for it ("works as a school bus driver", "retired machinist", "a former
librarian", "Occupation: welder"). One to three lower-case words ending in a job word."""

from __future__ import annotations

from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx

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
)
# Job words by their ending, after a strong cue only ("works as a ... -er").
_SUFFIXED = (
    r"[a-z]{3,}(?:erer|ster|ician|ist|maker|worker|driver|keeper|smith|wright|grapher|ologist"
    r"|man|woman|hand|operator|inspector|instructor|counselor|er|or|ian|ant)"
)
_STRONG = (
    r"(?i:\b(?:works?|worked|working|employed|job|occupation|profession|trade)\b"
    r"(?:\s+(?:as|in))?(?:\s+(?:an?|the))?|\b(?:retired|former|formerly))[\s:]+"
)
_WEAK = r"(?i:\b(?:is|was|as)\s+(?:an?|the))\s+"
_NOT_JOB = (
    r"(?!(?:other|another|smoker|drinker|never|ever|user|number|order|letter|member|partner|daughter"
    r"|mother|father|brother|sister|caregiver|patient|person|matter|manner|center|water|dinner|winter"
    r"|summer|paper|power|fever|liver|ulcer|cancer|tumor|tremor|error|donor|monitor|factor|sponsor"
    r"|doctor|pain|poor|good|great|little|big|bit|lot|better|worse|later|after|over|under|for|and"
    r"|with|who|that|at|in|of|on|to|from|very|much|more|less|new|old|young|heavy|light|long|short"
    r"|full|part|high|low|first|second|third|day|night|week|year|hospital|nursing|home)\b)"
)
_PRE = r"(?:" + _NOT_JOB + r"[a-z]+[ \t\-]){0,2}?" + _NOT_JOB


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
    )
