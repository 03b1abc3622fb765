"""Which tools a question needs: `Router.route(question) -> list[ToolCall]` (empty = none: the
answer then rests on plain retrieval).

`RuleRouter` is deterministic and reads no vocabulary (tools check what it finds):
1. ids written in the question: ICD-10-CM codes ("E11.9", "e119" next to an ICD word), HP ids,
   MeSH ids ("D003920"), disease ids ("OMIM:154700", "ORPHA 558") → the lookup of that id;
2. the wording, after one-typo correction of the longer words ("diferential", "inheritence"):
   ICD words ("icd10", "icd-10-cm", "dx code", "billable", "code" when no other vocabulary is
   named) → condition → codes; HPO words ("hpo", "phenotype term", "def of", "synonyms") → term
   lookup; differential words ("ddx", "dx that fits", "which syndrome", "patient with") → the
   phenotype → disease differential; disease words ("inheritance", "features of", "how often")
   → the disease's annotations; "mesh" → MeSH; "eml", "essential medicines", "who list" → EML.
3. no intent, but a list of findings or three HPO phenotypes named → the differential.
The text a tool searches is the question (its last asking sentence, when a case is told first)
without the routing words, abbreviations spelled out.

Another router (a model choosing tools with a constrained call format) only has to implement
`route`; it registers in the `routers` registry (rag/registry.py) and is chosen by
`RagSettings(router=...)`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

from medllm.rag.tools.abbreviations import expand
from medllm.rag.tools.base import ToolCall
from medllm.rag.tools.disease import DISEASE_ID
from medllm.rag.tools.hpo import HP_ID
from medllm.rag.tools.icd10cm import CODE, normalize
from medllm.rag.tools.mesh import MESH_ID
from medllm.rag.tools.text import FILLER, Speller, words


class Router(Protocol):
    name: str

    def route(self, question: str) -> list[ToolCall]: ...


# Patterns over the question's corrected words joined by single spaces.
INTENTS: dict[str, str] = {
    "icd10cm": r"\bicd\w*(?: (?:10|9))?(?: cm)?\b|\b(?:dx|diagnosis|diagnostic|billing|billable|claim) codes?\b|\bbillable\b",
    "code": r"\bcod(?:e|es|ed|ing)\b",
    "hpo": r"\bhpo\w*|\bhp (?:term|id)s?\b|\bhuman phenotype\b|\bphenotype (?:term|id)s?\b",
    "define": r"\b(?:def|defn|definition|definitions|define|defined|meaning|synonyms?)\b",
    "differential": (
        r"\b(?:differential|differentials|ddx|phenomizer)\b|\bdx\b(?! codes?\b)"
        r"|\bdiagnos(?:is|es|e)\b(?! codes?\b)"
        r"|\b(?:which|what) (?:rare )?(?:disease|syndrome|condition|disorder|diagnosis|dx)s?\b"
        r"|\b(?:that|which) (?:fits|fit|explains?|matches)\b|\bconsistent with\b"
        r"|\bsuggestive of\b|\bcauses? (?:these|this|all)\b"
        r"|\b(?:patient|pt|child|kid|boy|girl|baby|infant|newborn|man|woman|proband|male|female)"
        r" (?:with|has|having|presenting|presents)\b|\bpresent(?:s|ing)? with\b"
    ),
    "disease": (
        r"\binherit\w*|\bhereditary\b|\bautosomal\b|\bx linked\b|\bmode of\b"
        r"|\b(?:phenotypes?|features?|symptoms?|signs?|manifestations?|findings|characteristics"
        r"|abnormalities|hpo terms?) (?:of|in|for|seen in|associated with)\b"
        r"|\bhow (?:often|common|frequent)\b|\bfrequenc(?:y|ies)\b|\bannotat\w*"
        r"|\b(?:features|phenotypes|symptoms|signs|manifestations|findings)"
        r"(?: (?:per|in|from|according to|on) (?:the )?hpo\w*(?: annotations?)?)?$|\bhallmarks?\b"
        r"|\blook(?:s)? like\b|\bclinical (?:features|picture|presentation)\b|\bclinically\b"
    ),
    "mesh": r"\bmesh\b|\bmedical subject headings?\b|\bdescriptors?\b",
    # asking what something is, without naming a vocabulary: a definition by name
    "whatis": (
        r"^(?:what|whats|what's) (?:is|are|r)\b|\bwhat (?:is|are) (?:it|they|that)\b"
        r"|\bexpla(?:in|nation)\b|\boverview\b|\btell me about\b|\bwhat does \w+ mean\b"
    ),
    "eml": (
        r"\beml\b|\bessential (?:medicines?|drugs?|meds?|list)\b|\bwho (?:model )?list\b"
        r"|\bmodel list\b|\bwho essential\b|\bwho medicines?\b"
    ),
}
# Words the patterns are made of: a question word one typo away from one is read as it.
KEYWORDS = frozenset(
    [
        "icd",
        "icd10",
        "icd10cm",
        "icd9",
        "cm",
        "dx",
        "diagnosis",
        "diagnoses",
        "diagnostic",
        "diagnose",
        "billing",
        "billable",
        "claim",
        "code",
        "codes",
        "coded",
        "coding",
        "hpo",
        "hp",
        "term",
        "terms",
        "human",
        "phenotype",
        "phenotypes",
        "ontology",
        "def",
        "defn",
        "definition",
        "definitions",
        "define",
        "defined",
        "meaning",
        "synonym",
        "synonyms",
        "differential",
        "differentials",
        "ddx",
        "phenomizer",
        "fits",
        "fit",
        "explains",
        "explain",
        "matches",
        "consistent",
        "suggestive",
        "disease",
        "diseases",
        "syndrome",
        "syndromes",
        "condition",
        "conditions",
        "disorder",
        "disorders",
        "rare",
        "patient",
        "child",
        "boy",
        "girl",
        "infant",
        "newborn",
        "proband",
        "presenting",
        "presents",
        "present",
        "inheritance",
        "inherited",
        "inherit",
        "hereditary",
        "autosomal",
        "linked",
        "mode",
        "features",
        "feature",
        "symptoms",
        "symptom",
        "signs",
        "sign",
        "manifestations",
        "findings",
        "finding",
        "characteristics",
        "abnormalities",
        "hallmark",
        "hallmarks",
        "often",
        "common",
        "frequent",
        "frequency",
        "frequencies",
        "annotated",
        "annotations",
        "annotation",
        "mesh",
        "medical",
        "subject",
        "heading",
        "headings",
        "descriptor",
        "descriptors",
        "eml",
        "essential",
        "medicines",
        "medicine",
        "drugs",
        "drug",
        "meds",
        "list",
        "model",
    ]
)
# Words that ask rather than name: never part of what a tool searches for.
ASKING = frozenset(
    [
        "section",
        "sections",
        "category",
        "categories",
        "list",
        "listed",
        "lookup",
        "look",
        "up",
        "number",
        "id",
        "ids",
        "entry",
        "tell",
        "give",
        "find",
        "show",
        "get",
        "need",
        "want",
        "term",
        "terms",
        "code",
        "codes",
        "whats",
        "what's",
        "pls",
        "plz",
        "please",
        "thx",
        "thanks",
        "mean",
        "means",
        "stand",
        "stands",
        "has",
        "have",
        "having",
        "under",
        "belongs",
        "belong",
        "which",
        "what",
        "is",
        "are",
        "used",
        "use",
        "correct",
        "appropriate",
        "proper",
        "best",
        "common",
        "usual",
        "typical",
        "main",
        "most",
        "medicines",
        "medicine",
        "drugs",
        "drug",
        "meds",
        "where",
        "per",
        "one",
        "subsection",
        "explain",
        "about",
        "overview",
        "it",
        "they",
        "cause",
        "causes",
        "look",
        "looks",
        "clinically",
        "typical",
        "typically",
        "anatomy",
        "anatomical",
        "anatomically",
        "pt",
        "pts",
        "asking",
        "asked",
        "asks",
        "actually",
        "looking",
        "search",
        "searching",
        "couple",
        "wat",
        "say",
        "says",
    ]
)
_VOCABULARIES = ("hpo", "mesh", "eml")
NAMED = frozenset(
    ["icd10cm", "mesh", "eml", "disease"]
)  # the intents that name the tool's vocabulary  # a plain "code" then means their id, not ICD-10-CM


@lru_cache(maxsize=1)
def _speller() -> Speller:
    return Speller(KEYWORDS)


def wording(question: str) -> str:
    """The question's words, lowercased and typo-corrected towards the routing keywords."""
    return " ".join(_speller().correct(w) for w in words(question))


def intents(question: str) -> set[str]:
    text = wording(question)
    found = {name for name, pattern in INTENTS.items() if re.search(pattern, text)}
    if "code" in found:
        found.discard("code")
        if not found & {*_VOCABULARIES, "disease"}:
            found.add("icd10cm")
    return found


def icd_codes(question: str, icd_words: bool) -> list[str]:
    """Code-like tokens: dotted ones in any case; undotted ones upper-case, or any case next to
    an ICD word ("icd10 e119")."""
    out = []
    for m in CODE.finditer(question):
        token = m.group(0)
        written_as_code = "." in token or token[0].isupper() or icd_words
        if written_as_code and not MESH_ID.fullmatch(token):
            out.append(normalize(token))
    return list(dict.fromkeys(out))


_RIGHT_ONE = re.compile(
    r"\b(?:the )?right (?=(?:[\w-]+ ){0,2}(?:icd|codes?|dx|diagnosis|terms?|ids?|sections?|categor))",
    re.IGNORECASE,
)


def topic(question: str) -> str:
    """What a tool should search for: the question without its ids, the words the intents
    matched and filler, abbreviations spelled out ("icd10 for htn pls" → "hypertension")."""
    # "the right code" asks; "right radius" names a side, which ICD-10-CM codes tell apart
    text = _RIGHT_ONE.sub(" ", question)
    for ids in (HP_ID, MESH_ID, DISEASE_ID):
        text = ids.sub(" ", text)
    text = wording(expand(text))
    for pattern in INTENTS.values():
        text = re.sub(pattern, " ", text)
    return " ".join(w for w in text.split() if w not in FILLER | ASKING)


def is_finding_list(question: str) -> bool:
    """Three or more short comma- or semicolon-separated items and nothing else asked: findings
    typed as a list ("cafe-au-lait spots, axillary freckling, lisch nodules -> ?")."""
    items = [i for i in re.split(r"[,;]| and ", re.sub(r"[-=]>|[?.!]", " ", question)) if i.strip()]
    return len(items) >= 3 and all(len(i.split()) <= 5 for i in items)


def asked_part(question: str) -> str:
    """A case told first and asked last ("67 yo F, hx of dm2, ... . What's the ICD-10-CM for
    type 2 diabetes with the polyneuropathy?"): the last sentence that asks a vocabulary for
    something and names what; otherwise the whole question."""
    sentences = [p for p in re.split(r"(?<=[.?!;])\s+", question.strip()) if p.strip()]
    if len(sentences) < 2:
        return question
    for sentence in reversed(sentences):
        if intents(sentence) - {"whatis"} and topic(sentence):
            return sentence
    return question


def names_phenotypes(question: str, at_least: int) -> bool:
    """The question names `at_least` HPO phenotypes (read with the differential's own reader:
    the one place the router looks into a vocabulary)."""
    from medllm.rag.tools.differential import query_terms

    return len(query_terms(question)) >= at_least


class RuleRouter:
    name = "rules"

    def route(self, question: str) -> list[ToolCall]:
        found = intents(question)
        # abbreviations first: "t2dm" is a condition, not a code
        calls = [
            ToolCall("icd10cm", c, "icd10cm code")
            for c in icd_codes(expand(question), "icd10cm" in found)
        ]
        hp_ids = [f"HP:{m.group(1)}" for m in HP_ID.finditer(question)]
        calls += [ToolCall("hpo", i, "hpo id") for i in dict.fromkeys(hp_ids)]
        calls += [
            ToolCall("mesh", m.group(1).upper(), "mesh id") for m in MESH_ID.finditer(question)
        ]
        calls += [
            ToolCall("disease", m.group(0), "disease id") for m in DISEASE_ID.finditer(question)
        ]
        ids = {c.tool for c in calls}
        what = topic(asked_part(question))
        if "differential" in found or len(set(hp_ids)) >= 2:
            calls.append(ToolCall("differential", question, "differential wording"))
        for tool, intent in (
            ("icd10cm", "icd10cm"),
            ("disease", "disease"),
            ("mesh", "mesh"),
            ("eml", "eml"),
        ):
            if intent in found and tool not in ids and what:
                calls.append(ToolCall(tool, what, f"{intent} wording", tool in NAMED))
        if ("hpo" in found or "define" in found) and "hpo" not in ids and what:
            calls.append(ToolCall("hpo", what, "hpo wording", "hpo" in found))
        specific = found & {"icd10cm", "mesh", "eml", "differential", "disease", "hpo"}
        if what and not ids and not specific and ("define" in found or "whatis" in found):
            # a definition first: the HPO term of the same name is a phenotype, not the disease
            calls.insert(0, ToolCall("define", what, "definition wording"))
        elif not calls and is_finding_list(question):
            calls.append(ToolCall("differential", question, "a list of findings"))
        elif not calls and names_phenotypes(question, 3):
            calls.append(ToolCall("differential", question, "three or more phenotypes named"))
        elif what and not calls and len(words(question)) <= 4:
            # a short question that is only a name ("leber congenital amaurosis 1 = ?"), not a
            # sentence asking something ("which crystals cause gout?" has more words)
            calls.append(ToolCall("define", what, "a name alone"))
        return calls
