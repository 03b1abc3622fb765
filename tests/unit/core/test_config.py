from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field

from medllm.core.config import load_config, parse_overrides
from medllm.core.errors import ConfigError


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lr: float = Field(1e-4, description="learning rate")
    steps: int = 10


class Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "x"
    train: Inner = Inner()


def test_overrides_parse_nested_and_typed() -> None:
    assert parse_overrides(["train.lr=3e-4", "train.steps=5", "name=abc"]) == {
        "train": {"lr": 3e-4, "steps": 5},
        "name": "abc",
    }


def test_override_without_equals_is_an_error() -> None:
    with pytest.raises(ConfigError, match="not key=value"):
        parse_overrides(["train.lr"])


def test_load_applies_overrides_over_file(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("name: a\ntrain:\n  lr: 0.1\n  steps: 3\n")
    cfg = load_config(p, Outer, ["train.steps=7"])
    assert (cfg.name, cfg.train.lr, cfg.train.steps) == ("a", 0.1, 7)


def test_unknown_field_names_the_field_and_file(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("train:\n  lrr: 0.1\n")
    with pytest.raises(ConfigError) as e:
        load_config(p, Outer)
    assert str(p) in str(e.value) and "train.lrr" in str(e.value) and "remove it" in str(e.value)


def test_wrong_type_is_reported(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("train:\n  steps: many\n")
    with pytest.raises(ConfigError, match=r"train\.steps"):
        load_config(p, Outer)


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("name: a\ntrain: [1, 2\n")
    with pytest.raises(ConfigError, match=r"c\.yaml:\d+: invalid YAML"):
        load_config(p, Outer)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: " + "1" * 5000, r"c\.yaml: invalid YAML \(a number too long to read\)"),  # ValueError
        ("a: " + "[" * 2000, r"c\.yaml:1: invalid YAML \(exceeded maximum nesting depth\)"),
    ],
)
def test_yaml_past_the_parsers_limits(tmp_path: Path, text: str, message: str) -> None:
    """Found by tests/fuzz/test_fuzz_config.py: a ValueError traceback, and ~1 s per 1,000 levels
    of nesting in the pure-Python parser before its RecursionError."""
    p = tmp_path / "c.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(p, Outer)


def test_override_value_that_is_bad_yaml() -> None:
    """Found by tests/fuzz/test_fuzz_config.py: a yaml ParserError traceback before."""
    with pytest.raises(
        ConfigError, match=r"override [^:]*: invalid YAML \(.*\) \(fix: quote the value"
    ):
        parse_overrides(["a=[1"])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml", Outer)
