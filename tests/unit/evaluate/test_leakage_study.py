"""The S9 privacy-leakage study's plumbing on a ~3M-parameter random Llama: three of the six arms
(raw, de-identified, DP-SGD at epsilon inf: the code paths of all six; a DP arm with noise costs
~5 s more here, Opacus' accountant, and its epsilon is tested in tests/unit/train/test_dp.py)
trained and measured, canaries placed once and gone after de-identification, a rerun that trains
nothing, other settings refused, files owner-only; the six arms of the shipped config without
training."""

from __future__ import annotations

import json
import math
import stat
from pathlib import Path
from typing import Any

import pytest

from medllm.core import MedllmError
from medllm.evaluate.leakage import PrivacyLeakageConfig, run_leakage
from medllm.evaluate.leakage.data import CONTEXT, NOTE_PROMPT, build_data, cut, sft_rows

pytest.importorskip("opacus")

ROOT = Path(__file__).resolve().parents[3]

NAMES = ["raw", "deid", "dp_eps1", "dp_eps4", "dp_eps8", "dp_eps_inf"]
THREE = [
    {"name": "raw"},
    {"name": "deid", "deidentified": True},
    {"name": "dp_eps_inf", "epsilon": math.inf},
]


def _cfg(tiny_dir: Path, tmp_path: Path, **over: Any) -> PrivacyLeakageConfig:
    return PrivacyLeakageConfig.model_validate(
        {
            "model": str(tiny_dir),
            "arms": THREE,
            "n_train": 6,
            "n_heldout": 4,
            "note_chars": 100,
            "canaries": 2,
            "canary_repeats": 1,
            "n_candidates": 10,
            "steps": 1,
            "batch_size": 2,
            "max_length": 80,
            "lora_r": 2,
            "output_dir": str(tmp_path / "runs"),
            "results_file": str(tmp_path / "results" / "s9.json"),
            **over,
        }
    )


@pytest.fixture(scope="module")
def study(tiny_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("s9")
    cfg = _cfg(tiny_dir, tmp)
    report = run_leakage(cfg)
    return {"cfg": cfg, "tmp": tmp, "report": report, "out": report.parent}


def test_shipped_config_has_six_arms_and_their_epsilon() -> None:
    from medllm.core import load_config
    from medllm.evaluate.leakage.study import epsilon_field

    cfg = load_config(ROOT / "configs" / "studies" / "s9_privacy.yaml", PrivacyLeakageConfig)
    assert [a.name for a in cfg.arms] == NAMES
    assert [epsilon_field(a.epsilon) for a in cfg.arms] == [None, None, 1.0, 4.0, 8.0, "inf"]
    assert [a.deidentified for a in cfg.arms] == [False, True, False, False, False, False]
    assert cfg.results_file == "benchmarks/results/s9_privacy.json"


def test_arms_with_their_epsilon(study: dict[str, Any]) -> None:
    results = json.loads(Path(study["cfg"].results_file).read_text())
    arms = results["arms"]
    assert [a["name"] for a in arms] == ["raw", "deid", "dp_eps_inf"]
    assert [a["epsilon"] for a in arms] == [None, None, "inf"]
    assert [a["deidentified"] for a in arms] == [False, True, False]
    assert [a["epsilon_spent"] for a in arms] == [None, None, "inf"]
    assert [a["dp_noise_multiplier"] for a in arms] == [None, None, 0.0]
    assert results["reference"]["name"] == "base"
    assert results["settings"]["dp_delta"] == 0.001
    assert results["exposure_max"] == round(math.log2(11), 3)
    for a in arms:
        assert set(a) >= {"mia_auc", "canary_exposure", "heldout_acc"}
        assert 0.0 <= a["mia_auc"] <= 1.0 and 0.0 <= a["heldout_acc"] <= 1.0
    assert "mia_auc_as_trained" in arms[1] and "mia_auc_as_trained" not in arms[0]
    assert Path(study["cfg"].results_file).with_suffix(".png").is_file()
    assert (study["out"] / "utility_vs_epsilon.png").is_file()
    table = study["report"].read_text()
    assert table.count("\n| ") == 5  # the header, then three arms and the base row


def test_canary_once_in_training_text_and_gone_after_deid(study: dict[str, Any]) -> None:
    cfg, out = study["cfg"], study["out"]
    data = build_data(cfg)
    raw = (out / "data" / "train_raw.jsonl").read_text()
    deid = (out / "data" / "train_deid.jsonl").read_text()
    for canary in data.canaries:
        assert raw.count(canary.secret) == 1
        assert raw.count(json.dumps(canary.text)[1:-1] + ".\\n") == 1
        assert deid.count(canary.secret) == 0
        (i,) = data.placed[canary.id]
        assert data.members[i].startswith(canary.text + ".\n")
    for control in data.controls:
        assert raw.count(control.secret) == 0
    assert len(raw.splitlines()) == 6 and len(deid.splitlines()) == 6


def test_members_and_nonmembers_share_no_patient(tiny_dir: Path, tmp_path: Path) -> None:
    from medllm.privacy import generate_notes

    data = build_data(_cfg(tiny_dir, tmp_path))
    notes = generate_notes(2 * 6 + 6, seed=0)
    by_text = {cut(n.text, 100): n.patient_id for n in notes}
    members = {by_text[m.split(".\n", 1)[-1]] for m in data.members}
    held = {by_text[h] for h in data.nonmembers}
    assert len(data.nonmembers) == 4 and not members & held


def test_context_is_how_the_sft_recipe_renders_a_row() -> None:
    from medllm.train.sft import as_text

    row = sft_rows(["NOTE"])[0]
    rendered = as_text(
        [
            {
                "id": "x",
                "prompt": [{"role": "user", "content": row["prompt"]}],
                "completion": [{"role": "assistant", "content": row["completion"]}],
            }
        ],
        None,
    )[0]
    assert row["prompt"] == NOTE_PROMPT
    assert (rendered["prompt"], rendered["completion"]) == (CONTEXT, " NOTE")


def test_rerun_trains_nothing_and_other_settings_are_refused(
    study: dict[str, Any], tiny_dir: Path
) -> None:
    out = study["out"]
    before = (out / "arms.jsonl").read_text()
    run_leakage(study["cfg"])
    assert (out / "arms.jsonl").read_text() == before  # every arm was measured already
    with pytest.raises(MedllmError) as e:
        run_leakage(_cfg(tiny_dir, study["tmp"], steps=3))
    assert "measured with other settings (steps differ)" in str(e.value)


def test_rows_and_models_are_owner_only(study: dict[str, Any]) -> None:
    out = study["out"]
    for path in [out, out / "data" / "train_raw.jsonl", out / "raw" / "final"]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def test_bad_config_names_the_field() -> None:
    with pytest.raises(ValueError, match="2 canaries x 3 repeats need 6 training notes"):
        PrivacyLeakageConfig.model_validate({"n_train": 4, "canaries": 2, "canary_repeats": 3})
    with pytest.raises(ValueError, match="arm names must differ: raw repeated"):
        PrivacyLeakageConfig.model_validate({"arms": [{"name": "raw"}, {"name": "raw"}]})
