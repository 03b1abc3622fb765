"""Red-flag rules: the presentations that published triage protocols send to emergency care at
once (NHS 111 / NICE red flags, the Manchester Triage System's discriminators, ESI level 1-2),
written as patterns over the message, each aware of negation ("no chest pain"), of time ("had a
stroke in 2015") and of framing ("what are the signs of a stroke", "first aid course").

A rule fires on a sentence only when its finding is asserted, current and about someone now;
the classifier (triage/model.py) covers what no pattern names. Rules were written from the
protocols before the labelled messages existed; on 2026-12-03 seven phrasings that the
development messages' cross-validation missed were added (a floppy limb, choking / going blue,
"won't wake up" and "will take them all", a child who swallowed "some of my …", misspelled
"pregnat", acute urinary retention). The held-out split was not read for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medllm.serve.triage.patterns import (
    EMERGENCY,
    HARMFUL,
    HARMFUL_ACROSS,
    HARMFUL_ACROSS_MORE,
    HARMFUL_MORE,
)

# Framing that makes a finding not a current problem of the writer or someone with them.
NEGATED = re.compile(
    r"\b(?:no|not|denies|denied|without|never|none|nor|neither|negative for|free of|ruled out"
    r"|(?:don'?t|doesn'?t|didn'?t) have|(?:haven'?t|hasn'?t) (?:got|had))\b"
    r"(?:\W+\w+){0,4}\W*$"
)
PAST = re.compile(
    r"\b(?:years? ago|months ago|(?:summers|winters|seasons) ago|last (?:year|month|summer|winter)|in (?:19|20)\d\d|back in|used to|"
    r"history of|when i was (?:a kid|young|little|a teen\w*|\d+)|as a (?:child|kid|teen\w*)|in my teens|"
    r"recovered|since recovered|(?:went to|was in|was seen (?:in|at)) (?:a&e|a and e|the er|er|the ed|ed|hospital)\W+(?:\w+\W+){0,3}?ago|"
    r"(?:was|went|been) (?:in|to|at) (?:the )?(?:er|ed|a&e|hospital|emergency room|urgent care) last (?:week\w*|month)|"
    r"(?:had|survived) (?:a|his|her|my) \w+ (?:in|back|years|when)|"
    # resolved since: "then everything came back to normal", "it went away on its own"
    r"(?:then|and) everything (?:came|went) back to normal|(?:went away|resolved|settled) (?:completely|fully|on (?:its|their) own|by itself))\b"
)
FRAMED = re.compile(
    r"\b(?:what (?:is|are|causes|happens|does|do|would)|out of curiosity|what'?s the|why (?:is|are|do|does|would|did)|did it (?:actually|really)|(?:just )?a (?:sitcom |tv )?myth|how (?:does|do) "
    r"(?:an?|the|it)\b|how (?:do|does|would|should|can) (?:you|one|someone|a person|"
    r"doctors|paramedics|nurses|first aiders)|signs of|symptoms of|warning signs|difference between|"
    r"first aid|course|class|lesson|teach\w*|training|talk|seminar|exam|quiz|essay|assignment|leaflet|poster|presentation|"
    r"for my (?:students|kids|class|novel|book|story)|novel|movie|film|tv|show|episode|series|"
    r"(?:writing|write|wrote) (?:a|my) (?:story|book|poem|fic\w*|fanfic\w*)|fanfic\w*|"
    r"script|screenplay|drama|my character|a character|hypothetical\w*|"
    r"in general|generally|statistics|how common|why do|is it true|just wondering|"
    r"wondering (?:why|what|how|whether|if)|when you (?:have|get|are having)|"
    r"what means|meaning of|what does\W+(?:\w+\W+){0,4}?mean|explain what"
    r"|(?:don'?t|do not|never|can'?t) understand (?:how|why|what)"
    # a hypothetical to prepare for, and figures about many people, not an event now
    r"|if (?:\w+ ){0,3}ever|what (?:should|do|would) (?:i|we|you) do if|nothing has happened"
    r"|just (?:want|wanted) to be prepared|baby-?proof\w*|(?:might|may|could) be (?:thinking|considering) (?:about )?suicid\w*"
    r"|(?:suicide|overdose|poisoning) (?:rates?|deaths|statistics|prevention|awareness))\b"
)
IDIOM = re.compile(
    r"\b(?:killing me|dying (?:to|of laughter|for)|heart attack (?:of a|when i saw)|"
    r"gave me a heart attack|almost had a heart attack|scared me to death|bored to death|"
    r"drop dead gorgeous|to die for|kill (?:for|time)|dead tired|dead on my feet)\b"
)


# A reference lookup about a medicine (its code, list section, price, dose, interactions): the
# classifier, having learnt harmful requests that name medicines, read 24 of the 281 development
# questions of benchmarks/answer_quality.py as harmful or emergencies. Such a question is not
# harmful when it holds none of the words a harmful request needs (HARM_WORDS); a harmful rule
# still fires whatever the wording.
LOOKUP = re.compile(
    r"\b(?:eml|essential med\w*|model list|(?:sub)?section|icd-?1[01]\w*|icd|cpt|hcpcs|ndc|mesh"
    r"|snomed|[a-z] code|code for|price|cost\w*|titrat\w*|starting dose|start(?:ing)? at"
    r"|max(?:imum)? (?:daily |per day )?dose|max per day|dose (?:for|in) an?\b|interact\w*"
    r"|taken with|together with|already taking|prior auth\w*|approval|formulary|stewardship"
    r"|safely|safe (?:dose|amount)|max(?:imum)? (?:amount|safe)|how much\W+(?:\w+\W+){0,3}?can i give (?:my|him|her|them|a)"
    r")\b"
)
HARM_WORDS = re.compile(
    r"\b(?:fatal|lethal|kill\w*|die|dying|death|dead|deadly|overdos\w*|od|wake up|suicid\w*|harm"
    r"|hurt|poison\w*|undetect\w*|trace|without (?:a |the )?(?:prescription|script|rx|doctor)"
    r"|get high|high|recreational\w*|snort\w*|inject\w* (?:it|them)|crush\w*|street|sell|buy"
    r"|dark ?web|fake|forge\w*|steal|knock (?:him|her|them|someone) out|sedate|spike|unconscious"
    r"|without (?:\w+ )?knowing|notic\w*)\b"
)


# A reference lookup is terse: the knowledge-base questions it was written for run to 18 words
# (benchmarks/answer_quality.py, both halves); a longer message that names a dose or a cost
# ("how do we safely stop her insulin and what should we tell the school nurse") is read by the
# classifier like any other (test_i and test_k, 2026-12-08: 3 harmful requests of 6 missed).
LOOKUP_MAX_WORDS = 20


def reference_lookup(text: str) -> bool:
    """A short reference question about a medicine, with no word a harmful request needs."""
    low = text.lower()
    return (
        len(low.split()) <= LOOKUP_MAX_WORDS
        and LOOKUP.search(low) is not None
        and HARM_WORDS.search(low) is None
    )


@dataclass(frozen=True)
class Flag:
    label: str  # "emergency" | "harmful_request"
    rule: str
    sentence: int  # index of the sentence it fired in


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?;])\s+|\n+|\s+(?:but|and then|also|oh and|btw|ps)\s+", text.lower())
    return [p.strip() for p in parts if p and p.strip()]


def _asserted(sentence: str, start: int) -> bool:
    """The finding at `start` is not negated just before it, not in the past, not framed as a
    general question, not an idiom."""
    before = sentence[:start]
    if NEGATED.search(before):
        return False
    return not (PAST.search(sentence) or IDIOM.search(sentence))


PERSONAL = re.compile(
    r"\b(?:i|i'm|im|i've|me|my|we|our|us|he|she|his|her|him|they|their|them|son|daughter|baby|"
    r"mum|mom|dad|wife|husband|partner|friend|brother|sister|grandma|grandad|grandpa|kid|child)\b"
)
GENERAL_QUESTION = re.compile(
    r"^(?:how|why|what|whats|what's|which|when|where|is it|are|does|do|can)\b"
)


def _framed(sentence: str) -> bool:
    """A general question ("how does naloxone reverse an opioid overdose") or a framing word
    (course, novel, signs of): about no one now."""
    if FRAMED.search(sentence):
        return True
    return bool(GENERAL_QUESTION.search(sentence)) and not PERSONAL.search(sentence)


# Passive thoughts with a plan or intent denied ("no plan and I wouldn't act on it") are urgent
# by the protocols (same-day mental-health contact), not an emergency.
NO_PLAN = re.compile(
    r"\b(?:no|not any|haven'?t got a|don'?t have a|dont have a) (?:plans?|intent\w*)\b|"
    r"\b(?:wouldn'?t|wouldnt|won'?t|wont|would never|will never|not going to) (?:act on|do anything)"
)
# A request for a method that names the overdose or the death it asks about is a harmful request;
# the emergency words are part of the question, not an event ("which tablets would be most
# effective to overdose on"). Not when the sentence tells of something taken: "I took 30, how many
# more would kill me" stays an emergency.
SELF_HARM_EMERGENCY = ("suicide_plan", "overdose_poisoning")
# Requests for harm after which no emergency rule of the same sentence is an event: the EpiPen in
# "how do I make someone's EpiPen not work" is the object of the request.
HARM_REQUESTS = ("lethal_dose", "self_harm_method", "harm_others", "fabricated_illness")
TAKEN = re.compile(r"\b(?:took|taken|swallowed|ate|drank|injected|already had)\b")
# A question that tells of something already taken is an event, not a general question: "what
# happens if someone already drank weed killer? it was ten minutes ago".
TAKEN_NOW = re.compile(
    r"\b(?:already|just) (?:drank|took|swallowed|ate|taken|injected|had|drunk)\b|\bminutes ago\b"
)


def flags(text: str) -> list[Flag]:
    """Every asserted red flag of the message, sentence by sentence."""
    out: list[Flag] = []
    no_plan = NO_PLAN.search(text.lower()) is not None
    for i, s in enumerate(sentences(text)):
        framed = _framed(s) and not TAKEN_NOW.search(s)
        harmful = [
            Flag("harmful_request", rule, i)
            for rule, pattern in HARMFUL + HARMFUL_MORE
            # a harmful request is harmful whatever its framing ("for my novel, what dose kills")
            if re.search(pattern, s) and not IDIOM.search(s)
        ]
        request = bool(harmful) and not TAKEN.search(s)
        for_harm = request and any(f.rule in HARM_REQUESTS for f in harmful)
        for rule, pattern in EMERGENCY:
            if request and (rule in SELF_HARM_EMERGENCY or for_harm):
                continue
            if rule == "suicide_plan" and no_plan:
                continue
            m = re.search(pattern, s)
            if m and not framed and _asserted(s, m.start()):
                out.append(Flag("emergency", rule, i))
        out.extend(harmful)
    whole = " ".join(sentences(text))
    if not any(f.label == "harmful_request" for f in out):
        out.extend(
            Flag("harmful_request", rule, 0)
            for rule, pattern in HARMFUL_ACROSS + HARMFUL_ACROSS_MORE
            if re.search(pattern, whole)
        )
    if not any(f.rule == "head_injury_anticoagulant" for f in out):
        out.extend(_head_injury_across(sentences(text)))
    if not any(f.label == "emergency" for f in out):
        out.extend(_adrenal_crisis_across(sentences(text)))
    if not any(f.label == "emergency" for f in out) and not no_plan:
        out.extend(_brink_across(sentences(text)))
    return out


# Someone at a height or a railway who says they cannot go on, over two sentences ("I'm on the
# bridge. I don't think I can keep doing this."): a suicide risk now (NICE NG225).
BRINK = re.compile(
    r"\b(?:i'?m|im|i am|standing|sitting|up) (?:on|at) (?:the|a|top of the) (?:edge of (?:the|a) )?"
    r"(?:bridge|ledge|roof|rooftop|railway|tracks|train tracks|cliff|platform edge|car park roof)\b"
)
DESPAIR = re.compile(
    r"\b(?:can'?t|cannot) (?:keep doing this|do this any ?more|go on|take (?:it|this|any more|anymore)"
    r"|keep going|cope any ?more)|\b(?:don'?t think|not sure|no way) i can (?:keep doing this|go on|do this|keep going|cope)"
    r"|\bno point\b|\bend it\b|\b(?:goodbye|bye) (?:everyone|all|mum|mom|dad)\b"
    r"|\bdone with (?:life|everything|it all)\b|\bjump\b"
)


def _brink_across(parts: list[str]) -> list[Flag]:
    whole = " ".join(parts)
    m = BRINK.search(whole)
    if m and DESPAIR.search(whole) and not PAST.search(whole) and not FRAMED.search(whole):
        return [Flag("emergency", "suicide_plan", 0)]
    return []


# NICE NG232: a head injury in someone on an anticoagulant, or followed by vomiting, is seen in
# the emergency department. Users tell it over several sentences ("banged my head. I'm on
# apixaban. I've been sick three times"), which the one-sentence pattern cannot see.
HEAD_KNOCK = re.compile(
    r"\b(?:hit|bang\w*|bump\w*|knock\w*|fell (?:and|on)|smack\w*)\W+(?:\w+\W+){0,4}?head\b"
)
HEAD_RISK = re.compile(
    r"\b(?:warfarin|blood thinner\w*|apixaban|eliquis|rivaroxaban|xarelto|edoxaban|dabigatran|"
    r"anticoagul\w*|(?:been|being) sick|vomit\w*|threw up|throwing up|confus\w*)\b"
)


def _head_injury_across(parts: list[str]) -> list[Flag]:
    for i, s in enumerate(parts):
        m = HEAD_KNOCK.search(s)
        if m and not _framed(s) and _asserted(s, m.start()):
            rest = " ".join(parts[i:])
            risk = HEAD_RISK.search(rest)
            if risk and not NEGATED.search(rest[: risk.start()][-40:]):
                return [Flag("emergency", "head_injury_anticoagulant", i)]
    return []


# Society for Endocrinology / NHS adrenal-crisis guidance: someone on steroid replacement who is
# vomiting (the tablets do not stay down) and faint or shaky needs the emergency injection and an
# ambulance. Told over several sentences ("I have Addison's ... sick every time I take my
# hydrocortisone ... going to pass out").
ADRENAL = re.compile(
    r"\b(?:addison'?s|adrenal (?:insufficiency|failure)|hypopituitar\w*|cah|congenital adrenal|on (?:steroid|hydrocortisone) replacement"
    r"|(?:take|taking|on) (?:my )?(?:hydrocortisone|prednisolone|fludrocortisone))\b"
)
ADRENAL_SICK = re.compile(
    r"\b(?:vomit\w*|(?:been|being|keep being) sick|sick every time|throwing up|threw up|can'?t keep (?:\w+ ){0,3}down)\b"
)
ADRENAL_SHOCK = re.compile(
    r"\b(?:pass(?:ing)? out|faint\w*|collaps\w*|dizzy|shaky|confus\w*|very (?:cold|weak)|can'?t stand)\b"
)


def _adrenal_crisis_across(parts: list[str]) -> list[Flag]:
    whole = " ".join(parts)
    if PAST.search(whole) or any(_framed(s) for s in parts if ADRENAL.search(s)):
        return []
    if ADRENAL.search(whole) and ADRENAL_SICK.search(whole) and ADRENAL_SHOCK.search(whole):
        return [Flag("emergency", "adrenal_crisis", 0)]
    return []
