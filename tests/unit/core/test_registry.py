from __future__ import annotations

import pytest

from medllm.core.registry import Registry, UnknownNameError, get_registry


def test_register_and_get() -> None:
    reg: Registry[int] = Registry("test-numbers")
    reg.register("one")(1)
    reg.register_lazy("pi", "math:pi")
    assert reg.get("one") == 1
    assert abs(reg.get("pi") - 3.14159) < 1e-4
    assert reg.names() == ["one", "pi"]


def test_unknown_name_suggests_close_match() -> None:
    reg: Registry[int] = Registry("test-fruits")
    reg.register("banana")(1)
    reg.register("apple")(2)
    with pytest.raises(UnknownNameError, match="did you mean 'banana'"):
        reg.get("banan")


def test_backends_registry_is_filled() -> None:
    assert {"llamacpp", "hf", "openai"} <= set(get_registry("backends").names())


def test_unknown_registry() -> None:
    with pytest.raises(UnknownNameError, match="did you mean backends"):
        get_registry("backend")
