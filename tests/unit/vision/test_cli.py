"""`medllm vision deid` and `medllm vision show`, driven through the root CLI's error handling."""

from __future__ import annotations

import re
import shutil
import stat
import tomllib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import typer
from PIL import Image as PILImage
from typer.testing import CliRunner

from medllm.cli import _MedllmGroup
from medllm.vision import read_image
from medllm.vision.cli import app as vision_app

ROOT = Path(__file__).parents[3]
runner = CliRunner()


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    """The root group (a MedllmError: one line, exit 2) with `vision` mounted as the entry point
    mounts it (the installed package metadata may predate the entry point)."""
    root = typer.Typer(cls=_MedllmGroup)
    root.add_typer(vision_app, name="vision")
    return root


def test_vision_is_a_declared_cli_entry_point() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["medllm.cli"]["vision"] == "medllm.vision.cli:app"


def test_deid_folder_lists_bad_files_and_exits_1(
    cli: typer.Typer, dicom_file: Callable[[str], Path], tmp_path: Path
) -> None:
    inp = tmp_path / "Doe_Jane"
    inp.mkdir()
    shutil.copy(dicom_file("CT_small.dcm"), inp / "Doe_Jane_CT.dcm")
    shutil.copy(dicom_file("MR_small.dcm"), inp / "mr.dcm")
    (inp / "broken.dcm").write_bytes(dicom_file("CT_small.dcm").read_bytes()[:1000])
    res = runner.invoke(cli, ["vision", "deid", str(inp), str(tmp_path / "out")])
    assert res.exit_code == 1, res.output
    assert "done 2 of 3 files de-identified" in res.output
    assert "unreadable or truncated DICOM files (1):" in res.output and "broken.dcm" in res.output
    assert "1 files could not be de-identified" in res.output
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(written) == 3 and "deid_manifest.json" in written
    assert all(re.fullmatch(r"doc-[0-9a-f]{12}\.dcm", n) for n in written if n.endswith(".dcm"))
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o700


def test_deid_clean_folder_exits_0_and_refuses_a_second_run(
    cli: typer.Typer, dicom_file: Callable[[str], Path], tmp_path: Path
) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(dicom_file("MR_small.dcm"), inp / "mr.dcm")
    args = ["vision", "deid", str(inp), str(tmp_path / "out")]
    assert runner.invoke(cli, args).exit_code == 0
    res = runner.invoke(cli, args)
    assert res.exit_code == 2 and "output folder is not empty" in res.output
    assert "Traceback" not in res.output
    assert runner.invoke(cli, [*args, "--overwrite"]).exit_code == 0


def test_show_renders_a_window(
    cli: typer.Typer, dicom_file: Callable[[str], Path], tmp_path: Path
) -> None:
    out = tmp_path / "ct.png"
    res = runner.invoke(
        cli,
        [
            "vision",
            "show",
            str(dicom_file("CT_small.dcm")),
            "--out",
            str(out),
            "--window",
            "40,400",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "128x128 L, frame 1 of 1, window 40,400" in res.output
    expected = np.rint(read_image(dicom_file("CT_small.dcm"), window=(40, 400)).pixels[0] * 255)
    np.testing.assert_array_equal(np.asarray(PILImage.open(out)), expected.astype(np.uint8))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_show_png_and_frames(
    cli: typer.Typer, dicom_file: Callable[[str], Path], tmp_path: Path
) -> None:
    PILImage.fromarray(np.full((5, 7), 9, dtype=np.uint8)).save(tmp_path / "a.png")
    res = runner.invoke(
        cli, ["vision", "show", str(tmp_path / "a.png"), "-o", str(tmp_path / "b.png")]
    )
    assert res.exit_code == 0 and "7x5 L" in res.output
    us = str(dicom_file("examples_ybr_color.dcm"))
    res = runner.invoke(cli, ["vision", "show", us, "-o", str(tmp_path / "u.png"), "--frame", "29"])
    assert res.exit_code == 0 and "320x240 RGB, frame 30 of 30" in res.output


def test_show_errors_are_one_line(
    cli: typer.Typer, dicom_file: Callable[[str], Path], tmp_path: Path
) -> None:
    sr = str(dicom_file("reportsi.dcm"))
    res = runner.invoke(cli, ["vision", "show", sr, "-o", str(tmp_path / "x.png")])
    assert res.exit_code == 2 and "no pixel data" in res.output and "Traceback" not in res.output
    res = runner.invoke(
        cli, ["vision", "show", sr, "-o", str(tmp_path / "x.png"), "--window", "40"]
    )
    assert res.exit_code == 2 and "CENTER,WIDTH" in res.output


def test_make_vqa_writes_the_set_and_ask_refuses_a_folder_that_is_no_vlm(
    cli: typer.Typer, tmp_path: Path
) -> None:
    res = runner.invoke(cli, ["vision", "make-vqa", str(tmp_path / "set"), "--variants", "1"])
    assert res.exit_code == 0, res.output
    # one variant per source, with a lesion: 5 + region (8 of 10 sources) + 3 questions
    assert res.output.strip() == (
        f"wrote 10 images, 88 questions (train 62, test 26) to {tmp_path / 'set'}"
    )
    image = tmp_path / "set" / "images" / "ihc-00.png"
    res = runner.invoke(cli, ["vision", "ask", str(image), "What is it?", "--model", str(tmp_path)])
    assert res.exit_code == 2
    assert res.output.splitlines()[0] == (
        f"error: {tmp_path}: not a saved VLM (no vlm.json) (fix: give a trained VLM folder: `medllm train vlm`'s final/)"
    )
