from __future__ import annotations

from collections import Counter

import pytest

from medllm.core.errors import ConfigError
from medllm.core.splits import (
    HPO_DISEASE,
    ICD10CM,
    in_split,
    is_heldout,
    shown_in,
    split_of,
)

IDS = [f"r{i}" for i in range(10_000)]


@pytest.mark.parametrize(
    ("namespace", "sizes"),
    [
        (ICD10CM, {"train": 8011, "dev": 1009, "test": 980}),
        (HPO_DISEASE, {"train": 7985, "dev": 969, "test": 1046}),
    ],
)
def test_dev_and_test_halve_the_heldout_records(namespace: str, sizes: dict[str, int]) -> None:
    held = {i for i in IDS if is_heldout(i, namespace)}
    dev = {i for i in IDS if in_split(i, namespace, "dev")}
    test = {i for i in IDS if in_split(i, namespace, "test")}
    assert not dev & test and dev | test == held
    assert {i for i in IDS if in_split(i, namespace, "heldout")} == held
    assert {i for i in IDS if in_split(i, namespace, "train")} == set(IDS) - held
    # the same forever: these sizes and parts are what every figure was measured on
    assert Counter(split_of(i, namespace) for i in IDS) == sizes
    assert [split_of(c, ICD10CM) for c in ("E11.9", "I10", "K12.31", "r0")] == [
        "train",
        "test",
        "test",
        "dev",
    ]


def test_a_dev_item_never_shows_a_test_record() -> None:
    dev = next(i for i in IDS if split_of(i, ICD10CM) == "dev")
    test = next(i for i in IDS if split_of(i, ICD10CM) == "test")
    train = next(i for i in IDS if split_of(i, ICD10CM) == "train")
    assert [shown_in(r, ICD10CM, "dev") for r in (dev, test, train)] == [True, False, True]
    assert [shown_in(r, ICD10CM, "test") for r in (dev, test, train)] == [False, True, True]
    assert all(shown_in(r, ICD10CM, s) for r in (dev, test, train) for s in ("heldout", "train"))


def test_an_unknown_split_names_the_choices() -> None:
    with pytest.raises(
        ConfigError, match=r"'valid' is not a split \(fix: use one of train, heldout, dev, test\)"
    ):
        in_split("r0", ICD10CM, "valid")
