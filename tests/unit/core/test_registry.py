from __future__ import annotations

import pytest

from medllm.core import Registry, UnknownNameError, get_registry


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


def test_backends_registry_is_filled_by_models_and_by_rag_from_above() -> None:
    assert get_registry("backends").names() == ["hf", "llamacpp", "openai", "rag"]
    assert get_registry("backend") is get_registry("backends")  # the singular names the same


def test_unknown_registry() -> None:
    with pytest.raises(UnknownNameError, match=r"did you mean 'backends'\?"):
        get_registry("backens")


def test_a_kind_is_a_plural_noun_and_messages_use_its_singular() -> None:
    with pytest.raises(ValueError, match="plural"):
        Registry("test-fruit")
    reg: Registry[int] = Registry("test-pears")
    with pytest.raises(UnknownNameError, match=r"^unknown test-pear 'x'"):
        reg.get("x")


def test_core_names_no_stage_above_it() -> None:
    """Registration is upwards: core's registry reads entry points, not a list of stages."""
    import inspect

    from medllm.core import registry

    source = inspect.getsource(registry)
    for stage in ("models", "privacy", "knowledge", "rag", "train", "evaluate"):
        assert f"medllm.{stage}" not in source


def test_a_name_registered_from_above_is_found_without_loading_registries_first() -> None:
    """`load_model("rag:...")` in a fresh process: models' own registry lacks `rag` until the rag
    stage's registration module is imported; `get` imports the stages' registrations on a miss."""
    import subprocess
    import sys

    code = (
        "from medllm.models import backends; assert 'rag' not in backends._lazy; "
        "print(backends.get('rag').__module__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "medllm.rag.model"
