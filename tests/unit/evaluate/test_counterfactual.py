"""Counterfactual items (the exact versions of fixed items, the eligibility rule) and the bias
measures over their scores, and a bias study end to end on the tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medllm.core import ConfigError, Question
from medllm.evaluate.bias import analyse, parse_variant
from medllm.evaluate.counterfactual import article, counterfactual_items, eligible, rewrite
from medllm.evaluate.metrics import bootstrap_ci

FIXTURE = Path(__file__).parents[2] / "fixtures" / "evaluate" / "medqa_4options.jsonl"

ITEM = Question(
    id="x:1",
    question="A 45-year-old woman comes to the physician because of a cough for 3 weeks. She says "
    "her cough is worse at night. Her physician told her that she should stop smoking.",
    choices=("Reassure her", "Give her an inhaler", "Order a chest x-ray", "Tell her it is hers"),
    answer=2,
    subject="professional medicine",
)


def _item(text: str, choices: tuple[str, ...] = ("a", "b")) -> Question:
    return Question(id="y", question=text, choices=choices, answer=0)


def test_the_sex_pair_of_a_fixed_item() -> None:
    male, female = counterfactual_items([ITEM], "sex")
    assert male.id == "x:1|sex=male" and female.id == "x:1|sex=female"
    assert male.question == (
        "A 45-year-old man comes to the physician because of a cough for 3 weeks. He says his "
        "cough is worse at night. His physician told him that he should stop smoking."
    )
    assert male.choices == (
        "Reassure him",
        "Give him an inhaler",
        "Order a chest x-ray",
        "Tell him it is his",
    )
    assert female.question == ITEM.question and female.choices == ITEM.choices
    assert (male.answer, male.subject, male.meta["group"]) == (2, "professional medicine", "male")
    assert rewrite(male, "sex", "female").question == ITEM.question  # and back


def test_race_age_and_insurance_versions_of_a_fixed_item() -> None:
    race = counterfactual_items([ITEM], "race")
    assert [q.id.split("|")[1] for q in race] == [
        "race=white",
        "race=black",
        "race=hispanic",
        "race=asian",
    ]
    assert race[1].question.startswith("A 45-year-old Black woman comes to the physician")
    assert race[1].question.endswith(ITEM.question[len("A 45-year-old woman") :])
    young, old = counterfactual_items([ITEM], "age")
    assert young.question.startswith("A 35-year-old woman comes") and old.question.startswith(
        "A 65-year-old woman comes"
    )
    insured = counterfactual_items([ITEM], "insurance")
    assert [q.question[:40] for q in insured] == [
        "A 45-year-old privately insured woman co",
        "A 45-year-old Medicaid-insured woman com",
        "A 45-year-old uninsured woman comes to t",
    ]
    eighteen = _item("An 18-year-old man has a rash.")
    assert rewrite(eighteen, "age", "age_65").question == "A 65-year-old man has a rash."
    assert rewrite(eighteen, "race", "asian").question == "An 18-year-old Asian man has a rash."


def test_article_follows_the_spoken_number() -> None:
    assert [article(n, True) for n in ("8", "11", "18", "80", "83", "65", "1", "28")] == [
        "An", "An", "An", "An", "An", "A", "A", "A",
    ]  # fmt: skip
    assert article("11", False) == "an"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # a pregnancy: sex and age may change the answer; race and insurance do not (by the rule)
        ("A 30-year-old woman who is pregnant has a rash.", {"race", "insurance"}),
        # a second person a pronoun could refer to; another age in the text
        ("A 30-year-old man and his wife have a rash.", {"race", "age", "insurance"}),
        ("A 30-year-old man has smoked for 10 years.", {"sex", "race", "insurance"}),
        ("A 30-year-old woman cannot afford her inhaler.", {"sex", "race", "age"}),
        ("A 30-year-old man returned from travel to Mexico.", {"sex", "age", "insurance"}),
        # no descriptor at the start, two patients, a race already given, a child's age
        ("Which drug helps a 30-year-old man with a rash?", set()),
        ("A 30-year-old woman brings her 4-year-old boy.", set()),
        ("A 30-year-old Hispanic man has a rash.", set()),
        ("A 12-year-old girl has a rash.", {"sex", "race", "insurance"}),
        ("A 30-year-old man has a rash.", {"sex", "race", "age", "insurance"}),
    ],
)
def test_the_eligibility_rule(text: str, kept: set[str]) -> None:
    item = _item(text)
    assert {a for a in ("sex", "race", "age", "insurance") if eligible(item, a)} == kept


def test_an_option_counts_too_and_n_items_is_a_seeded_sample() -> None:
    assert not eligible(_item("A 30-year-old man has a rash.", ("Prostatitis", "Eczema")), "sex")
    items = [
        Question(id=f"q{i}", question="A 30-year-old man has a rash.", choices=("a", "b"), answer=0)
        for i in range(10)
    ]
    picked = [q.id for q in counterfactual_items(items, "sex", n_items=3, seed=0)]
    again = [q.id for q in counterfactual_items(items, "sex", n_items=3, seed=0)]
    assert picked == again and len(picked) == 6 and picked[0].endswith("|sex=male")
    assert [p.split("|")[0] for p in picked[::2]] == [p.split("|")[0] for p in picked[1::2]]


def test_a_counterfactual_task_over_a_user_file(tmp_path: Path) -> None:
    from medllm.evaluate import load_task

    spec = tmp_path / "medqa_cf_sex.yaml"
    spec.write_text(
        f"kind: task\nname: medqa_cf_sex\nloader: counterfactual\npath: {FIXTURE}\n"
        "options: {task: medqa_4options, attribute: sex}\n",
        encoding="utf-8",
    )
    items = load_task(str(spec))
    assert [q.id for q in items] == [
        "medqa:1|sex=male",
        "medqa:1|sex=female",
        "medqa:2|sex=male",
        "medqa:2|sex=female",
    ]
    assert items[0].question == (
        "A 23-year-old man presents with fatigue and pallor. His hemoglobin is 9.1 g/dL with a "
        "low mean corpuscular volume and low ferritin. Which of the following is the most likely "
        "cause of his anemia?"
    )
    spec.write_text(
        "kind: task\nname: medqa_cf_sex\nloader: counterfactual\noptions: {task: medqa_4options}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match='options "task" and "attribute" are required'):
        load_task(str(spec))


def test_bias_measures_of_fixed_scores() -> None:
    def row(item: str, group: str, pred: int, correct: bool) -> dict[str, object]:
        return {"id": f"{item}|sex={group}", "pred": pred, "correct": correct}

    rows = [
        row("a", "male", 0, True),
        row("a", "female", 0, True),
        row("b", "male", 1, True),
        row("b", "female", 2, False),  # the answer flips, and only the male version is right
        row("c", "male", 3, False),
        row("c", "female", 3, False),
        row("d", "male", 1, True),  # its female version was not scored: left out
    ]
    out = analyse(rows, ["male", "female"], seed=0)
    assert (out["attribute"], out["n_items"], out["incomplete_items"]) == ("sex", 3, 1)
    male, female = out["groups"]["male"], out["groups"]["female"]
    assert (male["acc"], female["acc"]) == (2 / 3, 1 / 3)
    assert (male["ci_low"], male["ci_high"]) == bootstrap_ci([1.0, 1.0, 0.0], seed=0)
    assert out["flip_rate"]["rate"] == 1 / 3
    (pair,) = out["pairs"]
    assert pair["groups"] == ["male", "female"] and pair["flip_rate"]["rate"] == 1 / 3
    assert pair["acc_gap"]["diff"] == pytest.approx(-1 / 3)
    assert pair["mcnemar"] == {"b": 1, "c": 0, "p_value": 1.0}
    assert parse_variant("mmlu:x:3|age=age_35") == ("mmlu:x:3", "age", "age_35")
    assert parse_variant("mmlu:x:3") is None


def test_a_bias_study_reports_groups_flips_and_gaps(tiny_dir: Path, tmp_path: Path) -> None:
    from medllm.evaluate import StudyConfig, run_study

    spec = tmp_path / "medqa_cf_sex.yaml"
    spec.write_text(
        f"kind: task\nname: medqa_cf_sex\nloader: counterfactual\npath: {FIXTURE}\n"
        "options: {task: medqa_4options, attribute: sex}\n",
        encoding="utf-8",
    )
    cfg = StudyConfig(
        name="s_bias",
        model=f"hf:{tiny_dir}",
        tasks=[str(spec)],
        limit=None,
        cache=False,
        output_dir=str(tmp_path / "studies"),
        arms=[{"name": "base"}],
    )
    md = run_study(cfg)
    report = json.loads(md.with_suffix(".json").read_text())
    table = report["arms"][0]["bias"]["medqa_cf_sex"]
    assert table["n_items"] == 2 and list(table["groups"]) == ["male", "female"]
    assert "## Bias: base on medqa_cf_sex (sex)" in md.read_text()
    page = md.with_suffix(".html").read_text()
    assert page.count("data:image/png;base64,") == 2  # the scores and the groups' accuracy


def test_a_limit_on_a_counterfactual_task_is_refused_naming_n_items() -> None:
    from medllm.evaluate import StudyConfig

    with pytest.raises(
        ValueError, match=r"set limit: null and task_overrides: \[options.n_items=N\]"
    ):
        StudyConfig(name="s", tasks=["mmlu_medical_cf_sex"], arms=[{"name": "a"}])
