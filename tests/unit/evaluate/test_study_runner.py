"""The study runner: config checks before anything runs, per-item resume of an arm killed mid-way,
the report (CIs, paired tests against the baseline, self-contained HTML), the CLI alias."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medllm.cli import app
from medllm.core import ConfigError, load_config
from medllm.evaluate import StudyConfig, run_study
from medllm.evaluate.metrics import mcnemar_exact, paired_bootstrap


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "study.yaml"
    path.write_text(body, encoding="utf-8")
    return path


ARMS = "arms:\n  - {name: base}\n  - {name: opts, mode: loglik}\n"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "baseline: bsae\n",
            "field \"baseline\": Value error, no arm named 'bsae'; did you mean 'base'? "
            "(arms: base, opts)",
        ),
        (
            "tasks: [mmlu_medicl]\n",
            "field \"tasks\": Value error, task 'mmlu_medicl': unknown task 'mmlu_medicl'; "
            "did you mean 'mmlu_medical'",
        ),
        (
            "arms:\n  - {name: base, mode: fewshoot}\n",
            "field \"arms.0.mode\": Value error, no scoring mode named 'fewshoot'; did you mean "
            "'fewshot'?",
        ),
        (
            "mode: loglik_option\n",
            "field \"mode\": Value error, no scoring mode named 'loglik_option'; did you mean "
            "'loglik_options'?",
        ),
    ],
)
def test_a_bad_arm_task_or_mode_name_fails_at_load_naming_the_fix(
    tmp_path: Path, extra: str, message: str
) -> None:
    body = extra if extra.startswith("arms:") else ARMS + extra
    path = _write(tmp_path, f"kind: study\nname: s\n{body}")
    with pytest.raises(ConfigError) as e:
        load_config(path, StudyConfig)
    assert str(e.value).startswith(f"{path}: {message}")
    assert not (tmp_path / "runs").exists()


def test_start_from_must_name_an_earlier_arm_and_model_is_for_base_arms(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "kind: study\nname: s\narms:\n  - {name: a, config: x.yaml, start_from: b}\n"
        "  - {name: b, config: x.yaml}\n",
    )
    with pytest.raises(ConfigError, match="no earlier arm named 'b'"):
        load_config(path, StudyConfig)
    path = _write(
        tmp_path, "kind: study\nname: s\narms:\n  - {name: a, config: x.yaml, model: hf:x}\n"
    )
    with pytest.raises(
        ConfigError, match=r"`model` is for base arms; .* overrides: \[model=SPEC\]"
    ):
        load_config(path, StudyConfig)
    # the S2-S4 configs' older `runs:` list is read as `arms:`
    path = _write(tmp_path, "kind: study\nname: s\nruns:\n  - {name: a}\n")
    assert load_config(path, StudyConfig).arms[0].name == "a"


def test_mcnemar_exact_on_a_fixed_table() -> None:
    # b = 2 (right only in base), c = 8: p = 2 * P(X <= 2 | n=10, 1/2) = 2 * 56 / 1024
    base = [True] * 2 + [False] * 8 + [True] * 5 + [False] * 3
    other = [False] * 2 + [True] * 8 + [True] * 5 + [False] * 3
    assert mcnemar_exact(base, other) == {"b": 2, "c": 8, "p_value": 0.109375}
    assert mcnemar_exact([True, False], [True, False]) == {"b": 0, "c": 0, "p_value": 1.0}
    with pytest.raises(ValueError, match="2 items against 1"):
        mcnemar_exact([True, False], [True])


def test_paired_bootstrap_with_a_fixed_seed() -> None:
    base = [1, 0, 0, 1, 0, 0, 1, 0, 0, 0]
    other = [1, 1, 0, 1, 1, 0, 1, 1, 0, 0]
    # regression values of seed 0, 1000 resamples (numpy default_rng, percentile interval)
    assert paired_bootstrap(base, other, seed=0) == {"diff": 0.3, "ci_low": 0.0, "ci_high": 0.6}
    assert paired_bootstrap([0, 0, 0], [1, 1, 1]) == {"diff": 1.0, "ci_low": 1.0, "ci_high": 1.0}


class _Stop(Exception):
    pass


def test_an_arm_killed_mid_way_resumes_without_rescoring(
    tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medllm.models.hf import HFModel

    scored: list[str] = []
    real = HFModel.loglikelihood

    def counting(self: Any, requests: Any) -> Any:
        scored.extend(r.context for r in requests)
        return real(self, requests)

    monkeypatch.setattr(HFModel, "loglikelihood", counting)
    cfg = StudyConfig(
        name="s_resume",
        model=f"hf:{tiny_dir}",
        tasks=["mmlu_medical"],
        limit=8,
        batch_size=2,
        cache=False,
        output_dir=str(tmp_path),
        arms=[{"name": "base"}],
    )

    def stop_after_four(task: str, done: int, total: int) -> None:
        if done == 4:
            raise _Stop

    with pytest.raises(_Stop):
        run_study(cfg, progress=stop_after_four)
    first = set(scored)
    assert len(first) == 4  # 4 items (4 option continuations each share the item's context)
    scored.clear()
    md = run_study(cfg)
    assert len(set(scored)) == 4 and not first & set(scored)  # only the 4 unscored items
    report = json.loads(md.with_suffix(".json").read_text())
    assert report["arms"][0]["results"]["mmlu_medical"]["n"] == 8


def test_report_tests_each_arm_against_the_baseline(tiny_dir: Path, tmp_path: Path) -> None:
    from medllm.evaluate.runner import read_samples
    from medllm.evaluate.studies import score_dir

    cfg = StudyConfig(
        name="s_two",
        model=f"hf:{tiny_dir}",
        tasks=["mmlu_medical"],
        limit=12,
        cache=False,
        output_dir=str(tmp_path),
        arms=[{"name": "letters", "mode": "loglik"}, {"name": "options"}],
    )
    md = run_study(cfg)
    report = json.loads(md.with_suffix(".json").read_text())
    rows = {
        arm.name: read_samples(score_dir(cfg, arm, "mmlu_medical") / "samples_mmlu_medical.jsonl")
        for arm in cfg.arms
    }
    ids = list(rows["letters"])
    base = [rows["letters"][i]["correct"] for i in ids]
    other = [rows["options"][i]["correct"] for i in ids]
    letters, options = report["arms"]
    assert "vs_baseline" not in letters and letters["kind"] == "base"
    vs = options["vs_baseline"]["mmlu_medical"]
    assert vs["n_paired"] == 12
    assert vs["mcnemar"] == mcnemar_exact(base, other)
    assert vs["diff"] == pytest.approx((sum(other) - sum(base)) / 12)
    assert options["results"]["mmlu_medical"]["value"] == sum(other) / 12
    text = md.read_text()
    assert "| letters | base |" in text and "| baseline |" in text
    assert f"p={vs['mcnemar']['p_value']:.3g}" in text
    page = (md.parent / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 1 and "<script" not in page
    assert "http" not in page.split("<pre>")[0]


def test_cli_study_run_and_the_older_form(tmp_path: Path, tiny_dir: Path) -> None:
    path = _write(
        tmp_path,
        f"kind: study\nname: s_cli\nmodel: hf:{tiny_dir}\ntasks: [mmlu_medical]\nlimit: 2\n"
        f"cache: false\noutput_dir: {tmp_path}\narms:\n  - {{name: a}}\n  - {{name: b}}\n",
    )
    runner = CliRunner()
    res = runner.invoke(app, ["study", "run", str(path), "--only", "z"])
    assert res.exit_code == 2 and "no arm named z" in res.output
    res = runner.invoke(app, ["study", str(path), "--only", "b"])  # the older form
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "s_cli" / "report.json").read_text())
    assert [a["name"] for a in report["arms"]] == ["b"] and report["baseline_scored"] is False
    assert "report.md" in res.output


def test_an_arm_scores_its_model_with_retrieval_and_keeps_its_definition(
    tiny_dir: Path, tmp_path: Path
) -> None:
    from medllm.core import MedllmError
    from medllm.evaluate.studies import model_spec

    cfg = StudyConfig(
        name="s_def",
        model=f"hf:{tiny_dir}",
        tasks=["mmlu_medical"],
        limit=1,
        cache=False,
        output_dir=str(tmp_path),
        arms=[
            {"name": "plain"},
            {"name": "grounded", "rag": True},
            {"name": "own", "model": "hf:other"},
            {"name": "older", "overrides": ["model=hf:older"]},
        ],
    )
    assert [model_spec(cfg, a) for a in cfg.arms] == [
        f"hf:{tiny_dir}",
        f"rag:hf:{tiny_dir}",
        "hf:other",
        "hf:older",
    ]
    run_study(cfg, only=["plain"])
    moved = cfg.model_copy(update={"model": f"hf:{tiny_dir}?dtype=float32"})
    with pytest.raises(MedllmError, match="arm plain was run with another definition") as e:
        run_study(moved, only=["plain"])
    assert "(model differ" in str(e.value)


def test_start_from_the_first_arm_says_there_is_none_before_it() -> None:
    with pytest.raises(
        ValueError, match=r"no earlier arm named 'zzz'; \(there is no earlier arm\)"
    ):
        StudyConfig(name="s", arms=[{"name": "a", "config": "x.yaml", "start_from": "zzz"}])
