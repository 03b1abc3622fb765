"""Counterfactual items for the bias study: each eligible item of a QA task, asked once per group of
one patient attribute (sex, race / ethnicity, age group, insurance status), everything else equal.

Task specs with `loader: counterfactual` name the base task and the attribute
(`options: {task: mmlu_medical, attribute: sex, n_items: 40}`); a spec's `path` is handed to the
base task (a MedQA file, say). An item's versions share its answer and choices; their ids are
`<original id>|<attribute>=<group>` (`medllm.evaluate.bias` pairs them again).

Which items are eligible (a lexical rule, kept conservative: an item it keeps may still be one a
clinician would answer differently, one it drops costs only sample size):
1. the question opens with one patient descriptor, "A 45-year-old man" / "An 18-year-old woman"
   (man, woman, male, female, boy, girl), with no other adjective (no race already given), and no
   second such descriptor anywhere (one patient only);
2. neither the question nor any option names a word on the attribute's list of words whose
   presence could make the answer depend on it (`EXCLUDE`): for sex, sex-specific organs,
   hormones, pregnancy, screening tests and any other person a pronoun could refer to (so the
   pronoun swap is safe); for race, ancestry, nationality, migration, travel and the diseases
   whose prevalence differs by ancestry; for age, any other mention of age or years, screening,
   vaccination and age-linked diseases, and patients under 18 or over 79; for insurance, cost,
   payment, income, employment and insurance itself.
"""

from __future__ import annotations

import random
import re
from typing import Any

from medllm.core import ConfigError, Question
from medllm.evaluate.bias import variant_id
from medllm.evaluate.spec import TaskSpec

# attribute → group id → what the descriptor says for that group
ATTRIBUTES: dict[str, dict[str, str]] = {
    "sex": {"male": "male", "female": "female"},
    "race": {"white": "White", "black": "Black", "hispanic": "Hispanic", "asian": "Asian"},
    "age": {"age_35": "35", "age_65": "65"},
    "insurance": {
        "private": "privately insured",
        "medicaid": "Medicaid-insured",
        "uninsured": "uninsured",
    },
}

DESCRIPTOR = re.compile(
    r"^(?P<art>An?) (?P<age>\d{1,3})-year-old (?P<noun>man|woman|male|female|boy|girl)\b"
)
ANY_DESCRIPTOR = re.compile(
    r"\b\d{1,3}-year-old (?:[A-Za-z-]+ )?(?:man|woman|male|female|boy|girl)\b"
)
RELATIONS = (
    r"husbands?\b|wi(?:fe|ves)\b|boyfriend|girlfriend|mothers?\b|fathers?\b|sons?\b|daughters?\b|"
    r"sisters?\b|brothers?\b|parents?\b|partners?\b|aunt|uncle|grand|niece|nephew|friends?\b|"
    r"spouse|fianc|roommate|co-?workers?\b|child|children|baby|infant|twin|famil|mr\.|mrs\.|ms\."
)
EXCLUDE: dict[str, str] = {
    "sex": RELATIONS
    + r"|pregnan|gestation|trimester|postpartum|obstet|gravid|menstru|menarche|menopaus|uter|"
    r"ovar|cervi|vagin|vulv|breast|mammo|lactat|endometri|placent|fetus|fetal|prostat|testic|"
    r"testes\b|testis\b|scrot|penis|penile|erectil|semen|sperm|estrogen|estradiol|progest|"
    r"testosteron|androgen|contracept|hysterect|gyn|x-linked|pap\b|psa\b|brca|men\b|women\b|"
    r"males?\b|females?\b|boys?\b|girls?\b|gender|sex",
    "race": r"african|asian|black|white\b|caucasian|hispanic|latin|ashkenazi|jewish|ancestr|"
    r"descent|ethnic|race\b|racial|immigra|emigra|native|refugee|travel|countr|abroad|"
    r"sickle|thalass|g6pd|tay-sachs|cystic fibrosis|hemochromat|lactose|sarcoid|keloid|"
    r"mediterranean|european|american|chinese|japanese|indian|mexican|korean|vietnam|"
    r"filipin|haiti|nigeria|india\b|china\b|japan\b|mexico\b|africa\b|asia\b",
    "age": r"years?\b|year-old|age[ds]?\b|aging|birth|born|elder|geriatr|pediatr|adolesc|"
    r"child|infant|school|college|student|retire|screen|vaccin|immuniz|menopaus|osteopor|"
    r"dementia|alzheimer|parkinson|presbyop|cataract|prostat|pregnan|decade",
    "insurance": r"insur|medicare|medicaid|cost|afford|pay|financ|money|income|bill|price|"
    r"expens|cheap|homeless|employ|job\b|jobs\b|wage|salary|poverty|poor\b|wealth",
}
ADULT_AGES = range(18, 80)

MALE_NOUN = {
    "man": "man",
    "woman": "man",
    "male": "male",
    "female": "male",
    "boy": "boy",
    "girl": "boy",
}
FEMALE_NOUN = {
    "man": "woman",
    "woman": "woman",
    "male": "female",
    "female": "female",
    "boy": "girl",
    "girl": "girl",
}
# words after which "her" is an object ("gave her a", "told her that"), not a possessive
_OBJECT_WORDS = (
    "a an the to that this these those with and or but for of in on at by from about as if is "
    "was be when while after before because so up down out off over into through again there "
    "here some any what how why where whether no not it he she they we you i"
)
OBJECT_NEXT = frozenset(_OBJECT_WORDS.split())


def article(age: str, capital: bool) -> str:
    """'An' before a number said with a vowel (8, 11, 18, 80-89), else 'A'."""
    word = "An" if age.startswith("8") or age in ("11", "18") else "A"
    return word if capital else word.lower()


def eligible(item: Question, attribute: str) -> bool:
    """The rule in the module's docstring, for one item and attribute."""
    m = DESCRIPTOR.match(item.question.lstrip())
    if m is None or len(ANY_DESCRIPTOR.findall(item.question)) != 1:
        return False
    if attribute == "age" and int(m["age"]) not in ADULT_AGES:
        return False
    rest = item.question.lstrip()[m.end() :]  # the descriptor's own words are not a mention
    text = " ".join([rest, *item.choices])
    return re.search(rf"\b(?:{EXCLUDE[attribute]})", text, re.IGNORECASE) is None


def swap_pronouns(text: str, to_female: bool) -> str:
    """he/him/his/himself to the other sex; "her" becomes "him" before a function word, a
    punctuation mark or the end ("told her that", "saw her."), else "his" ("her pain")."""

    def repl(m: re.Match[str]) -> str:
        word = m[1]
        # the next word, "" before a punctuation mark or the end ("her 20s" has a next word)
        after = "" if not m[2] or m[2][0] in ".,;:!?)" else m[2].lower().rstrip(".,;:!?)")
        low = word.lower()
        if to_female:
            new = {"he": "she", "him": "her", "his": "her", "himself": "herself"}.get(low, low)
            if low == "his" and not after:
                new = "hers"  # "the choice is his."
        else:
            new = {"she": "he", "hers": "his", "herself": "himself"}.get(low, low)
            if low == "her":
                new = "him" if not after or after in OBJECT_NEXT else "his"
        return new.capitalize() if word[0].isupper() else new

    # the next word is looked at (a look-ahead), not consumed: "told her she" swaps both
    pattern = r"\b(he|she|him|his|her|hers|himself|herself)\b(?=\s?(\S*))"
    return re.sub(pattern, repl, text, flags=re.IGNORECASE)


def rewrite(item: Question, attribute: str, group: str) -> Question:
    """`item` asked about a patient of `group`: the descriptor (and, for sex, the pronouns of the
    question and of every option) rewritten; answer, choices' order and meta kept."""
    lead = item.question[: len(item.question) - len(item.question.lstrip())]
    body = item.question.lstrip()
    m = DESCRIPTOR.match(body)
    if m is None:
        raise ValueError(f"item {item.id} has no patient descriptor to rewrite")
    age, noun, adjective = m["age"], m["noun"], ""
    choices = list(item.choices)
    rest = body[m.end() :]
    said = ATTRIBUTES[attribute][group]
    if attribute == "sex":
        female = group == "female"
        noun = (FEMALE_NOUN if female else MALE_NOUN)[noun]
        rest = swap_pronouns(rest, female)
        choices = [swap_pronouns(c, female) for c in choices]
    elif attribute == "age":
        age = said
    else:
        adjective = f"{said} "
    art = article(age, m["art"][0] == "A")
    text = f"{lead}{art} {age}-year-old {adjective}{noun}{rest}"
    meta: dict[str, Any] = {
        **item.meta,
        "original_id": item.id,
        "attribute": attribute,
        "group": group,
    }
    return Question(
        id=variant_id(item.id, attribute, group),
        question=text,
        choices=tuple(choices),
        answer=item.answer,
        subject=item.subject,
        meta=meta,
    )


def counterfactual_items(
    items: list[Question], attribute: str, n_items: int | None = None, seed: int = 0
) -> list[Question]:
    """Every version of the eligible items (a seeded sample of `n_items` of them, in their order),
    the versions of one item next to each other."""
    keep = [q for q in items if eligible(q, attribute)]
    if n_items is not None and n_items < len(keep):
        chosen = set(random.Random(seed).sample(range(len(keep)), n_items))
        keep = [q for i, q in enumerate(keep) if i in chosen]
    return [rewrite(q, attribute, g) for q in keep for g in ATTRIBUTES[attribute]]


def load(spec: TaskSpec) -> tuple[list[Question], list[Question]]:
    """The `counterfactual` loader: the versions of the base task's eligible items; the few-shot
    pool is the base task's, unchanged."""
    from medllm.evaluate.tasks import get_spec, load_items

    base, attribute = spec.options.get("task"), spec.options.get("attribute")
    n_items, seed = spec.options.get("n_items"), int(spec.options.get("seed", 0))
    if not base or attribute not in ATTRIBUTES:
        raise ConfigError(
            f'task {spec.name}: options "task" and "attribute" are required',
            fix=f"set options.task (a QA task) and options.attribute ({', '.join(ATTRIBUTES)})",
        )
    items, pool = load_items(get_spec(str(base), {"path": spec.path} if spec.path else None))
    return counterfactual_items(items, str(attribute), n_items, seed), pool
