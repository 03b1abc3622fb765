"""`medllm deid run` on hard inputs: a long note in windows, Ctrl-C, a second run into the same
OUT, what a folder run skips, and bad UTF-8. Each case checks the exit code and the message."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medllm.cli import app
from medllm.core import DataError
from medllm.privacy import DeidConfig, deidentify, run_deid
from medllm.privacy.gold.synthetic import generate_notes

runner = CliRunner()
MANIFEST = "deid_manifest.json"


def _deid(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, ["deid", "run", *args])
    return res.exit_code, " ".join(res.stdout.split()), " ".join(res.stderr.split())


def _outputs(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST)


# 1. long notes in windows ------------------------------------------------------------------
def test_a_name_across_a_window_edge_is_replaced_on_both_sides(tmp_path: Path) -> None:
    # window_chars=100: the cut falls after the last space before character 100, which is the
    # one inside "Anselm Quinteros" (characters 90-105), so the name spans the two windows.
    text = "x" * 85 + " Dr. Anselm Quinteros saw the patient on 03/14/2024 for a cough."
    assert text[90:106] == "Anselm Quinteros" and text.rfind(" ", 1, 100) == 96
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "note.txt").write_text(text)
    summary = run_deid(tmp_path / "in", tmp_path / "out", DeidConfig(window_chars=100))
    (written,) = _outputs(tmp_path / "out")
    assert (
        written.read_text() == "x" * 85 + " Dr. [NAME][NAME] saw the patient on [DATE] for a cough."
    )
    assert dict(summary.phi) == {"NAME": 1, "DATE": 1}  # the cut name is counted once
    assert summary.records == 1 and summary.bytes == len(text)


def test_windowed_output_equals_the_whole_text_output(tmp_path: Path) -> None:
    text = "\n\n".join(n.text for n in generate_notes(12, seed=3))
    (tmp_path / "note.txt").write_text(text)
    seen: list[tuple[int, int]] = []
    cfg = DeidConfig(window_chars=500, secret="k")
    summary = run_deid(
        tmp_path / "note.txt", tmp_path / "out", cfg, progress=lambda d, t: seen.append((d, t))
    )
    (written,) = _outputs(tmp_path / "out")
    assert written.read_text() == deidentify(text, secret="k").text
    size = len(text.encode())
    assert len(seen) > len(text) // 1000 and seen[-1] == (size, size)  # progress by bytes
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert summary.bytes == size


def test_summary_reports_mb_per_s(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Seen by Dr. Pruett on 03/14/2024.\n" * 2000)
    code, out, _ = _deid(str(tmp_path / "a.txt"), str(tmp_path / "out"))
    assert code == 0
    assert "done 1 records in 1 files (0.07 MB), 4000 PHI spans replaced (redact)," in out
    assert " MB/s, " in out and "records/s with 1 worker(s)" in out


# 2. Ctrl-C -------------------------------------------------------------------------------
@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigint_says_how_far_it_got_and_marks_the_manifest_incomplete(
    tmp_path: Path, workers: str
) -> None:
    notes = generate_notes(120, seed=2)
    (tmp_path / "in").mkdir()
    for i in range(40):  # 40 files of 3 notes: the run takes seconds, the first file < 1 s
        (tmp_path / "in" / f"n{i:02d}.txt").write_text(
            "\n\n".join(n.text for n in notes[i * 3 : i * 3 + 3])
        )
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "medllm",
            "deid",
            "run",
            str(tmp_path / "in"),
            str(out),
            "--workers",
            workers,
        ],
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "300"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, signalled as a terminal's Ctrl-C is
        # a job started with `&` (CI, nohup) inherits SIGINT ignored, and exec keeps it ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.time() + 120
    while time.time() < deadline and not (out.is_dir() and list(out.glob("doc-*.txt"))):
        assert proc.poll() is None, "the run ended before the signal"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)  # the run and its workers, like Ctrl-C
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    manifest = json.loads((out / MANIFEST).read_text())
    done = len(list(out.glob("doc-*.txt")))
    assert 1 <= done < 40 and manifest["complete"] is False and manifest["files"] == done
    assert manifest["input"]["files"] == 40
    assert stderr.strip() == (  # one line: no worker prints its own KeyboardInterrupt
        f'interrupted after {done} of 40 files; {out / MANIFEST} says "complete": false '
        "(rerun with --overwrite)"
    )
    assert not [i for i in range(40) if f"n{i:02d}.txt" in stderr + stdout]  # no input names
    assert not list(out.glob(".*.tmp"))  # the file being written was dropped


# 3. a second run into the same OUT ---------------------------------------------------------
def test_second_run_into_a_non_empty_out_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Seen by Dr. Pruett on 03/14/2024.")
    out = tmp_path / "out"
    assert _deid(str(tmp_path / "a.txt"), str(out))[0] == 0
    first = _outputs(out)
    code, _, err = _deid(str(tmp_path / "a.txt"), str(out))
    assert code == 2
    assert err == (
        f"error: {out}: output folder is not empty (fix: it holds an earlier deid run; rerun "
        "with --overwrite to replace it, or choose a new output folder)"
    )
    assert _outputs(out) == first
    code, _, _ = _deid(str(tmp_path / "a.txt"), str(out), "--overwrite")
    assert code == 0
    assert len(_outputs(out)) == 1 and _outputs(out) != first  # replaced, not mixed (new key)
    assert json.loads((out / MANIFEST).read_text())["complete"] is True


def test_overwrite_never_deletes_what_no_deid_run_wrote(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Seen by Dr. Pruett.")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("keep me")
    for extra in ([], ["--overwrite"]):
        code, _, err = _deid(str(tmp_path / "a.txt"), str(tmp_path / "out"), *extra)
        assert code == 2
        assert "choose a new or empty output folder" in err
    assert (tmp_path / "out" / "mine.txt").read_text() == "keep me"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["mine.txt"]


def test_an_interrupted_run_of_the_same_input_is_named(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    for i in range(3):
        (tmp_path / "in" / f"{i}.txt").write_text("Seen by Dr. Pruett.")
    out = tmp_path / "out"
    run_deid(tmp_path / "in", out)
    manifest = json.loads((out / MANIFEST).read_text())
    (out / MANIFEST).write_text(json.dumps({**manifest, "complete": False, "files": 1}))
    with pytest.raises(DataError) as err:
        run_deid(tmp_path / "in", out)
    assert str(err.value) == (
        f"{out}: output folder is not empty (fix: it holds an interrupted run of this same input "
        "(1 of 3 files written); a run cannot be resumed, rerun with --overwrite to replace it, "
        "or choose a new output folder)"
    )


def test_a_failed_run_leaves_out_as_it_found_it(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Seen by Dr. Pruett.")
    (tmp_path / "in" / "b.jsonl").write_text('{"id": 1, "body": "x"}\n')
    (tmp_path / "out").mkdir()
    code, _, err = _deid(str(tmp_path / "in"), str(tmp_path / "out"))
    assert code == 2 and 'b.jsonl:1: field "text": missing' in err
    assert list((tmp_path / "out").iterdir()) == []  # so the corrected command is not refused
    (tmp_path / "in" / "b.jsonl").write_text('{"id": 1, "text": "x"}\n')
    assert _deid(str(tmp_path / "in"), str(tmp_path / "out"))[0] == 0


# 4. what a folder run skips ---------------------------------------------------------------
def test_folder_run_counts_what_it_skips_and_follows_no_link_out(tmp_path: Path) -> None:
    inp, outside = tmp_path / "in", tmp_path / "outside"
    (inp / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "smith_john.txt").write_text("Dr. Pruett outside")
    (inp / "a.txt").write_text("Seen by Dr. Pruett.")
    (inp / "sub" / "b.md").write_text("Seen by Dr. Pruett.")
    (inp / "scan.pdf").write_bytes(b"%PDF")
    (inp / ".hidden.txt").write_text("Dr. Pruett")
    (inp / ".git").mkdir()
    (inp / ".git" / "x.txt").write_text("Dr. Pruett")
    (inp / "link_in.txt").symlink_to(inp / "a.txt")  # inside IN: read like the file
    (inp / "sub_link").symlink_to(inp / "sub")  # a folder link: skipped
    (inp / "out_link.txt").symlink_to(outside / "smith_john.txt")  # out of IN: never followed
    (inp / "out_dir").symlink_to(outside)
    (inp / "gone.txt").symlink_to(inp / "missing.txt")
    code, out, err = _deid(str(inp), str(tmp_path / "out"))
    assert code == 0, err
    assert "done 3 records in 3 files" in out
    assert (
        "skipped (not read): 1 other file types, 2 hidden (dot) entries, 1 symlinks to folders, "
        "2 symlinks out of the input folder, 1 broken symlinks (see docs/privacy.md)" in out
    )
    assert "smith" not in out + err and "outside" not in out + err
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert manifest["skipped_inputs"] == {
        "other_type": 1,
        "hidden": 2,
        "folder_symlink": 1,
        "outside_symlink": 2,
        "broken_symlink": 1,
    }
    assert "outside" not in "".join(p.read_text() for p in _outputs(tmp_path / "out"))


# 6. bad UTF-8 ----------------------------------------------------------------------------
def test_not_utf8_names_the_line_and_byte_offset(tmp_path: Path) -> None:
    # 70,000 bytes first, so the bad byte is in the second 64 KiB read; a 2-byte "é" sits
    # across the first read's end and must decode.
    head = "a" * 65535 + "é\n" + ("line\n" * 890)
    data = head.encode() + b"caf\xe9\n"
    assert len(head.encode()) == 65535 + 3 + 4450
    (tmp_path / "bad.txt").write_bytes(data)
    code, _, err = _deid(str(tmp_path / "bad.txt"), str(tmp_path / "out"))
    assert code == 2
    assert err == (
        f"error: {tmp_path / 'bad.txt'}:892: not UTF-8 text (byte offset 69991) (fix: convert it "
        "to UTF-8, e.g. iconv -f latin1 -t utf-8)"
    )
    assert not (tmp_path / "out").exists()
