"""Bad input at the command line: one error line naming the field and the fix, exit status 2,
before any model is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from medllm.cli import app

runner = CliRunner()


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_an_empty_question_is_refused(question: str) -> None:
    res = runner.invoke(app, ["ask", question])
    assert res.exit_code == 2
    assert res.output.splitlines()[0] == (
        'error: the question is empty (fix: ask something: medllm ask "What is anemia?")'
    )


def test_a_bad_spec_option_names_the_field_not_a_traceback() -> None:
    res = runner.invoke(app, ["ask", "What is anemia?", "--model", "llamacpp:small?n_ctx=abc"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert res.output.splitlines()[0].startswith(
        'error: model spec llamacpp:...: field "n_ctx": Input should be a valid integer'
    )


def test_an_unknown_spec_option_suggests_the_close_one() -> None:
    res = runner.invoke(app, ["ask", "x", "--model", "llamacpp:small?n_cxt=2048"])
    assert res.exit_code == 2
    assert "did you mean 'n_ctx'?" in res.output.splitlines()[0]


def test_zero_max_tokens_is_refused() -> None:
    res = runner.invoke(app, ["ask", "What is anemia?", "--max-tokens", "0"])
    assert res.exit_code == 2 and "--max-tokens" in res.output


@pytest.mark.parametrize(
    ("out", "first_line"),
    [
        ("afile", "output folder is an existing file"),
        ("afile/sub", "output folder's parent is a file"),
    ],
)
def test_deid_run_checks_its_output_folder_before_any_work(
    tmp_path: Path, out: str, first_line: str
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Seen by Dr. Alma Quist on 2024-03-14.\n", encoding="utf-8")
    (tmp_path / "afile").write_text("", encoding="utf-8")
    res = runner.invoke(app, ["deid", "run", str(note), str(tmp_path / out)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    (line,) = [x for x in res.output.splitlines() if x.strip()]  # the progress bar left a blank
    assert line == f"error: {tmp_path / out}: {first_line} (fix: " + (
        "give a folder path (new or existing), not a file)"
        if out == "afile"
        else "give a folder path whose parents are folders)"
    )


def test_jsonl_and_yaml_readers_name_the_line_of_bad_utf8_and_accept_a_bom(tmp_path: Path) -> None:
    from medllm.core import ConfigError, DataError, read_jsonl, read_yaml

    good = tmp_path / "bom.jsonl"
    good.write_bytes(b'\xef\xbb\xbf{"id": "a", "text": "x"}\n{"id": "b", "text": "y"}\n')
    assert [obj["id"] for _, obj in read_jsonl(good)] == ["a", "b"]
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": "a", "text": "x"}\n{"id": "b", "text": "\xff"}\n')
    with pytest.raises(DataError) as err:
        list(read_jsonl(bad))
    assert str(err.value).startswith(f"{bad}:2: not UTF-8 text (byte 22 of the line)")
    cfg = tmp_path / "c.yaml"
    cfg.write_bytes(b"\xef\xbb\xbfkind: eval\n")
    assert read_yaml(cfg) == {"kind": "eval"}
    cfg.write_bytes(b"kind: eval\nlimit: 5\nname: caf\xe9\n")
    with pytest.raises(ConfigError, match=rf"^{cfg}:3: not UTF-8 text"):
        read_yaml(cfg)


@pytest.mark.parametrize("task", ["icd10cm_concepts", "hpo_diagnosis_unseen"])
def test_a_path_override_on_a_generated_task_is_refused(tmp_path: Path, task: str) -> None:
    res = runner.invoke(
        app, ["eval", "--tasks", task, "--set", "path=/nonexistent", "--out", str(tmp_path / "r")]
    )
    assert res.exit_code == 2
    (line,) = [x for x in res.output.splitlines() if x.strip()]
    assert line.startswith(f'error: task {task}: field "path": this task is generated')
    assert not (tmp_path / "r" / "summary.json").exists()


def test_on_error_skip_skips_an_unparseable_jsonl_line_and_counts_it(tmp_path: Path) -> None:
    import json

    notes = tmp_path / "notes.jsonl"
    notes.write_bytes(
        b'{"id": "1", "text": "Seen by Dr. Alma Quist."}\n'
        b'{"id": "2", "text": "cut off\n'
        b'{"id": "3", "text": "Call 555-201-3344."}\n'
        b'{"id": "4"}\n'
    )
    out = tmp_path / "out"
    res = runner.invoke(app, ["deid", "run", str(notes), str(out), "--set", "on_error=skip"])
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "deid_manifest.json").read_text(encoding="utf-8"))
    assert (manifest["records"], manifest["skipped_records"]) == (2, 2)
    (written,) = [p for p in out.rglob("*.jsonl")]
    text = written.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 2 and "Quist" not in text and "555-201-3344" not in text
    # the default stops at the bad line, names it, and writes nothing of the file
    res = runner.invoke(app, ["deid", "run", str(notes), str(tmp_path / "out2")])
    assert res.exit_code == 2
    (line,) = [x for x in res.output.splitlines() if x.strip()]
    assert line.startswith(f"error: {notes}:2: invalid JSON (")
    assert not list((tmp_path / "out2").rglob("*.jsonl"))


def test_plain_with_tools_is_refused_with_the_fix() -> None:
    res = runner.invoke(app, ["ask", "What is anemia?", "--plain", "--tools"])
    assert res.exit_code == 2
    assert res.output.splitlines()[0] == (
        "error: --tools needs a grounded answer (fix: drop --plain, or drop --tools)"
    )
