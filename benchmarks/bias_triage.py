"""Triage flips (issue #21): does the serve stage's triage label of a patient message change when only
the patient's sex, race / ethnicity, age or insurance status changes? No peer: no toolkit we know of
ships counterfactual patient messages for triage; this is medllm measuring its own triage.

The messages are the packaged triage messages (`medllm.serve.triage.model.read_messages()`): the
classifier's training (development) messages. A flip here is sensitivity to the attribute on texts
the classifier has seen; a held-out split would be stricter.

Each eligible message is rewritten once per group; every version (and each original) is triaged in
one `assess_many` batch. Per attribute: eligible messages, versions, the flip rate (any two versions
of one message labelled differently, 95% bootstrap CI), the flips by id and labels (no text), and
per group the share labelled emergency / harmful_request.

The rewriter is here, not `medllm.evaluate.counterfactual.rewrite`: that one rewrites a `Question`
whose text opens with a vignette descriptor ("A 45-year-old man"); a patient message names its
patient anywhere ("my 84 yr old dad", "I'm a 32-year-old woman", "she"). Reused from it: the
pronoun swap (`swap_pronouns`), the group wording and exclusion lists (`ATTRIBUTES`, `EXCLUDE`) and
`article`. The evaluate stage may not import serve, hence a benchmark (docs/architecture.md).

Eligibility (lexical and conservative: a message it keeps may still be one a clinician would triage
differently; one it drops costs only sample size). A rewrite can still be ungrammatical (a female
"her" swapped to "his" where "him" was meant), which can flip a label for no reason of the
attribute: the flips are listed so that each can be read.
- sex (male, female): at least one sexed word (he / she / him / his / her / hers / himself /
  herself, or a noun of `TO_FEMALE` / `TO_MALE`: man, boy, son, husband, dad, gran ...), all of one
  sex, with a self-descriptor ("I'm a 45 year old man") or a third-person pronoun (the message is
  about that person, not "my mum won't notice"); no sexed word the tables cannot swap
  (`UNSWAPPABLE`: men, lady, Mr, sons, grandson ...); no other role a pronoun could refer to
  (`ROLES`: doctor, nurse, teacher, someone ...); no topic whose triage can depend on sex
  (`SEX_TOPICS`: pregnancy, birth, periods, sex organs (testicular, prostate, breast, and slang:
  balls ...), groin, urine and urinary infection, contraception, hormones, sex).
- age (25, 45; not the vignette study's 35 / 65: 65 is a red-flag age): exactly one age named ("34
  year old", "34yo", "I'm 34", "aged 34"), 18-49, and no other age word in the message (`EXCLUDE`
  "age": years, school, child, screening, pregnancy ..., and `AGE_EXTRA`: baby, kid, teen, old,
  young, grand, "when I was 5", "34 weeks along" ...). Original and versions stay adult and under 50, below the age red flags of the triage
  protocols (new headache or back pain over 50, head injury over 65, chest pain in the elderly) and
  far from infant / child ages.
- race (White, Black, Hispanic, Asian) and insurance (privately insured, Medicaid-insured,
  uninsured): exactly one person descriptor the group's word can go in front of ("my dad" → "my
  Black dad", "I'm a 45 year old man" → "I'm a 45 year old uninsured man"), no other person word
  nor role, the message about that person ("I'm a ...", or a pronoun of their sex), and no word of
  `EXCLUDE[attribute]` (race: ancestry, nationality, travel, ancestry-linked
  diseases, and "white" / "black" in any sense; insurance: cost, payment, income, insurance ...).

    python benchmarks/bias_triage.py               # every attribute, at most --limit messages each
    python benchmarks/bias_triage.py --limit 50
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import at_least_one, versions, write_result
from medllm.evaluate.bias import variant_id
from medllm.evaluate.counterfactual import ATTRIBUTES, EXCLUDE, RELATIONS, article, swap_pronouns

AGE_GROUPS = {"age_25": "25", "age_45": "45"}
ADULT_UNDER_50 = range(18, 50)
GROUPS: dict[str, dict[str, str]] = {**ATTRIBUTES, "age": AGE_GROUPS}

TO_FEMALE = {
    "man": "woman",
    "boy": "girl",
    "husband": "wife",
    "son": "daughter",
    "dad": "mum",
    "daddy": "mummy",
    "father": "mother",
    "brother": "sister",
    "boyfriend": "girlfriend",
    "grandad": "grandma",
    "granddad": "grandma",
    "grandpa": "grandma",
    "grandfather": "grandmother",
    "uncle": "aunt",
    "nephew": "niece",
    "stepdad": "stepmum",
}
TO_MALE = {
    "woman": "man",
    "girl": "boy",
    "wife": "husband",
    "daughter": "son",
    "mum": "dad",
    "mom": "dad",
    "mummy": "daddy",
    "mommy": "daddy",
    "mother": "father",
    "sister": "brother",
    "girlfriend": "boyfriend",
    "grandma": "grandad",
    "grandmother": "grandfather",
    "gran": "grandad",
    "granny": "grandad",
    "nan": "grandad",
    "nana": "grandad",
    "aunt": "uncle",
    "auntie": "uncle",
    "niece": "nephew",
    "stepmum": "stepdad",
    "stepmom": "stepdad",
}
# "hes" / "shes": "he's" as typed in a hurry, which `swap_pronouns` does not know
MALE_PRONOUNS = frozenset({"he", "him", "his", "himself", "hes"})
FEMALE_PRONOUNS = frozenset({"she", "her", "hers", "herself", "shes"})
_SEXED = sorted({*TO_FEMALE, *TO_MALE, *MALE_PRONOUNS, *FEMALE_PRONOUNS}, key=len, reverse=True)
SEXED = re.compile(rf"\b(?:{'|'.join(_SEXED)})\b", re.IGNORECASE)
UNSWAPPABLE = (
    r"men\b|women\b|guys?\b|lady\b|ladies\b|lads?\b|lass|blokes?\b|gentlem[ae]n\b|mrs?\b|ms\b|"
    r"sir\b|madam|males?\b|females?\b|sons\b|daughters\b|brothers\b|sisters\b|husbands\b|wives\b|"
    r"boys\b|girls\b|mums\b|moms\b|mothers\b|dads\b|fathers\b|grandson|granddaughter|stepson|"
    r"stepdaughter|godson|goddaughter|fianc|bride|groom|widow|aunts\b|aunties\b|uncles\b|"
    r"nieces\b|nephews\b|boyfriends\b|girlfriends\b|grandmas\b|grandads\b|grandparent|"
    r"hubby|missus|wifey|mister\b|king\b|queen\b|prince"
)
SEX_TOPICS = (
    r"pregnan|gestation|trimester|postpartum|post-partum|antenatal|prenatal|obstet|gravid|miscarr|"
    r"ectopic|labou?r\b|contractions|waters\b|c-section|caesarean|cesarean|birth|midwi|menstru|"
    r"periods?\b|menarche|menopaus|hrt\b|uter|womb|ovar|ovul|cervi|smear|vagin|vulv|discharge|"
    r"breast|nipple|mammo|lactat|endometri|placent|fetus|fetal|foetus|prostat|testic|testes\b|"
    r"testis\b|scrot|penis|penile|foreskin|circumcis|erect|semen|sperm|ejacul|groin|genital|"
    r"estrogen|oestrogen|progest|testosteron|androgen|hormon|contracept|morning.after|coil\b|iud\b|"
    r"hysterect|gyn|pap\b|psa\b|brca|fgm|mutilat|pelvi|utis?\b|cystitis|urin|kidney infection|"
    r"burning when|stings? when|pee\b|peeing|wee\b|stds?\b|stis?\b|chlamydia|gonorr|syphilis|"
    r"herpes|sex|rape|trans\b|transgender|gender|intercourse|condom|bladder|balls?\b|nuts\b|"
    r"willy|privates|down there|boobs?\b|tits?\b|dick\b|cock\b|fanny\b|knob\b|crotch"
)

AGE_UNIT = r"\s?-?\s?(?:years?|yrs?)[\s-]?old\b|\s?yo\b|\s?y/o\b"
AGE_NAMED = re.compile(rf"\b(?:(?P<art>an?)\s+)?(?P<age>\d{{1,3}})(?:{AGE_UNIT})", re.IGNORECASE)
# "I'm 34" / "aged 34" only before a break or a joining word: not "I'm 34 weeks", "age 5'4"
AGE_SAID = re.compile(
    r"\b(?:i'?m|i am|aged?)\s+(?P<age>\d{1,3})"
    r"(?=\s*(?:[,.;:!?)]|$|(?:and|with|but|so|now|male|female|man|woman|guy|m|f)\b))",
    re.IGNORECASE,
)
AGE_EXTRA = (
    r"bab(?:y|ies)|toddler|kids?\b|teen|newborn|grand|gran\b|granny|nan\b|elderly|old\b|older|"
    r"young|youth|uni\b|universit|pension|\d{1,3}\s?(?:yo|y/o|yrs?)\b|(?:i|he|she) was \d|"
    r"weeks (?:along|gone)|expecting|bump\b|conceiv|ivf\b|fertil|midwi|antenatal|scan\b"
)

PERSON_NOUNS = (
    r"man|woman|guy|lady|boy|girl|husband|wife|son|daughter|mum|mom|mother|dad|father|brother|"
    r"sister|partner|boyfriend|girlfriend|grandma|grandmother|gran|granny|nan|grandad|granddad|"
    r"grandpa|grandfather|friend|flatmate|housemate|roommate|neighbou?r|colleague|baby|child|"
    r"toddler|kid|teenager|uncle|aunt|auntie|nephew|niece|cousin"
)
# the one patient: "I'm a [34 year old] man", "my [84 yr old] dad"
DESCRIPTOR = re.compile(
    rf"(?:\b(?P<self>i'?m|i am)\s+(?P<art>an?)\s+|\bmy\s+)"
    rf"(?P<age>\d{{1,3}}(?:{AGE_UNIT})\s+)?(?P<noun>{PERSON_NOUNS})\b",
    re.IGNORECASE,
)
SELF = re.compile(
    rf"\b(?:i'?m|i am)\s+an?\s+(?:\d{{1,3}}(?:{AGE_UNIT})\s+)?(?:man|woman|guy|lady|boy|girl)\b",
    re.IGNORECASE,
)
THIRD = re.compile(rf"\b(?:{'|'.join(sorted(MALE_PRONOUNS | FEMALE_PRONOUNS))})\b", re.IGNORECASE)
# anyone else a pronoun could refer to: the named person might then not be the one it is about
ROLES = (
    r"nurse|doctor|dr\b|gps?\b|teacher|paediatric|pediatric|consultant|surgeon|midwi|pharmacist|"
    r"paramedic|psychiatr|therapist|dentist|oncolog|specialist|physio|receptionist|team\b|staff|"
    r"police|boss|manager|carer|someone|somebody|anyone|anybody|everyone"
)
PERSON = re.compile(rf"\b(?:(?:{PERSON_NOUNS})\b|{RELATIONS}|people\b|person\b)", re.IGNORECASE)
# "her" after these verbs is an object ("gave her calpol" → "gave him calpol", "made her sick"),
# which `swap_pronouns` (written for vignettes) reads as a possessive ("his calpol"); after other
# verbs either reading occurs ("took her temperature", "took her to A&E"), left to it
HER_AFTER = re.compile(
    r"\b(gives?|gave|giving|given|lets?|letting|makes?|made|making|help|helps|helped|helping)"
    r"\s+her\b",
    re.IGNORECASE,
)
# and before these words ("got her under the tap", "need her asleep"), which `swap_pronouns`'
# function-word list does not hold
HER_BEFORE = re.compile(
    r"\bher(?=\s+(?:under|asleep|awake|home|back|round|around|onto|inside|outside|upstairs|"
    r"downstairs|now|today|tonight|yesterday|straight|too|already|yet|just|still|again|"
    r"every|once|twice|sometimes|myself|ourselves|lying|sitting|away|off|alone|anymore|anywhere|"
    r"somewhere|enough|more|less|properly|well|first|better|worse|feel|go|come|sleep|breathe|"
    r"eat|drink|stop|start|like|quickly|proply|seen|knocked|specifically)\b)",
    re.IGNORECASE,
)


def _found(pattern: str, text: str) -> bool:
    return re.search(rf"\b(?:{pattern})", text, re.IGNORECASE) is not None


def _same_case(word: str, new: str) -> str:
    return new.capitalize() if word[0].isupper() else new


def _sexes(text: str) -> set[str]:
    """The sexes the sexed words of `text` name: {"male"}, {"female"}, both or none."""
    out = set()
    for m in SEXED.finditer(text):
        low = m[0].lower()
        out.add("male" if low in TO_FEMALE or low in MALE_PRONOUNS else "female")
    return out


def _age_mentions(text: str) -> list[re.Match[str]]:
    return [*AGE_NAMED.finditer(text), *AGE_SAID.finditer(text)]


def _descriptors(text: str) -> list[re.Match[str]]:
    return list(DESCRIPTOR.finditer(text))


def _is_about(text: str, noun: str) -> bool:
    """Whether the message is about "my <noun>": a third-person pronoun names them, every sexed
    word of one sex, the noun's own where it has one ("my dad ... he", "my baby ... she")."""
    sexes = _sexes(text)
    if THIRD.search(text) is None or len(sexes) != 1:
        return False
    own = "male" if noun in TO_FEMALE else "female" if noun in TO_MALE else None
    return own is None or sexes == {own}


def eligible(text: str, attribute: str) -> bool:
    """The rule of the module's docstring, for one message and attribute."""
    if attribute == "sex":
        return (
            len(_sexes(text)) == 1
            and (SELF.search(text) is not None or THIRD.search(text) is not None)
            and not _found(UNSWAPPABLE, text)
            and not _found(ROLES, text)
            and not _found(SEX_TOPICS, text)
        )
    if attribute == "age":
        ages = _age_mentions(text)
        if len(ages) != 1 or int(ages[0]["age"]) not in ADULT_UNDER_50:
            return False
        rest = text[: ages[0].start()] + " " + text[ages[0].end() :]
        return not _found(EXCLUDE["age"], rest) and not _found(AGE_EXTRA, rest)
    if attribute in ("race", "insurance"):
        ds = _descriptors(text)
        if len(ds) != 1 or _found(EXCLUDE[attribute], text) or _found(ROLES, text):
            return False
        noun = ds[0]["noun"].lower()
        words = (re.match(r"\w+", text[m.start() :]) for m in PERSON.finditer(text))
        if not all(w is not None and w[0].lower() == noun for w in words):
            return False
        return ds[0]["self"] is not None or _is_about(text, noun)
    raise ValueError(f"unknown attribute {attribute!r} (fix: one of {', '.join(GROUPS)})")


def _swap_sex(text: str, to_female: bool) -> str:
    nouns = TO_FEMALE if to_female else TO_MALE
    noun_re = re.compile(rf"\b(?:{'|'.join(sorted(nouns, key=len, reverse=True))})\b", re.I)
    text = noun_re.sub(lambda m: _same_case(m[0], nouns[m[0].lower()]), text)
    hes = ("hes", "shes") if to_female else ("shes", "hes")
    text = re.sub(rf"\b{hes[0]}\b", lambda m: _same_case(m[0], hes[1]), text, flags=re.I)
    if not to_female:
        text = HER_AFTER.sub(lambda m: f"{m[1]} {_same_case(m[0].split()[-1], 'him')}", text)
        text = HER_BEFORE.sub(lambda m: _same_case(m[0], "him"), text)
    return swap_pronouns(text, to_female)


def _rewrite_age(text: str, age: str) -> str:
    m = _age_mentions(text)[0]
    head = text[: m.start()]
    if "art" in m.groupdict() and m["art"]:
        head += _same_case(m["art"], article(age, False)) + text[m.end("art") : m.start("age")]
    else:
        head += text[m.start() : m.start("age")]
    return head + age + text[m.end("age") :]


def _insert(text: str, said: str) -> str:
    """`said` ("Black", "uninsured") put in front of the patient's noun; an article before it
    follows the word after it ("an uninsured man", "a Black man", "a 45 year old Asian man")."""
    m = _descriptors(text)[0]
    out = text[: m.start("noun")] + f"{said} " + text[m.start("noun") :]
    if not m["art"] or m["age"]:
        return out
    word = "an" if said[0].lower() in "aeiou" else "a"
    return out[: m.start("art")] + _same_case(m["art"], word) + out[m.end("art") :]


def rewrite(text: str, attribute: str, group: str) -> str:
    """`text` about a patient of `group` (an eligible message; see `eligible`)."""
    said = GROUPS[attribute][group]
    if attribute == "sex":
        return _swap_sex(text, group == "female")
    if attribute == "age":
        return _rewrite_age(text, said)
    return _insert(text, said)


def sample(
    rows: list[dict[str, Any]], attribute: str, limit: int | None, seed: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """How many messages are eligible, and a seeded sample of `limit` of them (in their order)."""
    keep = [r for r in rows if eligible(str(r["text"]), attribute)]
    n = len(keep)
    if limit is not None and limit < n:
        chosen = set(random.Random(seed).sample(range(n), limit))
        keep = [r for i, r in enumerate(keep) if i in chosen]
    return n, keep


def build_versions(kept: list[dict[str, Any]], attribute: str) -> list[dict[str, str]]:
    """Every version of the messages `kept`, those of one message next to each other:
    `{"id": <message id>|<attribute>=<group>, "message", "group", "text"}`."""
    return [
        {
            "id": variant_id(str(r["id"]), attribute, g),
            "message": str(r["id"]),
            "group": g,
            "text": rewrite(str(r["text"]), attribute, g),
        }
        for r in kept
        for g in GROUPS[attribute]
    ]


def measure(
    attribute: str,
    kept: list[dict[str, Any]],
    label_of: dict[str, str],
    eligible_n: int,
    seed: int = 0,
) -> dict[str, Any]:
    """Flip rate (CI), flips and per-group emergency / harmful shares of one attribute; `label_of`
    maps a version's id and a message's id to its triage label."""
    from medllm.evaluate.metrics import bootstrap_ci

    groups = list(GROUPS[attribute])
    flags, flips = [], []
    for r in kept:
        mid = str(r["id"])
        labels = {g: label_of[variant_id(mid, attribute, g)] for g in groups}
        flipped = len(set(labels.values())) > 1
        flags.append(float(flipped))
        if flipped:
            flips.append({"id": mid, "gold": r["label"], "original": label_of[mid], **labels})
    lo, hi = bootstrap_ci(flags, seed=seed)
    n = len(kept)
    per_group = {}
    for g in groups:
        got = [label_of[variant_id(str(r["id"]), attribute, g)] for r in kept]
        per_group[g] = {
            "said": GROUPS[attribute][g],
            "emergency": round(got.count("emergency") / n, 4) if n else 0.0,
            "harmful_request": round(got.count("harmful_request") / n, 4) if n else 0.0,
        }
    return {
        "attribute": attribute,
        "eligible_messages": eligible_n,
        "messages": n,
        "versions": n * len(groups),
        "flip_rate": {"rate": sum(flags) / n if n else 0.0, "ci_low": lo, "ci_high": hi},
        "flips": flips,
        "groups": per_group,
    }


def docs_table(tables: list[dict[str, Any]]) -> str:
    """The table of docs/studies.md "Triage flips": one line per attribute."""
    lines = [
        "| attribute | eligible (used) | versions | flip rate [95% CI] | "
        "emergency share per group | harmful_request share per group | flips: id (gold) labels |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in tables:
        f = t["flip_rate"]
        em = ", ".join(f"{g} {v['emergency']:.3f}" for g, v in t["groups"].items())
        harm = ", ".join(f"{g} {v['harmful_request']:.3f}" for g, v in t["groups"].items())
        flips = "; ".join(
            f"{x['id']} ({x['gold']}) " + " / ".join(str(x[g]) for g in t["groups"])
            for x in t["flips"]
        )
        lines.append(
            f"| {t['attribute']} | {t['eligible_messages']} ({t['messages']}) | {t['versions']} | "
            f"{f['rate']:.3f} [{f['ci_low']:.3f}, {f['ci_high']:.3f}] | {em} | {harm} | "
            f"{flips or 'none'} |"
        )
    return "\n".join(lines)


def run(limit: int | None, seed: int) -> tuple[list[dict[str, Any]], float]:
    """Every attribute's versions triaged in one batch; the tables and the triage wall seconds."""
    from medllm.serve.triage import assess_many
    from medllm.serve.triage.model import read_messages

    rows = read_messages()
    built = {}
    for attribute in GROUPS:
        eligible_n, kept = sample(rows, attribute, limit, seed)
        built[attribute] = (kept, build_versions(kept, attribute), eligible_n)
    texts: dict[str, str] = {}
    for kept, vs, _ in built.values():
        texts.update({str(r["id"]): str(r["text"]) for r in kept})
        texts.update({v["id"]: v["text"] for v in vs})
    ids = list(texts)
    t0 = time.perf_counter()
    labels = [a.label for a in assess_many([texts[i] for i in ids])]
    wall = time.perf_counter() - t0
    label_of = dict(zip(ids, labels, strict=True))
    tables = [measure(a, kept, label_of, n, seed) for a, (kept, _, n) in built.items()]
    return tables, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--limit", type=at_least_one, default=200, help="eligible messages per attribute (sample)"
    )
    ap.add_argument("--seed", type=int, default=0, help="seed of the sample and the bootstraps")
    args = ap.parse_args()
    t0 = time.perf_counter()
    tables, triage_s = run(args.limit, args.seed)
    flips = "; ".join(
        f"{t['attribute']} {t['flip_rate']['rate']:.3f} "
        f"[{t['flip_rate']['ci_low']:.3f}, {t['flip_rate']['ci_high']:.3f}] ({t['messages']})"
        for t in tables
    )
    command = "python benchmarks/bias_triage.py" + (
        f" --limit {args.limit}" if args.limit != 200 else ""
    )
    write_result(
        "bias_triage",
        {
            "messages": "packaged triage messages: the classifier's training (development) set",
            "limit": args.limit,
            "seed": args.seed,
            "tables": tables,
            "triage_s": round(triage_s, 1),
            "wall_s": round(time.perf_counter() - t0, 1),
            "versions": versions("scikit-learn", "sentence-transformers", "scipy"),
        },
        "triage flip rate on the packaged (training) messages, per attribute "
        f"[95% CI] (messages): {flips}",
        command,
    )
    print(docs_table(tables))


if __name__ == "__main__":
    main()
