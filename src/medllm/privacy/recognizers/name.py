"""Person names: context rules first, then dictionaries of real first and last names.

Context: titles ("Dr. Quarles"), field labels ("Patient:", "Attending:", "cc:", "Dear"), relations
("his wife Mary"), credentials after the name ("Anton R. Velasquez, M.D."), "Last, First" with both
parts in the name lists. Dictionary: a capitalised word in the first/last-name lists that is not
an ordinary English or medical word (philter's whitelist) and not part of an eponym ("Parkinson
disease"). Hand-written because no offline library does clinical-note name detection at this speed
(spaCy's small model is offered as the optional `spacy_ner` recognizer).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import chain

from medllm.core import Span
from medllm.privacy.recognizers.base import LO, UP, Pattern, lowered
from medllm.privacy.resources import Lexicon, lexicon

_WORD = (
    r"(?!(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|DR|MR|MRS|MS)\b)"
    rf"(?:(?:Mc|Mac|O')?[{UP}][{LO}]+(?:[\-'][{UP}][{LO}]+|-[{LO}]{{2,}})*"
    rf"|(?:Mc|Mac|O')?[{UP}]{{2,}}(?:[\-'][{UP}]+)*)"
)
# Surname particles before a capitalised word: "van der Linden", "de la Cruz", "du Plessis",
# "Ó Súilleabháin"
_PART = r"(?:(?:de|da|del|della|di|du|van|von|der|den|la|le|ter|ten|bin|ibn|al|el|Ó|Ní|Uí|Nic)[ \t]+){0,2}"
_INIT = rf"[{UP}]\.?"
# A run of name words on one line: "Anton R. Velasquez", "IMOGEN T FARRANCE", "Marrero, Tobiah".
_RUN = (
    _WORD + r",[ \t]*" + _WORD + r"(?:[ \t]+" + _INIT + r"(?![\w]))?"
    r"|"
    + _WORD
    + r"(?:[ \t]+(?:"
    + _INIT
    + r"[ \t]+)?"
    + _PART
    + _WORD
    + r"){0,3}(?:[ \t]+[A-Z]\.)?"
    r"|(?:" + _INIT + r"[ \t]+){1,3}" + _WORD + r"(?:[ \t]+" + _WORD + r")?"
)
_TITLE = (
    r"\b(?:Dr|Doctor|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Rev|Sr|Sister|Nurse|Pharmacist|RN|LPN|NP"
    r"|Therapist|Midwife|Chaplain|Coordinator|Navigator|Interpreter|CDE|CNA|Ofc|Officer)\b\.?[ \t]+"
)
_STRONG = (
    r"patient(?:'s)?(?:\s+name)?|attending|pcp|referring(?:\s+(?:physician|provider|doctor))?|referred\s+by"
    r"|(?:electronically\s+)?signed\s+by|dictated\s+by|transcribed\s+by|reviewed\s+by|cosigned\s+by"
    r"|seen\s+(?:by|with)|discussed\s+with|dear|sincerely|regards|thanks|thank\s+you"
    r"|ordering\s+(?:physician|provider)|reading\s+(?:physician|radiologist)"
    r"|documented\s+by|written\s+by|entered\s+by|completed\s+by|prepared\s+by|taken\s+by"
    r"|approved\s+by|authori[sz]ed\s+by"
)
_WEAK = (
    r"pt(?:\s+name)?|name|physician|provider|surgeon|resident|fellow|intern|author|from|to|cc|c\.c\."
    r"|contact|emergency\s+contact|nok|next\s+of\s+kin|guardian|caregiver|interpreter|witness"
    r"|consultant|rn|np|radiologist|signed|attn|mother|father|spouse|informant|ordering|collected\s+by"
    r"|verified\s+by|performed\s+by|technologist|tech|pharmacist|prescriber|owner|re"
)
_LABEL = (
    r"(?i:\b(?:" + _STRONG + r")\b[ \t]*[:,\-]?|\b(?:" + _WEAK + r")[ \t]*:)[ \t]*(?:\n[ \t]*)?"
)
_RELATION = (
    r"(?i:\b(?:wife|husband|son|daughter|mother|father|sister|brother|friend|partner|spouse|niece"
    r"|nephew|grandson|granddaughter|neighbor|aunt|uncle|cousin|fianc[ée]e?|dtr|(?:daughter|son|dtr)-in-law"
    r"|grand[ \t\-]?(?:niece|nephew))\b)[ \t]*,?[ \t]+"
)
_CREDENTIAL = (
    r"(?=(?:,[ \t]*|[ \t]+)(?:M\.?D\.?|D\.?O\.?|R\.?N\.?|N\.?P\.?|P\.?A\.?(?:-C)?|Ph\.?D\.?|MBBS|FACP|FACS|CNM"
    r"|CRNA|LCSW|PharmD|DPM|DDS|DMD|OD|MSW|MA(?![ \t]*\d{5})|RPh|LPN|CNA|RRT|SLP|MSN|BSN|APRN|FNP"
    r"|DNP|CMA|MBChB|MRCP|FRCP|FRCS|MRCGP|FRCPC|MLS|CDE|CDCES|RD|CPhT|EMT|MT)\b)"
)
_CONTEXT = re.compile(
    r"(?:(?:"
    + _LABEL
    + r"|"
    + _RELATION
    + r")(?:"
    + _TITLE
    + r")?|"
    + _TITLE
    + r")(?P<run>"
    + _PART
    + r"(?:"
    + _RUN
    + r"))"
)
# A run before a credential ("Anton Velasquez, MD"), found on its own: as a branch of _CONTEXT it
# was tried at every position of the text; alone it starts with a capital, which the pattern scan
# (`Pattern.finditer`) finds fast.
_CRED = re.compile(r"(?P<cred>" + _RUN + r")" + _CREDENTIAL)
# Where a credential follows (zero-width). A run holds no line break, so a match of _CRED lies in
# a line with one of these: _CRED is run over those lines only (`_cred_matches`), not the note.
_CRED_AT = re.compile(_CREDENTIAL)
# _CONTEXT through the pattern scan (`Pattern.finditer`): the same matches, tried only where one
# of its cue words starts, not at every position of the note.
_CONTEXT_PAT = Pattern("NAME", _CONTEXT)
# (through the pattern scan, as _CONTEXT_PAT below: the same matches, tried where one can start)
_ANY_RUN = Pattern("NAME", re.compile(r"(?<![\w@.])(?:" + _RUN + r")(?![\w@])"))
_HEADER_WORDS = frozenset(
    [
        "mrn",
        "dob",
        "date",
        "age",
        "sex",
        "room",
        "bed",
        "unit",
        "diagnosis",
        "md",
        "do",
        "rn",
        "np",
        "pa",
        "phd",
        "admitted",
        "seen",
        "today",
        "re",
        "subject",
        "cc",
        "the",
        "and",
        "of",
        "a",
        "an",
        "history",
        "exam",
        "note",
        "report",
        "service",
        "clinic",
        "hospital",
        "department",
    ]
)
_TOKEN = re.compile(rf"[{UP}{LO}][{UP}{LO}'\-]*")
# Words after a surname that make it an eponym, not a person in the note.
EPONYM_NEXT = re.compile(
    r"^(?:'s)?[ \t]*(?i:disease|syndrome|sign|test|criteria|score|maneuver|manoeuvre|procedure|"
    r"classification|scale|catheter|tube|stain|reflex|phenomenon|law|fracture|palsy|lymphoma"
    r"|sarcoma|tumor|tumour|ulcer|node|cell|cells|body|bodies|operation|repair|position|method"
    r"|fall|catheter|drain|needle|splint|boot|walker|pump|port|device|thyroiditis|encephalopathy"
    r"|anomaly|an(?:a)?emia|hernia|diverticulum|contracture|aneurysm|cyst|nodules?|fistula|neuralgia"
    r"|neuroma|neuropathy|arthritis|ataxia|chorea|dystrophy|myopathy|triad|reaction|effect|criteria"
    r"|staging|grade|equation|formula|rule|block|incision|clamp|forceps|mask|shunt|valve|space|canal"
    r"|duct|gland|membrane|ligament|dislocation|lesion|spots|carcinoma|leukemia|paralysis|pouch"
    r"|angle|curve|esophagus|oesophagus|nephropathy|thrombosis|infarct|phenomenon|dementia)\b"
    r"|^[ \t]+\d{1,3}(?![\d/:\-]|\.\d)"  # a score: "Morse 65", "Braden 14"
)
# "Last, First" alone in a table cell: "| Achterberg, Wilhelmina  |".
# Also with surname particles ("van der Merwe, J.P.", "de la Torre-Baptiste, Ruben") and two
# given names ("Xiong, Pa Nhia").
_PARTICLES = (
    r"(?:(?:de|da|del|della|di|du|van|von|der|den|la|le|ter|ten|bin|ibn|al|el|St\.?)[ \t]+){0,2}"
)
_PARTICLE_TEXT = "de da del della di du van von der den la le ter ten bin ibn al el"
_PARTICLE_WORDS = frozenset(_PARTICLE_TEXT.split())
_TABLE_NAME = re.compile(
    r"(?<![\w\-'])(?P<run>" + _PARTICLES + _WORD + r",[ \t]*"
    r"(?:"
    + _WORD
    + r"(?:[ \t]+"
    + _WORD
    + r")?|[A-Z]\.(?:[A-Z]\.)+|[A-Z]\.?(?![\w]))(?:[ \t]+"
    + _INIT
    + r")?"
    # a nickname with it: "FAIRBAIRN, Alexander (Sandy)", "Nguyen, Bao \"Bobby\""
    r"(?:[ \t]+[(\"“][A-Z][a-z]+[)\"”])?)"
    r"(?=[ \t]*(?:\||\t|[ \t]{2}|$))",
    re.MULTILINE,
)
# Cues after which a lower-case word is a name in patient messages: "hi dr kasprzak", "this is
# jasper", "my wife mirela", "from: ottilie".
_LOWER_CUE = Pattern(
    "NAME",
    re.compile(
        r"(?i:\b(?:dr|doctor|mr|mrs|ms|miss|hi|hey|hello|dear|thanks|thank\s+you|love|this\s+is|its"
        r"|it's|i'm|im|my\s+name\s+is|name\s+is|call\s+me|ask\s+for|from|to|cc|signed"
        r"|(?:my|his|her|your|our)\s+(?:husband|wife|son|daughter|mom|mum|mother|dad|father|sister|brother"
        r"|partner|friend|boyfriend|girlfriend|grandson|granddaughter|niece|nephew|aunt|uncle|cousin"
        r"|neighbou?r|caregiver|carer))\b)\.?[ \t]*:?[ \t]*(?=(?P<run>[a-z][a-z'\-]+(?:[ \t]+[a-z][a-z'\-]+)?))"
    ),
)
# Lower-case words that follow those cues but are never names.
_LOWER_STOP_TEXT = (
    "the a an and or but so is was are be been my your his her our their me you him them it this"
    " that there here not no yes ok okay just also still again about after before for from with"
    " to at in on by of i we they he she doing feeling going trying having getting writing asking"
    " calling sending wondering checking back home work today tomorrow yesterday now soon later"
    " all any some every much many more less very too really please thx thanks sorry office"
    " clinic team nurse nurses doctor doctors staff pharmacy lab portal message phone call"
)
_LOWER_STOP = frozenset(_LOWER_STOP_TEXT.split())


_NICK_AFTER = re.compile(r"[ \t]*\(?[\"“'](?P<n>[A-Za-z][a-z]{1,14})[\"”']\)?")
_NICK_INSIDE = re.compile(
    rf"(?<=[{UP}][{LO}]{{2}}[ ])[\"“](?P<n>[{UP}][{LO}]{{1,14}})[\"”](?=[ ][{UP}][{LO}]+)"
    r"|(?i:\bgoes[ \t]+by[ \t]+)[\"“']?(?P<g>[A-Za-z][a-z]{1,14})"
)


def _cred_matches(text: str) -> Iterator[re.Match[str]]:
    """`_CRED.finditer(text)`, the same matches: line by line, on the lines with a credential
    (at the end of the line, `\\b` and the look-aheads see what they saw before the line break)."""
    done = -1
    for c in _CRED_AT.finditer(text):
        if c.start() < done:
            continue
        start = text.rfind("\n", 0, c.start()) + 1
        done = text.find("\n", c.start())
        done = len(text) if done < 0 else done
        yield from _CRED.finditer(text, start, done)


@lru_cache(maxsize=1)
def eponyms() -> frozenset[str]:
    """Surnames that are words of the medical vocabulary (ICD-10-CM, HPO, MeSH: "parkinson",
    "hashimoto", "wernicke", "virchow") and not among the 3,000 most frequent US surnames or the
    1,000 most frequent first names, which stay names ("Jones", "Miller" are eponyms too)."""
    from medllm.privacy.resources import census_names
    from medllm.privacy.vocabulary import medical_words

    census = census_names()
    top = {n.lower() for n in census.last[:3000]} | {n.lower() for n in census.first[:1000]}
    return frozenset(w for w in medical_words() if w not in top)


class NameRecognizer:
    name = "name"
    kinds = ("NAME", "USERNAME")  # a login derived from a name in the note is USERNAME

    def __init__(self, lex: Lexicon | None = None) -> None:
        self.lex = lex or lexicon()

    def analyze(self, text: str) -> list[Span]:
        spans = self._contextual(text)
        spans += self._table_rows(text)
        spans += self._lowercase(text)
        spans += self._dictionary(text)
        spans += self._nicknames(text, spans)
        spans += self._propagate(text, spans)
        return spans + self._logins(text, spans)

    def _logins(self, text: str, found: list[Span]) -> list[Span]:
        from medllm.privacy.recognizers.username import derived_logins
        from medllm.privacy.vocabulary import allow_list

        return derived_logins(text, [s for s in found if s.score >= 0.8], allow_list())

    def _nicknames(self, text: str, found: list[Span]) -> list[Span]:
        """A quoted or bracketed word right after a name ('Finnegan ("finn")'), between its parts
        ('LaToya "Toy" Brimmage'), or after "goes by"."""
        out = []
        for s in found:
            m = _NICK_AFTER.match(text, s.end)
            if m:
                out.append(Span("NAME", m.start("n"), m.end("n"), 0.8, self.name))
        for m in _NICK_INSIDE.finditer(text):
            g = "n" if m.group("n") else "g"
            out.append(Span("NAME", m.start(g), m.end(g), 0.8, self.name))
        return out

    def _propagate(self, text: str, found: list[Span]) -> list[Span]:
        """Other mentions of a word already found as a name ("KLING, ETHYL" ... "Ethyl returns")."""
        words = {
            t.group(0).lower()
            for s in found
            if s.score >= 0.9
            for t in _TOKEN.finditer(text, s.start, s.end)
            if len(t.group(0)) > 2
        }
        if not words:
            return []
        out = []
        for m in _TOKEN.finditer(text):
            w = m.group(0)
            if w[0].isupper() and w.lower() in words:
                out.append(Span("NAME", m.start(), m.end(), 0.8, self.name))
        return out

    def _contextual(self, text: str) -> list[Span]:
        out = []
        for m in chain(_CONTEXT_PAT.finditer(text, lowered(text)), _cred_matches(text)):
            group = "run" if m.re is _CONTEXT else "cred"
            toks = list(_TOKEN.finditer(text, m.start(group), m.end(group)))
            if group == "run":  # "Patient: John Smith Diagnosis" → "John Smith"
                while len(toks) > 1 and self._ordinary(toks[-1].group(0)):
                    toks.pop()
            else:  # "Signed Anton Velasquez, MD" → "Anton Velasquez"
                while len(toks) > 1 and self._ordinary(toks[0].group(0)):
                    toks.pop(0)
            if not toks or (len(toks) == 1 and group == "run" and self._ordinary(toks[0].group(0))):
                continue
            if len(toks) == 1 and EPONYM_NEXT.match(text[toks[0].end() : toks[0].end() + 30]):
                continue  # "NP. Unna boot": an eponym, not the name the title introduces
            one = len(toks) == 1 and (group == "cred" or toks[0].group(0).isupper())
            if one and self._heading(text, toks[0]):  # "Charge RN", "PATIENT LIST"
                continue
            end = toks[-1].end()
            if len(toks[-1].group(0)) == 1 and text[end : end + 1] == ".":
                end += 1
            out.append(Span("NAME", toks[0].start(), end, 0.9, self.name))
        return out

    def _table_rows(self, text: str) -> list[Span]:
        """ "Last, First" ending a table cell, when not every word is ordinary vocabulary
        ("YOUNG, Delphine" is a name; "Stable, Improving" is not) and none is a header word."""
        out = []
        for m in _TABLE_NAME.finditer(text):
            words = [t.group(0) for t in _TOKEN.finditer(m.group("run")) if len(t.group(0)) > 1]
            words = [w for w in words if w.lower() not in _PARTICLE_WORDS]
            if (
                words
                and not all(w.lower() in self.lex.common for w in words)
                and not any(w.lower() in _HEADER_WORDS for w in words)
            ):
                out.append(Span("NAME", m.start("run"), m.end("run"), 0.85, self.name))
        return out

    def _lowercase(self, text: str) -> list[Span]:
        """Lower-case names after a cue ("hi dr kasprzak", "this is jasper liang-okafor")."""
        from medllm.privacy.vocabulary import allow_list

        allow = allow_list()
        out = []
        for m in _LOWER_CUE.finditer(text, lowered(text)):
            toks = list(re.finditer(r"[a-z][a-z'\-]+", m.group("run")))
            keep = []
            for t in toks:
                w = t.group(0).strip("'-")
                parts = w.split("-")
                if w in _LOWER_STOP or not all(
                    self.lex.is_name(p) or (p not in allow and len(p) > 2) for p in parts
                ):
                    break
                keep.append(t)
            if keep:
                base = m.start("run")
                out.append(
                    Span("NAME", base + keep[0].start(), base + keep[-1].end(), 0.8, self.name)
                )
        return out

    def _ordinary(self, word: str) -> bool:
        """A word to trim off a run: a header word or a lower-case word ("Dr. Ann Child" stays)."""
        w = word.lower()
        if w in _HEADER_WORDS:
            return True
        return word.islower() and w in self.lex.common

    def _dictionary(self, text: str) -> list[Span]:
        out = []
        for m in _ANY_RUN.finditer(text, lowered(text)):
            toks = list(_TOKEN.finditer(text, m.start(), m.end()))
            flags = [self._namey(t.group(0)) for t in toks]
            if not any(flags):
                continue
            for start, end in self._name_parts(text, toks, flags):
                out.append(Span("NAME", start, end, 0.7, self.name))
        return out

    def _namey(self, word: str) -> bool:
        if len(word) < 2 or (word.isupper() and len(word) < 4):
            return False
        bare = word[:-2] if word.endswith("'s") else word
        # an eponym found by the name lists alone ("Hashimoto hypothyroidism", "ESR
        # (Westergren)"): no title, label or credential makes it a person here
        return self.lex.is_name(bare) and bare.lower() not in eponyms()

    def _name_parts(
        self, text: str, toks: list[re.Match[str]], flags: list[bool]
    ) -> list[tuple[int, int]]:
        """Maximal stretches of name words (plus initials and unknown capitalised words next to them)."""
        out = []
        i = 0
        while i < len(toks):
            if not flags[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(toks) and (flags[j + 1] or self._joinable(toks[j + 1].group(0))):
                j += 1
            start, end = toks[i].start(), toks[j].end()
            initial = re.search(r"(?<![\w.])[A-Z]\.[ \t]+$", text[max(0, start - 5) : start])
            if initial:  # "by R. Czerwinski"
                start -= len(initial.group(0))
            if j == i and (EPONYM_NEXT.match(text[end : end + 30]) or self._heading(text, toks[i])):
                i = j + 1
                continue
            if end < len(text) and text[end] == "." and len(toks[j].group(0)) == 1:
                end += 1
            out.append((start, end))
            i = j + 1
        return out

    def _heading(self, text: str, tok: re.Match[str]) -> bool:
        """An ordinary English word opening a line or sentence, or in capitals ("Charge RN", "LIST")."""
        from medllm.privacy.vocabulary import allow_list

        word = tok.group(0)
        before = text[max(0, tok.start() - 6) : tok.start()]
        opens = (
            tok.start() == 0
            or before.endswith("\n")
            or re.search(r"(?<!\b(?:Dr|Mr|Ms|St|Jr|Sr))(?<!\bMrs)(?<!\bProf)[.!?][ \t]+$", before)
        )
        return bool(opens or word.isupper()) and word.lower() in allow_list()

    def _joinable(self, word: str) -> bool:
        """An initial, or a capitalised word that is in no list at all (a rare surname)."""
        if len(word) == 1:
            return True
        w = word.lower()
        return w not in self.lex.common and not word.isupper()
