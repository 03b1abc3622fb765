"""More bad input at the command line (issue 24): eval's data and output folder, the result table,
`validate` on every shipped config, ask's context message, kb search, progress bars, UTF-8 offsets.
Each case: exit status 2 and the exact first line of the message, or the good result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medllm.cli import app

runner = CliRunner()
ROOT = Path(__file__).parents[2]
MEDQA = ROOT / "tests" / "fixtures" / "evaluate" / "medqa_4options.jsonl"
KB_FIX = ROOT / "tests" / "fixtures" / "knowledge"


def first_line(output: str) -> str:
    """The first non-blank line (a progress bar that never drew leaves a blank one)."""
    return next(x for x in output.splitlines() if x.strip())


def _eval(tiny_dir: Path, out: Path, *args: str) -> list[str]:
    return ["eval", "--model", f"hf:{tiny_dir}", "--no-cache", "--out", str(out), *args]


# 1. an eval that scores nothing


def test_eval_on_an_empty_task_file_is_refused_naming_it(tiny_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    out = tmp_path / "r"
    res = runner.invoke(app, _eval(tiny_dir, out, "-t", "medqa_4options", "--set", f"path={empty}"))
    assert res.exit_code == 2
    assert first_line(res.output) == (
        f"error: {empty}: task medqa_4options found no item to score in this file "
        "(fix: give a file that holds the task's items in its official format)"
    )
    assert not out.exists()  # refused before the folder is claimed


# 2. a failed eval does not block the corrected command


def test_an_eval_failed_on_bad_input_does_not_block_the_corrected_one(
    tiny_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r"
    bad = tmp_path / "missing.jsonl"
    res = runner.invoke(app, _eval(tiny_dir, out, "-t", "medqa_4options", "--set", f"path={bad}"))
    assert res.exit_code == 2 and first_line(res.output).startswith(f"error: {bad}: file not found")
    res = runner.invoke(app, _eval(tiny_dir, out, "-t", "medqa_4options", "--set", f"path={MEDQA}"))
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["results"]["medqa_4options"]["n"] == 3


def test_an_eval_that_failed_before_scoring_anything_is_taken_over(
    tiny_dir: Path, tmp_path: Path
) -> None:
    """A prompt over the tiny model's 1,024-token context stops the run after the folder is claimed;
    the corrected command (another file) runs there, since nothing was scored."""
    long = tmp_path / "long.jsonl"
    row = json.loads(MEDQA.read_text(encoding="utf-8").splitlines()[0])
    long.write_text(json.dumps({**row, "question": "anemia " * 1500}) + "\n", encoding="utf-8")
    out = tmp_path / "r"
    res = runner.invoke(app, _eval(tiny_dir, out, "-t", "medqa_4options", "--set", f"path={long}"))
    assert res.exit_code == 2 and "context" in res.output.splitlines()[-1]
    assert (out / "run.json").is_file()
    res = runner.invoke(app, _eval(tiny_dir, out, "-t", "medqa_4options", "--set", f"path={MEDQA}"))
    assert res.exit_code == 0, res.output
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))["run"]
    assert run["overrides"] == [f"path={MEDQA}"]


# 3. a second run into a folder that holds another one


def test_eval_into_a_folder_of_another_run_names_what_differs(
    tiny_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r"
    args = ["-t", "medqa_4options", "--set", f"path={MEDQA}"]
    assert runner.invoke(app, _eval(tiny_dir, out, *args, "--limit", "2")).exit_code == 0
    res = runner.invoke(app, _eval(tiny_dir, out, *args, "--limit", "1"))
    assert res.exit_code == 2
    assert first_line(res.output) == (
        f"error: {out} holds another eval run (limit: 2 there, 1 here) "
        "(fix: give another --out folder, or repeat that run's command to resume it)"
    )
    # the same command resumes: nothing is scored twice
    res = runner.invoke(app, _eval(tiny_dir, out, *args, "--limit", "2"))
    assert res.exit_code == 0, res.output
    assert len((out / "samples_medqa_4options.jsonl").read_text().splitlines()) == 2


def test_eval_refuses_a_non_empty_folder_that_holds_no_eval_run(
    tiny_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "a.txt").write_text("x", encoding="utf-8")
    res = runner.invoke(app, _eval(tiny_dir, out, "-t", "medqa_4options", "--set", f"path={MEDQA}"))
    assert res.exit_code == 2
    assert first_line(res.output) == (
        f"error: {out}: the folder is not empty and holds no eval run (run.json) "
        "(fix: give a new or empty --out folder)"
    )
    assert sorted(p.name for p in out.iterdir()) == ["a.txt"]


def _medqa_task(folder: Path) -> Path:
    """The MedQA task with the fixture file as its data, as a task YAML (a study takes paths)."""
    spec = (ROOT / "src/medllm/evaluate/task_specs/medqa_4options.yaml").read_text()
    path = folder / "medqa_4options.yaml"
    path.write_text(spec.replace("path: null", f"path: {MEDQA}"), encoding="utf-8")
    return path


def _study_yaml(path: Path, out: Path, model: str) -> Path:
    task = _medqa_task(path.parent)
    path.write_text(
        f"# medllm study x.yaml\nkind: study\nname: s\ntasks: [{task}]\nlimit: 2\n"
        f"output_dir: {out}\nruns:\n  - name: base\n    config: base\n"
        f'    overrides: ["model={model}"]\n',
        encoding="utf-8",
    )
    return path


def test_a_study_refuses_a_folder_whose_arm_was_run_otherwise(
    tiny_dir: Path, tmp_path: Path
) -> None:
    one = _study_yaml(tmp_path / "one.yaml", tmp_path / "st", f"hf:{tiny_dir}")
    res = runner.invoke(app, ["study", str(one)])
    assert res.exit_code == 0, res.output
    two = _study_yaml(tmp_path / "two.yaml", tmp_path / "st", f"hf:{tiny_dir}?dtype=float32")
    res = runner.invoke(app, ["study", str(two)])
    assert res.exit_code == 2
    assert first_line(res.output) == (
        f"error: {tmp_path / 'st' / 's'}: arm base was run with another definition "
        "(overrides differ) (fix: give the study another name or output_dir, or delete "
        f"{tmp_path / 'st' / 's'} to start over)"
    )
    assert runner.invoke(app, ["study", str(one)]).exit_code == 0  # the same study resumes


def test_a_study_refuses_a_non_empty_folder_that_holds_no_study(
    tiny_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "st" / "s").mkdir(parents=True)
    (tmp_path / "st" / "s" / "a.txt").write_text("x", encoding="utf-8")
    one = _study_yaml(tmp_path / "one.yaml", tmp_path / "st", f"hf:{tiny_dir}")
    res = runner.invoke(app, ["study", str(one)])
    assert res.exit_code == 2
    assert first_line(res.output) == (
        f"error: {tmp_path / 'st' / 's'}: the folder is not empty and holds no study "
        "(study.json) (fix: give the study another name or output_dir, or empty the folder)"
    )


# 4. the result table keeps whole task names at 80 columns


def test_eval_table_never_truncates_task_names(tiny_dir: Path, tmp_path: Path) -> None:
    spec = (ROOT / "src/medllm/evaluate/task_specs/medqa_4options.yaml").read_text()
    names = [f"medqa_4options_hospital_cohort_internal_validation_{s}" for s in ("a", "b")]
    for name in names:
        text = spec.replace("name: medqa_4options", f"name: {name}")
        (tmp_path / f"{name}.yaml").write_text(text.replace("path: null", f"path: {MEDQA}"))
    tasks = ",".join(str(tmp_path / f"{n}.yaml") for n in names)
    res = runner.invoke(app, _eval(tiny_dir, tmp_path / "r", "-t", tasks), env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert max(map(len, lines)) <= 80
    # the task column of the table's body, read top to bottom: both names whole (folded, not cut)
    body = [x for x in lines if x.startswith("│")]
    assert "".join(x.split("│")[1].strip() for x in body) == "".join(names), res.output


# 5. `medllm validate` passes on every shipped config

CONFIGS = sorted((ROOT / "configs").rglob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=[str(p.relative_to(ROOT)) for p in CONFIGS])
def test_validate_passes_on_every_shipped_config(path: Path) -> None:
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 0, res.output
    assert first_line(res.output).startswith(f"ok {path} (")


def test_validate_keeps_a_path_longer_than_the_terminal_on_one_line(tmp_path: Path) -> None:
    """CI clones into a deeper folder than a laptop: rich wrapped the 'ok' line at 80 columns."""
    deep = tmp_path.joinpath(*["a_folder_name_of_some_length"] * 4)
    deep.mkdir(parents=True)
    cfg = deep / "s10_interpretability.yaml"
    cfg.write_text((ROOT / "configs/studies/s10_interpretability.yaml").read_text("utf-8"), "utf-8")
    res = runner.invoke(app, ["validate", str(cfg)])
    assert len(str(cfg)) > 80
    assert first_line(res.output) == f"ok {cfg} (InterpretabilityConfig)"


def test_validate_checks_an_accelerate_config_with_accelerate_itself(tmp_path: Path) -> None:
    res = runner.invoke(app, ["validate", str(ROOT / "configs/accelerate/fsdp.yaml")])
    assert (
        first_line(res.output) == f"ok {ROOT / 'configs/accelerate/fsdp.yaml'} (AccelerateConfig)"
    )
    assert "distributed_type: FSDP" in res.output
    bad = tmp_path / "acc.yaml"
    bad.write_text("compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_GPUS\n")
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 2
    assert first_line(res.output) == (
        f"error: {bad}: field \"distributed_type\": 'MULTI_GPUS' is not a valid DistributedType "
        "(fix: see `accelerate config --help`; accelerate launch reads this file)"
    )
    bad.write_text("distributed_type: MULTI_CPU\nnum_procs: 2\n")
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 2
    assert first_line(res.output) == (
        f"error: {bad}: unknown keys for accelerate: num_procs "
        "(fix: see `accelerate config --help`; accelerate launch reads this file)"
    )


# 7. ask's context-overflow message in plain words


def test_ask_context_overflow_says_prompt_max_tokens_context_and_fix(tiny_dir: Path) -> None:
    # 850 words + 38 tokens of system prompt and chat template = 888 prompt tokens
    res = runner.invoke(app, ["ask", "--plain", "anemia " * 850, "--model", f"hf:{tiny_dir}"])
    assert res.exit_code == 2
    assert first_line(res.output) == (
        "error: the prompt is 888 tokens and max tokens is 256: 1144 in all, over the 1024-token "
        f"context of hf:{tiny_dir.name} (fix: lower max tokens to 136 or less (--max-tokens 136), "
        "shorten the prompt, or load the model with a larger context, e.g. --model "
        '"llamacpp:default?n_ctx=4096")'
    )


def test_context_overflow_with_no_room_to_generate(tiny_model: object) -> None:
    from medllm.core import ContextLengthError

    with pytest.raises(ContextLengthError) as err:
        tiny_model.check_fits(1024, 1)  # type: ignore[attr-defined]
    assert str(err.value) == (
        "the prompt is 1024 tokens, which leaves no room to generate in the 1024-token context "
        "of hf:tiny-llama-0 (fix: shorten the prompt, or load the model with a larger context, "
        'e.g. --model "llamacpp:default?n_ctx=4096")'
    )


# 8. hybrid search without dense vectors says what the dense build costs


@pytest.fixture(scope="module")
def lexical_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kb") / "kb"
    args = [
        "kb",
        "build",
        "--set",
        "sources=[]",
        "--no-dense",
        "--no-deid",
        "--folder",
        str(folder),
    ]
    res = runner.invoke(app, [*args, "--add", str(KB_FIX / "guide.md")])
    assert res.exit_code == 0, res.output
    return folder


def test_hybrid_search_without_vectors_says_how_to_build_them_and_the_cost(
    lexical_kb: Path,
) -> None:
    res = runner.invoke(
        app, ["kb", "search", "asthma", "--retriever", "hybrid", "--folder", str(lexical_kb)]
    )
    assert res.exit_code == 2
    n = json.loads((lexical_kb / "manifest.json").read_text())["n_chunks"]
    assert n == 1  # guide.md is one chunk
    assert first_line(res.output) == (
        f"error: knowledge base {lexical_kb} has no dense vectors (0 of 1 chunks embedded): the "
        "hybrid and dense retrievers need them (fix: run `medllm kb build --dense --set "
        f"sources=[] --folder {lexical_kb}` to embed the 1 chunk, under 1 s on an idle 2-core "
        "CPU (≈ 385 sentences/s), under 1 s on busy cores (4.2–5.0 chunks/s measured; "
        'docs/knowledge.md, "Dense vectors"); or search with --retriever bm25)'
    )


def test_the_dense_cost_of_the_default_knowledge_base() -> None:
    from medllm.knowledge.kb import dense_cost

    # 109,568 chunks / 385 per s = 285 s; / 5.0 = 6.09 h; / 4.2 = 7.25 h
    assert dense_cost(109_568) == (
        "≈ 5 min on an idle 2-core CPU (≈ 385 sentences/s), 6.1–7.2 h on busy cores "
        '(4.2–5.0 chunks/s measured; docs/knowledge.md, "Dense vectors")'
    )


# 9. negative counts are refused by field


@pytest.mark.parametrize("k", ["0", "-3"])
def test_kb_search_refuses_a_k_below_one(lexical_kb: Path, k: str) -> None:
    res = runner.invoke(app, ["kb", "search", "asthma", "-k", k, "--folder", str(lexical_kb)])
    assert res.exit_code == 2
    assert first_line(res.output) == (
        f'error: field "k": {k} hits asked, at least 1 is needed (fix: give -k 5, or any k >= 1)'
    )


def test_a_retriever_refuses_a_k_below_one_in_python(lexical_kb: Path) -> None:
    from medllm.core import ConfigError
    from medllm.knowledge import get_retriever

    with pytest.raises(ConfigError, match=r'^field "k": -1 hits asked, at least 1 is needed'):
        get_retriever("bm25", lexical_kb).search("asthma", -1)


@pytest.mark.parametrize(("option", "field"), [("--limit", "limit"), ("--k", "k")])
def test_eval_refuses_negative_counts_by_field(option: str, field: str) -> None:
    res = runner.invoke(app, ["eval", "-t", "mmlu_medical", option, "-2"])
    assert res.exit_code == 2
    assert first_line(res.output) == (
        f'error: command line: field "{field}": Input should be greater than or equal to 1 '
        "(fix: see `medllm validate --help`)"
    )


@pytest.mark.parametrize(
    ("script", "option"),
    [
        ("train_export.py", "--limit"),
        ("train_familiarity.py", "--limit"),
        ("sft_vs_trl.py", "--limit"),
        ("lmeval_parity.py", "--limit"),
        ("rag_quality.py", "--k"),
    ],
)
def test_benchmark_scripts_refuse_counts_below_one(script: str, option: str) -> None:
    import subprocess
    import sys

    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, str(ROOT / "benchmarks" / script), option, "-1"]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert res.returncode == 2
    assert res.stderr.splitlines()[-1] == (
        f"{script}: error: argument {option}: -1 is below 1 (fix: give 1 or more)"
    )


# 10. no transformers progress bar in `models info` or `ask`


def test_models_info_prints_no_loading_bar(tiny_dir: Path) -> None:
    res = runner.invoke(app, ["models", "info", f"hf:{tiny_dir}"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        f"id: hf:{tiny_dir.name}",
        "backend: hf",
        "context length: 1024",
        "tokens in 'hello world': 2",
    ]


# 11. bad UTF-8 in a YAML config: line and byte


def test_yaml_not_utf8_names_line_and_byte(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_bytes(b"kind: eval\nlimit: 5\nname: caf\xe9\n")
    res = runner.invoke(app, ["validate", str(cfg)])
    assert res.exit_code == 2
    assert first_line(res.output) == (
        f"error: {cfg}:3: not UTF-8 text (byte 10 of the line, 30 of the file) "
        "(fix: save the file as UTF-8)"
    )
