"""Cases: ask, models, validate, ls, eval, report, the documented Python API."""

from __future__ import annotations

import json
from pathlib import Path

from bad_input_cases import Case, Link, fixture

MEDQA = fixture("evaluate/medqa_4options.jsonl")
MEDQA_ROW = json.loads(MEDQA.splitlines()[0])
Q = "What is anemia?"
LONG = "clinic_medqa_questions_from_the_spring_exam"
TASK_YAML = (
    "kind: task\nname: my_medqa\nversion: 1\nloader: medqa\npath: q.jsonl\n"
    'options: {n_options: 4}\nprompt: "{question}\\n{choices}\\nAnswer:"\nmode: loglik\n'
)


def _row(**change: object) -> str:
    row = {**MEDQA_ROW, **change}
    return json.dumps({k: v for k, v in row.items() if v is not None}) + "\n"


def ask() -> list[Case]:
    c = [
        Case(
            "ask_empty",
            "ask",
            ["ask", ""],
            r"^error: the question is empty",
            issue='`medllm ask ""`: the empty question goes to the model, exit 0',
        ),
        Case(
            "ask_blank",
            "ask",
            ["ask", "   "],
            r"^error: the question is empty",
            issue='`medllm ask "   "`: the empty question goes to the model, exit 0',
        ),
        Case("ask_newline_tab", "ask", ["ask", "\n\t"], r"^error: the question is empty"),
        Case(
            "ask_max_tokens_0",
            "ask",
            ["ask", Q, "--max-tokens", "0"],
            r"--max-tokens",
            issue="Silent no-ops: `--max-tokens 0`",
        ),
        Case("ask_max_tokens_neg", "ask", ["ask", Q, "--max-tokens", "-5"], r"--max-tokens"),
        Case("ask_max_tokens_text", "ask", ["ask", Q, "--max-tokens", "many"], r"--max-tokens"),
        Case(
            "ask_temperature_neg",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--temperature", "-1"],
            r"temperature",
        ),
        Case(
            "ask_temperature_nan",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--temperature", "nan"],
            r"temperature",
        ),
        Case(
            "ask_spec_n_ctx_abc",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--model", "llamacpp:default?n_ctx=abc"],
            r'^error: model spec .*field "n_ctx"',
            issue='`--model "llamacpp:default?n_ctx=abc"`: a pydantic traceback',
        ),
        Case(
            "ask_spec_n_ctx_0",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--model", "llamacpp:default?n_ctx=0"],
            r'field "n_ctx"',
        ),
        Case(
            "ask_spec_n_ctx_neg",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--model", "llamacpp:default?n_ctx=-8"],
            r'field "n_ctx"',
        ),
        Case(
            "ask_spec_n_threads_0",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--model", "llamacpp:default?n_threads=0"],
            r'field "n_threads"',
        ),
        Case(
            "ask_spec_option_typo",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--model", "llamacpp:default?n_cxt=2048"],
            r"did you mean 'n_ctx'\?",
        ),
        Case(
            "ask_spec_option_no_value",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--model", "llamacpp:default?n_ctx"],
            r"n_ctx",
        ),
        Case(
            "ask_backend_typo",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--model", "llamcpp:default"],
            r"did you mean 'llamacpp'\?",
            forbid=(r"unknown backends",),
            issue='Smaller: "unknown backends" for one name',
        ),
        Case(
            "ask_spec_no_backend",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--model", "default"],
            r"model spec",
        ),
        Case(
            "ask_spec_empty", "ask", ["ask", Q, "--max-tokens", "4", "--model", ""], r"model spec"
        ),
        Case(
            "ask_hf_nonexistent",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--model", "hf:/nonexistent"],
            r"/nonexistent.*not found|not found.*/nonexistent",
            max_seconds=10,
            issue='`--model hf:/nonexistent` takes 36 s to say "not found"',
        ),
        Case(
            "ask_hf_empty_folder",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--model", "hf:{tmp}/m"],
            r"m\b",
            files={"m/": ""},
            max_seconds=15,
        ),
        Case(
            "ask_hf_file",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--model", "hf:{tmp}/m.txt"],
            r"m\.txt",
            files={"m.txt": "not a model\n"},
            max_seconds=15,
        ),
        Case(
            "ask_gguf_missing",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--model", "llamacpp:/nonexistent.gguf"],
            r"nonexistent\.gguf",
        ),
        Case(
            "ask_gguf_not_gguf",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--model", "llamacpp:{tmp}/fake.gguf"],
            r"fake\.gguf",
            files={"fake.gguf": "this is text, not GGUF\n"},
        ),
        Case(
            "ask_gguf_folder",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--model", "llamacpp:{tmp}/d"],
            r"\bd\b",
            files={"d/": ""},
        ),
        Case(
            "ask_openai_no_url",
            "ask",
            ["ask", Q, "--max-tokens", "4", "--model", "openai:#gpt"],
            r"openai",
        ),
        Case(
            "ask_openai_refused",
            "ask",
            ["ask", "--plain", Q, "--max-tokens", "4", "--model", "openai:http://127.0.0.1:9/v1#m"],
            r"127\.0\.0\.1:9",
            max_seconds=20,
        ),
        Case(
            "ask_context_overflow",
            "ask",
            ["ask", "--plain", "anemia " * 400, "--model", "llamacpp:default?n_ctx=128"],
            r"^error: .*context",
            forbid=(r"\+ 1 to generate",),
            issue='`ask`\'s "+ 1 to generate" in the context-overflow message',
        ),
        Case("ask_unknown_option", "ask", ["ask", Q, "--rag-k", "3"], r"--rag-k"),
        Case("ask_no_question", "ask", ["ask"], r"QUESTION"),
    ]
    return c


def models() -> list[Case]:
    return [
        Case(
            "models_info_hf_nonexistent",
            "models",
            ["models", "info", "hf:/nonexistent"],
            r"/nonexistent",
            max_seconds=10,
            issue='`--model hf:/nonexistent` takes 36 s to say "not found" (models info)',
        ),
        Case(
            "models_info_backend_typo",
            "models",
            ["models", "info", "hff:x"],
            r"did you mean 'hf'\?",
        ),
        Case(
            "models_info_bad_option",
            "models",
            ["models", "info", "llamacpp:default?n_ctx=abc"],
            r'field "n_ctx"',
        ),
        Case(
            "models_info_default_no_bar",
            "models",
            ["models", "info"],
            r"",
            code=0,
            forbid=(r"Loading weights",),
            issue='transformers\' "Loading weights" bar leaks into `ask` and `models info`',
        ),
        Case("models_ls_extra_arg", "models", ["models", "ls", "extra"], r"extra"),
        Case(
            "models_convert_missing",
            "models",
            ["models", "convert", "/nonexistent.gguf"],
            r"nonexistent\.gguf",
        ),
        Case(
            "models_convert_not_gguf",
            "models",
            ["models", "convert", "{tmp}/x.gguf"],
            r"x\.gguf",
            files={"x.gguf": b"\x00\x01 not gguf"},
        ),
        Case(
            "models_convert_dtype",
            "models",
            ["models", "convert", "--dtype", "float8"],
            r"float8|dtype",
        ),
    ]


def validate() -> list[Case]:
    v = "validate"
    y = "{tmp}/c.yaml"
    cases = [
        Case("validate_missing", v, [v, "/nonexistent.yaml"], r"nonexistent\.yaml.*not found"),
        Case("validate_folder", v, [v, "{tmp}"], r"config file|folder|not a file"),
        Case("validate_empty_file", v, [v, y], r"c\.yaml.*kind", files={"c.yaml": ""}),
        Case("validate_no_kind", v, [v, y], r'c\.yaml.*"?kind', files={"c.yaml": "limit: 5\n"}),
        Case(
            "validate_kind_typo",
            v,
            [v, y],
            r"did you mean 'eval'\?",
            files={"c.yaml": "kind: evall\n"},
        ),
        Case("validate_kind_number", v, [v, y], r"'5'|kind", files={"c.yaml": "kind: 5\n"}),
        Case(
            "validate_unknown_key",
            v,
            [v, y],
            r'field "limt".*did you mean .limit.',
            files={"c.yaml": "kind: eval\nlimt: 5\n"},
            issue='Smaller: no "did you mean" for unknown config keys',
        ),
        Case(
            "validate_unknown_nested_key",
            v,
            [v, y],
            r'field "optim.max_step".*did you mean .max_steps.',
            files={"c.yaml": "kind: sft\noptim:\n  max_step: 5\n"},
        ),
        Case(
            "validate_wrong_type",
            v,
            [v, y],
            r'field "limit"',
            files={"c.yaml": "kind: eval\nlimit: five\n"},
        ),
        Case(
            "validate_negative",
            v,
            [v, y],
            r'field "limit"',
            files={"c.yaml": "kind: eval\nlimit: -1\n"},
        ),
        Case(
            "validate_tabs",
            v,
            [v, y],
            r"c\.yaml:2: invalid YAML",
            files={"c.yaml": "kind: eval\n\tlimit: 5\n"},
        ),
        Case(
            "validate_unclosed_list",
            v,
            [v, y],
            r"c\.yaml:\d+: invalid YAML",
            files={"c.yaml": "kind: eval\ntasks: [mmlu_medical\n"},
        ),
        Case(
            "validate_top_list",
            v,
            [v, y],
            r"c\.yaml: top level must be a mapping",
            files={"c.yaml": "- kind: eval\n"},
        ),
        Case(
            "validate_top_scalar",
            v,
            [v, y],
            r"c\.yaml: top level must be a mapping",
            files={"c.yaml": "eval\n"},
        ),
        Case(
            "validate_bom",
            v,
            [v, y],
            r"^ok ",
            code=0,
            files={"c.yaml": b"\xef\xbb\xbfkind: eval\nlimit: 5\n"},
            issue="JSONL and YAML readers: accept a BOM (YAML)",
        ),
        Case(
            "validate_bad_utf8",
            v,
            [v, y],
            r"c\.yaml:3: not UTF-8",
            files={"c.yaml": b"kind: eval\nlimit: 5\nout_dir: caf\xe9\n"},
            issue="Tracebacks: the JSONL and YAML readers do not catch bad UTF-8 (YAML)",
        ),
        Case("validate_binary", v, [v, y], r"c\.yaml", files={"c.yaml": bytes(range(256))}),
        Case(
            "validate_duplicate_key",
            v,
            [v, y],
            r"c\.yaml:3: .*limit",
            files={"c.yaml": "kind: eval\nlimit: 5\nlimit: 50\n"},
        ),
        Case(
            "validate_symlink_loop", v, [v, y], r"c\.yaml", files={"c.yaml": Link("{tmp}/c.yaml")}
        ),
        Case(
            "validate_set_not_kv",
            v,
            [v, y, "--set", "limit"],
            r"override 'limit'",
            files={"c.yaml": "kind: eval\n"},
        ),
        Case(
            "validate_set_typo",
            v,
            [v, y, "--set", "limt=5"],
            r"did you mean .limit.",
            files={"c.yaml": "kind: eval\n"},
        ),
        Case(
            "validate_set_wrong_type",
            v,
            [v, y, "--set", "limit=abc"],
            r'field "limit"',
            files={"c.yaml": "kind: eval\n"},
        ),
        Case(
            "validate_set_into_scalar",
            v,
            [v, y, "--set", "limit.x=1"],
            r"limit",
            files={"c.yaml": "kind: eval\nlimit: 3\n"},
        ),
        Case(
            "validate_deid_transform_typo",
            v,
            [v, y],
            r"did you mean 'redact'\?",
            files={"c.yaml": "kind: deid\ntransform: redcat\n"},
        ),
        Case(
            "validate_deid_recognizer_typo",
            v,
            [v, y],
            r"did you mean 'phone'\?",
            files={"c.yaml": "kind: deid\nrecognizers: [phnoe]\n"},
        ),
        Case(
            "validate_deid_on_error",
            v,
            [v, y],
            r'field "on_error"',
            files={"c.yaml": "kind: deid\non_error: ignore\n"},
        ),
        Case(
            "validate_knowledge_source_typo",
            v,
            [v, y],
            r"did you mean 'icd10cm'",
            files={"c.yaml": "kind: knowledge\nsources: [icd10cn]\n"},
        ),
        Case(
            "validate_knowledge_window",
            v,
            [v, y],
            r"max_tokens",
            files={"c.yaml": "kind: knowledge\nmax_tokens: 512\n"},
        ),
        Case(
            "validate_model_bad_spec",
            v,
            [v, y],
            r"spec",
            files={"c.yaml": "kind: model\nspec: nosuch:thing\n"},
        ),
        Case(
            "validate_sft_lr_zero",
            v,
            [v, y],
            r'field "optim.learning_rate"',
            files={"c.yaml": "kind: sft\noptim: {learning_rate: 0}\n"},
        ),
        Case(
            "validate_sft_mode",
            v,
            [v, y],
            r'field "mode"',
            files={"c.yaml": "kind: sft\nmode: half\n"},
        ),
        Case(
            "validate_study_no_runs",
            v,
            [v, y],
            r'field "runs"',
            files={"c.yaml": "kind: study\nname: s\nruns: []\n"},
        ),
    ]
    for name in ("cpu_ddp", "ddp", "fsdp"):
        cases.append(
            Case(
                f"validate_shipped_accelerate_{name}",
                v,
                [v, f"{{repo}}/configs/accelerate/{name}.yaml"],
                r"^ok ",
                code=0,
                issue="the 3 shipped `configs/accelerate/` files fail `medllm validate`",
            )
        )
    return cases


def ls() -> list[Case]:
    return [
        Case("ls_registry_typo", "ls", ["ls", "taks"], r"did you mean 'tasks'\?"),
        Case("ls_registry_unknown", "ls", ["ls", "zzz"], r"zzz"),
        Case("ls_extra_arg", "ls", ["ls", "tasks", "more"], r"more"),
    ]


def _eval(*args: str) -> list[str]:
    return ["eval", "--no-cache", "--out", "{tmp}/r", *args]


def eval_() -> list[Case]:
    e = "eval"
    med = ["--tasks", "medqa_4options", "--set", "path=q.jsonl", "--limit", "1"]
    no_summary = _no_file("r/summary.json")
    return [
        Case("eval_no_tasks", e, _eval(), r"task", check=no_summary),
        Case(
            "eval_task_typo", e, _eval("--tasks", "medqa_4option"), r"did you mean 'medqa_4options'"
        ),
        Case("eval_task_empty_list", e, _eval("--tasks", ","), r"task"),
        Case(
            "eval_mode_typo",
            e,
            _eval("--tasks", "mmlu_medical", "--mode", "logilk"),
            r"did you mean 'loglik'\?",
        ),
        Case("eval_limit_0", e, _eval("--tasks", "mmlu_medical", "--limit", "0"), r'"limit"'),
        Case(
            "eval_limit_neg",
            e,
            _eval("--tasks", "mmlu_medical", "--limit", "-3"),
            r'"limit"',
            issue="Tracebacks: negative `--limit`",
        ),
        Case(
            "eval_batch_0",
            e,
            _eval("--tasks", "mmlu_medical", "--batch-size", "0"),
            r'"batch_size"',
        ),
        Case("eval_k_0", e, _eval("--tasks", "mmlu_medical", "--k", "0"), r'"k"'),
        Case(
            "eval_fewshot_neg",
            e,
            _eval("--tasks", "mmlu_medical", "--num-fewshot", "-1"),
            r'"num_fewshot"',
        ),
        Case("eval_seed_text", e, _eval("--tasks", "mmlu_medical", "--seed", "x"), r"--seed"),
        Case(
            "eval_path_on_generated",
            e,
            _eval("--tasks", "icd10cm_concepts", "--set", "path=/nonexistent"),
            r'task icd10cm_concepts: field "path"',
            check=no_summary,
            issue="`medllm eval --tasks icd10cm_concepts --set path=/nonexistent`: override "
            "dropped silently",
        ),
        Case(
            "eval_set_not_kv",
            e,
            _eval("--tasks", "medqa_4options", "--set", "path"),
            r"override 'path'",
        ),
        Case(
            "eval_set_typo",
            e,
            _eval("--tasks", "medqa_4options", "--set", "pth=q.jsonl"),
            r"did you mean 'path'\?",
            files={"q.jsonl": MEDQA},
        ),
        Case(
            "eval_set_option_typo",
            e,
            _eval(
                "--tasks",
                "medqa_4options",
                "--set",
                "path=q.jsonl",
                "--set",
                "options.n_option=4",
                "--limit",
                "1",
            ),
            r"n_option",
            files={"q.jsonl": MEDQA},
        ),
        Case("eval_medqa_no_path", e, _eval("--tasks", "medqa_4options"), r"path"),
        Case(
            "eval_medqa_missing_file",
            e,
            _eval("--tasks", "medqa_4options", "--set", "path=/nonexistent.jsonl"),
            r"nonexistent\.jsonl",
        ),
        Case(
            "eval_medqa_folder",
            e,
            _eval("--tasks", "medqa_4options", "--set", "path={tmp}"),
            r"not a file|folder|directory",
        ),
        Case(
            "eval_medqa_empty_file",
            e,
            _eval(*med),
            r"q\.jsonl.*(no items?|empty)",
            files={"q.jsonl": ""},
            check=no_summary,
            issue="Silent no-ops: an eval on an empty data file exits 0 with no item scored",
        ),
        Case(
            "eval_medqa_bad_json",
            e,
            _eval(*med),
            r"q\.jsonl:2: invalid JSON",
            files={"q.jsonl": MEDQA.splitlines()[0] + "\n{oops\n"},
        ),
        Case(
            "eval_medqa_missing_field",
            e,
            _eval(*med),
            r'q\.jsonl:1: field "answer_idx"',
            files={"q.jsonl": _row(answer_idx=None)},
        ),
        Case(
            "eval_medqa_options_list",
            e,
            _eval(*med),
            r'q\.jsonl:1: field "options"',
            files={"q.jsonl": _row(options=["a", "b", "c", "d"])},
        ),
        Case(
            "eval_medqa_answer_not_option",
            e,
            _eval(*med),
            r'q\.jsonl:1: field "answer_idx"',
            files={"q.jsonl": _row(answer_idx="Z")},
        ),
        Case(
            "eval_medqa_bad_utf8",
            e,
            _eval(*med),
            r"q\.jsonl:2: not UTF-8 text \(byte",
            files={"q.jsonl": (MEDQA.splitlines()[0] + "\n").encode() + b'{"question": "\xff"}\n'},
            issue="JSONL readers do not catch bad UTF-8 (eval data)",
        ),
        Case(
            "eval_medqa_bom",
            e,
            _eval(*med),
            r"",
            code=0,
            files={"q.jsonl": b"\xef\xbb\xbf" + MEDQA.encode()},
            timeout=120,
        ),
        Case(
            "eval_medmcqa_bad_cop",
            e,
            _eval("--tasks", "medmcqa_dev", "--set", "path=d.json", "--limit", "1"),
            r'd\.json:1: field "cop"',
            files={
                "d.json": json.dumps(
                    {
                        "id": "x",
                        "question": "q?",
                        "opa": "a",
                        "opb": "b",
                        "opc": "c",
                        "opd": "d",
                        "cop": 7,
                        "subject_name": "Anatomy",
                    }
                )
                + "\n"
            },
        ),
        Case(
            "eval_pubmedqa_list",
            e,
            _eval("--tasks", "pubmedqa_pqal_noctx", "--set", "path=p.json", "--limit", "1"),
            r"p\.json",
            files={"p.json": "[1, 2, 3]\n"},
        ),
        Case(
            "eval_pubmedqa_split_missing",
            e,
            _eval(
                "--tasks",
                "pubmedqa_pqal_noctx",
                "--set",
                "path=p.json",
                "--set",
                "options.split_file=/nonexistent.json",
                "--limit",
                "1",
            ),
            r"nonexistent\.json",
            files={"p.json": fixture("evaluate/ori_pqal.json")},
        ),
        Case(
            "eval_bioasq_no_questions",
            e,
            _eval("--tasks", "bioasq_yesno", "--set", "path=b.json", "--limit", "1"),
            r"b\.json.*questions",
            files={"b.json": '{"items": []}\n'},
        ),
        Case("eval_task_yaml_missing", e, _eval("--tasks", "{tmp}/none.yaml"), r"none\.yaml"),
        Case(
            "eval_task_yaml_typo",
            e,
            _eval("--tasks", "{tmp}/my_medqa.yaml"),
            r"did you mean 'loader'\?",
            files={"my_medqa.yaml": TASK_YAML.replace("loader:", "loadr:"), "q.jsonl": MEDQA},
        ),
        Case(
            "eval_task_yaml_loader_typo",
            e,
            _eval("--tasks", "{tmp}/my_medqa.yaml"),
            r"did you mean 'medqa'",
            files={
                "my_medqa.yaml": TASK_YAML.replace("loader: medqa", "loader: medqaa"),
                "q.jsonl": MEDQA,
            },
        ),
        Case(
            "eval_task_yaml_wrong_kind",
            e,
            _eval("--tasks", "{repo}/configs/train/sft.yaml"),
            r"sft\.yaml.*kind",
        ),
        Case("eval_config_missing", e, _eval("-c", "/nonexistent.yaml"), r"nonexistent\.yaml"),
        Case(
            "eval_config_wrong_kind",
            e,
            _eval("-c", "{repo}/configs/knowledge/default.yaml"),
            r"default\.yaml.*kind",
        ),
        Case(
            "eval_config_unknown_key",
            e,
            _eval("-c", "{tmp}/c.yaml"),
            r"did you mean 'tasks'\?",
            files={"c.yaml": "kind: eval\ntask: [mmlu_medical]\n"},
        ),
        Case(
            "eval_out_is_file",
            e,
            ["eval", "--tasks", "mmlu_medical", "--out", "{tmp}/f"],
            r"f\b.*(file|folder)",
            files={"f": "x\n"},
        ),
        Case(
            "eval_out_parent_file",
            e,
            ["eval", "--tasks", "mmlu_medical", "--out", "{tmp}/f/r"],
            r"f/r",
            files={"f": "x\n"},
        ),
        Case(
            "eval_out_unwritable",
            e,
            ["eval", "--tasks", "mmlu_medical", "--out", "/sys/medllm-badin"],
            r"/sys/medllm-badin",
        ),
        Case(
            "eval_model_bad_option",
            e,
            _eval("--tasks", "mmlu_medical", "--model", "llamacpp:default?n_ctx=abc"),
            r'field "n_ctx"',
        ),
        Case(
            "eval_model_hf_missing",
            e,
            _eval("--tasks", "mmlu_medical", "--model", "hf:/none"),
            r"/none",
            max_seconds=15,
        ),
        Case(
            "eval_model_rag_empty", e, _eval("--tasks", "mmlu_medical", "--model", "rag:"), r"rag"
        ),
        Case(
            "eval_rerun_after_failure",
            e,
            _eval(*med),
            r"",
            code=0,
            timeout=120,
            files={"q.jsonl": MEDQA, "bad.jsonl": "{oops\n"},
            pre=[_eval("--tasks", "medqa_4options", "--set", "path=bad.jsonl", "--limit", "1")],
            issue="a failed eval leaves `run.json` behind so the corrected command is refused",
        ),
        Case(
            "eval_other_run_same_out",
            e,
            _eval("--tasks", "medqa_4options", "--set", "path=q.jsonl", "--limit", "2"),
            r"holds (a different|another eval) run",
            files={"q.jsonl": MEDQA},
            timeout=120,
            pre=[_eval(*med)],
            issue="a second run into a non-empty output folder mixes the two runs (eval)",
        ),
        Case(
            "eval_table_names_80_columns",
            e,
            _eval("--tasks", f"{{tmp}}/{LONG}_one.yaml,{{tmp}}/{LONG}_two.yaml", "--limit", "1"),
            r"",
            code=0,
            env={"COLUMNS": "80"},
            timeout=180,
            need=(f"{LONG}_one", f"{LONG}_two"),
            files={
                "q.jsonl": MEDQA,
                **{
                    f"{LONG}_{n}.yaml": TASK_YAML.replace("name: my_medqa", f"name: {LONG}_{n}")
                    for n in ("one", "two")
                },
            },
            issue="eval's result table truncates task names at 80 columns",
        ),
    ]


def _no_file(rel: str):  # type: ignore[no-untyped-def]
    def check(tmp: Path) -> str | None:
        return f"{rel} was written" if (tmp / rel).exists() else None

    return check


def report() -> list[Case]:
    r = "report"
    return [
        Case("report_missing_dir", r, [r, "/nonexistent-run"], r"nonexistent-run"),
        Case("report_empty_dir", r, [r, "{tmp}/run"], r"run.*summary\.json", files={"run/": ""}),
        Case(
            "report_bad_summary",
            r,
            [r, "{tmp}/run"],
            r"summary\.json",
            files={"run/summary.json": "{not json"},
        ),
        Case(
            "report_summary_wrong_shape",
            r,
            [r, "{tmp}/run"],
            r"summary\.json",
            files={"run/summary.json": "[1, 2]\n"},
        ),
        Case("report_file_not_dir", r, [r, "{tmp}/x.json"], r"x\.json", files={"x.json": "{}\n"}),
        Case(
            "report_out_is_dir",
            r,
            [r, "{tmp}/run", "--out", "{tmp}"],
            r"out|folder|file",
            files={"run/": ""},
        ),
        Case("report_no_args", r, [r], r"RUN_DIRS"),
    ]


def python_api() -> list[Case]:
    return [
        Case(
            "python_rag_face_import",
            "python_api",
            ["python", "-c", "from medllm.rag import answer, RagSettings; print('ok')"],
            r"^ok$",
            code=0,
            issue="The documented `from medllm.rag import answer, RagSettings` raises "
            "RecursionError",
        ),
    ]


def cases() -> list[Case]:
    return [*ask(), *models(), *validate(), *ls(), *eval_(), *report(), *python_api()]
