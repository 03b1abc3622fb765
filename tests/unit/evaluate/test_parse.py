"""Answer parsing: a letter counts only when it is plainly the answer, never a word or a name."""

from __future__ import annotations

import pytest

from medllm.core.records import Question
from medllm.evaluate.parse import is_abstention, parse_choice
from medllm.evaluate.scoring import _parsed_row

VITAMINS = ("Scurvy", "Rickets", "Pellagra", "Beriberi")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Answer: B", 1),
        ("(C)", 2),
        ("B.", 1),
        ("B) Rickets", 1),
        ("The answer is D", 3),
        ("**C**", 2),
        ("A", 0),
        (" D\n", 3),
        ("The correct answer is **B**.", 1),
        ("Answer: (A) Scurvy", 0),
        ("A. Scurvy", 0),
        ("Option C: Pellagra", 2),
        ("Let me think. A is wrong, B too.\nAnswer: D", 3),
        ("The answer is B because the diet lacks vitamin D.", 1),
    ],
)
def test_a_letter_given_as_the_answer_is_parsed(text: str, want: int) -> None:
    assert parse_choice(text, VITAMINS) == want


@pytest.mark.parametrize(
    "text",
    [
        "The answer is a vitamin deficiency.",
        "The answer is A deficiency of iron.",
        "A deficiency of iron causes anemia.",
        "It is caused by a lack of vitamin B.",
        "Hepatitis C",
        "Vitamin B12 deficiency",
        "a",
        "I am not sure",
        "b) not certain",
        "Type B blood is common; so is C.",
    ],
)
def test_a_letter_that_is_a_word_or_a_name_is_no_answer(text: str) -> None:
    assert parse_choice(text, VITAMINS) is None


def test_option_words_must_stand_as_words() -> None:
    # "no" is inside "not" and "know": not a choice of the option "no".
    assert parse_choice("I do not know.", ("yes", "no", "maybe")) is None
    assert parse_choice("No, it is not.", ("yes", "no", "maybe")) == 1


def test_a_named_disease_is_a_parse_failure_not_a_prediction() -> None:
    item = Question("q1", "Which disease follows a lack of niacin?", VITAMINS, 2)
    row = _parsed_row(item, "Hepatitis C")
    assert (row["pred"], row["correct"], row["parse_failed"]) == (None, False, True)


def test_abstention_still_detected() -> None:
    assert is_abstention("I am not sure") and is_abstention("I don't know the answer.")
    assert not is_abstention("Answer: B")
