"""Cases: deid run / eval / generate, kb build / search / info, train, study, privacy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bad_input_cases import NOTE, PHI, Case, Link, fixture

D = "deid_run"
OUT = "{tmp}/out"
PATIENT = "john-smith-4839201"
FHIR_PHI = (PATIENT, "John Smith", "Smith", "4839201")


def _jsonl(*texts: str) -> str:
    return "".join(json.dumps({"id": f"n{i}", "text": t}) + "\n" for i, t in enumerate(texts))


def _fhir() -> str:
    patient = {
        "resourceType": "Patient",
        "id": PATIENT,
        "name": [{"family": "Smith", "given": ["John"]}],
    }
    cond = {
        "resourceType": "Condition",
        "id": "c1",
        "subject": {"reference": f"Patient/{PATIENT}", "display": "John Smith"},
        "code": {"text": "anemia"},
    }
    return json.dumps(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"fullUrl": f"http://example.org/fhir/Patient/{PATIENT}", "resource": patient},
                {"fullUrl": "urn:uuid:c1", "resource": cond},
            ],
        }
    )


def _dr(id_: str, *args: str, inp: str = "{tmp}/in", **kw: Any) -> Case:
    """A `deid run IN OUT ARGS` case; its stdout, stderr and OUT are scanned for the PHI."""
    return Case(
        id_, D, **{"argv": ["deid", "run", inp, OUT, *args], "phi": PHI, "scan": ("out",), **kw}
    )


def _manifest(tmp: Path) -> dict[str, object]:
    return dict(json.loads((tmp / "out" / "deid_manifest.json").read_text(encoding="utf-8")))


def _skipped(n: int):  # type: ignore[no-untyped-def]
    def check(tmp: Path) -> str | None:
        try:
            got = _manifest(tmp).get("skipped_records")
        except (OSError, ValueError) as e:
            return f"no manifest ({type(e).__name__})"
        return None if got == n else f"manifest skipped_records {got}, not {n}"

    return check


def _owner_only(tmp: Path) -> str | None:
    bad = [p for p in [tmp / "out", *(tmp / "out").rglob("*")] if p.stat().st_mode & 0o077]
    return f"{len(bad)} output paths readable by others" if bad else None


def _incomplete(tmp: Path) -> str | None:
    try:
        m = _manifest(tmp)
    except (OSError, ValueError):
        return None  # no manifest at all: nothing looks finished
    return None if m.get("complete") is False or m.get("interrupted") else "manifest looks finished"


def deid_run() -> list[Case]:
    note = {"in/note.txt": NOTE}
    jl = {"in/notes.jsonl": _jsonl(NOTE, NOTE)}
    c = [
        _dr("deid_in_missing", inp="{tmp}/none", expect=r"none"),
        _dr(
            "deid_out_is_file",
            expect=r"out: output folder is an existing file",
            files={**note, "out": ""},
            issue="`deid run IN OUT` where OUT is an existing file",
        ),
        Case(
            "deid_out_parent_file",
            D,
            phi=PHI,
            scan=("out",),
            argv=["deid", "run", "{tmp}/in", "{tmp}/f/out"],
            expect=r"f/out: output folder's parent is a file",
            files={**note, "f": ""},
            issue="`deid run IN OUT` where OUT's parent is a file",
        ),
        Case(
            "deid_out_uncreatable",
            D,
            phi=PHI,
            scan=("out",),
            argv=["deid", "run", "{tmp}/in", "/sys/medllm-badin"],
            expect=r"/sys/medllm-badin",
            files=note,
            issue="`deid run IN OUT` where OUT cannot be created",
        ),
        Case(
            "deid_out_is_in",
            D,
            phi=PHI,
            scan=("out",),
            argv=["deid", "run", "{tmp}/in", "{tmp}/in"],
            expect=r"in\b",
            files=note,
        ),
        Case(
            "deid_out_inside_in",
            D,
            phi=PHI,
            scan=("in/out",),
            argv=["deid", "run", "{tmp}/in", "{tmp}/in/out"],
            expect=r"in/out",
            files=note,
        ),
        _dr(
            "deid_out_nonempty_other_run",
            expect=r"out.*(not empty|another run)",
            files={**note, "in2/other.txt": NOTE},
            pre=[["deid", "run", "{tmp}/in2", OUT]],
            issue="a second run into a non-empty output folder mixes the two runs and "
            "overwrites the manifest",
        ),
        _dr(
            "deid_file_names_kept",
            expect=r"",
            code=0,
            files={"in/smith_john_2024-03-14.txt": NOTE},
            phi=(*PHI, "smith_john", "smith", "john"),
            issue="`deid run` output keeps the input file and folder names "
            "(`smith_john_2024-03-14.txt`)",
        ),
        _dr(
            "deid_folder_names_kept",
            expect=r"",
            code=0,
            files={"in/smith_john/visit_2024-03-14/n.txt": NOTE},
            phi=(*PHI, "smith", "john"),
            issue="`deid run` output keeps the input file and folder names (folders)",
        ),
        _dr(
            "deid_out_owner_only",
            expect=r"",
            code=0,
            files=note,
            check=_owner_only,
            issue="output folders created 0755",
        ),
        _dr(
            "deid_jsonl_bad_line",
            expect=r"notes\.jsonl:2: invalid JSON",
            files={"in/notes.jsonl": _jsonl(NOTE) + '{"id": "x", "text": "cut\n'},
            forbid=(r"\bat at\b",),
            issue='the invalid-JSON message has no `(fix: ...)` and says "at at"',
        ),
        _dr(
            "deid_jsonl_bad_line_skip",
            "--set",
            "on_error=skip",
            expect=r"",
            code=0,
            files={"in/notes.jsonl": _jsonl(NOTE) + '{"id": "x", "text": "cut\n' + _jsonl(NOTE)},
            check=_skipped(1),
            issue="`--set on_error=skip` does not skip an unparseable JSONL line",
        ),
        _dr(
            "deid_jsonl_missing_text",
            expect=r'notes\.jsonl:1: field "text"',
            files={"in/notes.jsonl": json.dumps({"id": "a", "body": NOTE}) + "\n"},
        ),
        _dr(
            "deid_jsonl_text_number",
            expect=r'notes\.jsonl:1: field "text"',
            files={"in/notes.jsonl": '{"id": "a", "text": 5}\n'},
        ),
        _dr(
            "deid_jsonl_not_object",
            expect=r"notes\.jsonl:2: expected a JSON obj",
            files={"in/notes.jsonl": _jsonl(NOTE) + "[1, 2]\n"},
        ),
        _dr(
            "deid_jsonl_bom",
            expect=r"",
            code=0,
            files={"in/notes.jsonl": b"\xef\xbb\xbf" + _jsonl(NOTE).encode()},
            issue="JSONL readers: accept a BOM",
        ),
        _dr(
            "deid_jsonl_bad_utf8",
            expect=r"notes\.jsonl:2: not UTF-8 text \(byte",
            files={"in/notes.jsonl": _jsonl(NOTE).encode() + b'{"id": "b", "text": "\xff"}\n'},
            issue="the JSONL readers do not catch bad UTF-8 (decode per line)",
        ),
        _dr(
            "deid_txt_bad_utf8",
            expect=r"note\.txt:2: not UTF-8 text \(byte",
            files={"in/note.txt": NOTE.encode() + b"caf\xe9\n"},
            issue='Smaller: "not UTF-8 text" without a line or byte offset',
        ),
        _dr("deid_txt_binary", expect=r"note\.txt", files={"in/note.txt": bytes(range(256)) * 4}),
        _dr("deid_field_missing", "--field", "body", expect=r'field "body"', files=jl),
        _dr("deid_empty_txt", expect=r"", code=0, files={"in/e.txt": ""}),
        _dr("deid_empty_jsonl", expect=r"", code=0, files={"in/e.jsonl": ""}),
        _dr("deid_empty_folder", expect=r"in.*(no .*files|nothing)", files={"in/": ""}),
        _dr(
            "deid_other_types_said",
            expect=r"",
            code=0,
            files={**note, "in/scan.pdf": "%PDF-1.4 " + NOTE, "in/notes.csv": NOTE},
            need=(r"(?i)skipp.*(2|pdf|csv)",),
            issue="folder runs skip other file types ... without a word",
        ),
        _dr(
            "deid_dotfile_said",
            expect=r"",
            code=0,
            files={**note, "in/.hidden.txt": NOTE},
            need=(r"(?i)(skipp|hidden|dot)",),
            issue="folder runs skip ... dotfiles ... without a word",
        ),
        _dr(
            "deid_folder_symlink_said",
            expect=r"",
            code=0,
            files={**note, "elsewhere/n2.txt": NOTE, "in/link": Link("{tmp}/elsewhere")},
            need=(r"(?i)symlink",),
            issue="folder runs skip ... folder symlinks without a word",
        ),
        _dr(
            "deid_file_symlink_out_of_tree",
            expect=r"",
            code=0,
            files={**note, "outside.txt": NOTE, "in/l.txt": Link("{tmp}/outside.txt")},
            need=(r"(?i)symlink",),
            issue="Smaller: symlinks followed out of the input tree or skipped without a word",
        ),
        _dr(
            "deid_dangling_symlink",
            expect=r"",
            files={**note, "in/gone.txt": Link("{tmp}/nowhere.txt")},
            code=0,
            need=(r"(?i)symlink|gone",),
        ),
        _dr(
            "deid_symlink_loop",
            expect=r"",
            code=0,
            files={**note, "in/loop": Link("{tmp}/in")},
            timeout=30,
        ),
        _dr(
            "deid_fhir_not_bundle",
            expect=r"b\.json.*(Bundle|resourceType)",
            files={"in/b.json": '{"resourceType": "Patient", "id": "x"}'},
        ),
        _dr(
            "deid_fhir_entry_not_list",
            expect=r"b\.json.*entry",
            files={"in/b.json": '{"resourceType": "Bundle", "entry": {"a": 1}}'},
            issue="Tracebacks: malformed FHIR structure (entry not a list)",
        ),
        _dr(
            "deid_fhir_resource_not_object",
            expect=r"b\.json.*resource",
            files={"in/b.json": '{"resourceType": "Bundle", "entry": [{"resource": "x"}]}'},
            issue="Tracebacks: malformed FHIR structure (resource not an object)",
        ),
        _dr(
            "deid_fhir_name_not_list",
            expect=r"b\.json.*name",
            files={
                "in/b.json": json.dumps(
                    {
                        "resourceType": "Bundle",
                        "entry": [{"resource": {"resourceType": "Patient", "name": "Zyx Qwerty"}}],
                    }
                )
            },
            phi=(*PHI, "Qwerty"),
            issue="Tracebacks: malformed FHIR structure (name not a list)",
        ),
        _dr(
            "deid_fhir_bad_json",
            expect=r"b\.json.*(JSON|json)",
            files={"in/b.json": '{"resourceType": "Bundle", "entry": [' + NOTE},
        ),
        _dr("deid_fhir_top_list", expect=r"b\.json", files={"in/b.json": "[]"}),
        _dr(
            "deid_fhir_ids_in_clear",
            expect=r"",
            code=0,
            files={"in/b.json": _fhir()},
            phi=FHIR_PHI,
            issue="FHIR `subject.display`, `Patient.id`, `fullUrl` and every `reference` "
            "kept in clear",
        ),
        _dr(
            "deid_transform_typo",
            "--transform",
            "redcat",
            expect=r"did you mean 'redact'\?",
            files=note,
        ),
        _dr("deid_recognizer_typo", "-r", "phnoe", expect=r"did you mean 'phone'\?", files=note),
        _dr("deid_workers_0", "--workers", "0", expect=r"workers", files=note),
        _dr("deid_workers_neg", "--workers", "-2", expect=r"workers", files=note),
        _dr(
            "deid_set_typo",
            "--set",
            "on_eror=skip",
            expect=r"did you mean 'on_error'\?",
            files=note,
        ),
        _dr(
            "deid_set_bad_value", "--set", "on_error=ignore", expect=r'field "on_error"', files=note
        ),
        _dr(
            "deid_config_missing",
            "-c",
            "/nonexistent.yaml",
            expect=r"nonexistent\.yaml",
            files=note,
        ),
        _dr(
            "deid_config_wrong_kind",
            "-c",
            "{repo}/configs/eval/mmlu_medical.yaml",
            expect=r"mmlu_medical\.yaml.*kind",
            files=note,
        ),
        _dr(
            "deid_config_tabs",
            "-c",
            "{tmp}/d.yaml",
            expect=r"d\.yaml:2",
            files={**note, "d.yaml": "kind: deid\n\ttransform: mask\n"},
        ),
        _dr(
            "deid_surrogate_city",
            "--transform",
            "surrogate",
            expect=r"",
            code=0,
            files={
                "in/a.txt": "Patient Alma Quist lives at 3568 Funk Drive, Flatbush, NY 11226.\n"
            },
            phi=("Alma Quist", "Funk", "Flatbush", "3568"),
            issue="The surrogate transform leaks real city names (`3568 Funk Drive, Flatbush, NY`)",
        ),
        _dr(
            "deid_sigint",
            inp="{tmp}/gen",
            expect=r"interrupted after \d+ of \d+",
            code=130,
            # Ctrl-C once the run is under way (imports take ~3 s alone when the CPU is shared)
            pre=[["deid", "generate", "{tmp}/gen/notes.jsonl", "--n", "10000"]],
            sigint_after=8.0,
            timeout=90,
            check=_incomplete,
            phi=(),
            issue="An interrupted `deid run` (SIGINT) prints an empty line and exits 130; the "
            "partial OUT folder looks finished",
        ),
        _dr(
            "deid_large_note",
            expect=r"",
            code=0,
            timeout=240,
            files={"in/big.txt": NOTE * 28_000},
            need=(r"MB/s",),
            forbid=(r"0\.0 records/s",),
            max_rss_mb=600,
            issue="One 20 MB note takes 72 s and 818 MB of RSS process long "
            "notes in windows, report MB/s",
        ),
        Case("deid_no_args", D, argv=["deid", "run"], expect=r"INP"),
    ]
    return c


def deid_eval() -> list[Case]:
    a = "deid_eval"
    gold = (
        json.dumps({"id": "g1", "text": NOTE, "spans": [{"kind": "NAME", "start": 12, "end": 22}]})
        + "\n"
    )
    base = ["deid", "eval", "--n", "20"]
    kw = {"phi": PHI, "scan": ()}
    return [
        Case(
            "deid_eval_gold_missing",
            a,
            ["deid", "eval", "-g", "/nonexistent.jsonl"],
            r"nonexistent\.jsonl",
        ),
        Case(
            "deid_eval_gold_typo",
            a,
            ["deid", "eval", "-g", "synthtic"],
            r"did you mean 'synthetic'\?",
        ),
        Case("deid_eval_n_0", a, ["deid", "eval", "--n", "0"], r"--n|\bn\b"),
        Case("deid_eval_n_neg", a, ["deid", "eval", "--n", "-5"], r"--n|\bn\b"),
        Case(
            "deid_eval_gold_bad_json",
            a,
            ["deid", "eval", "-g", "{tmp}/g.jsonl"],
            r"g\.jsonl:2: invalid JSON",
            files={"g.jsonl": gold + '{"id": "x", "text": "Alma Q'},
            **kw,
        ),
        Case(
            "deid_eval_gold_no_spans",
            a,
            ["deid", "eval", "-g", "{tmp}/g.jsonl"],
            r'g\.jsonl:1: field "spans"',
            files={"g.jsonl": json.dumps({"id": "g", "text": NOTE}) + "\n"},
            **kw,
        ),
        Case(
            "deid_eval_span_out_of_range",
            a,
            ["deid", "eval", "-g", "{tmp}/g.jsonl"],
            r"g\.jsonl:1: .*span",
            files={
                "g.jsonl": json.dumps(
                    {"id": "g", "text": NOTE, "spans": [{"kind": "NAME", "start": 5, "end": 900}]}
                )
                + "\n"
            },
            **kw,
        ),
        Case(
            "deid_eval_span_wrong_type",
            a,
            ["deid", "eval", "-g", "{tmp}/g.jsonl"],
            r"g\.jsonl:1: .*(start|span)",
            files={
                "g.jsonl": json.dumps(
                    {"id": "g", "text": NOTE, "spans": [{"kind": "NAME", "start": "x", "end": 3}]}
                )
                + "\n"
            },
            **kw,
        ),
        Case(
            "deid_eval_gold_bad_utf8",
            a,
            ["deid", "eval", "-g", "{tmp}/g.jsonl"],
            r"g\.jsonl:2: not UTF-8",
            files={"g.jsonl": gold.encode() + b"\xff\n"},
            **kw,
        ),
        Case(
            "deid_eval_i2b2_unclosed",
            a,
            ["deid", "eval", "-g", "{tmp}/n.xml"],
            r"n\.xml",
            files={"n.xml": "<deIdi2b2><TEXT><![CDATA[" + NOTE + "]]></TEXT><TAGS>"},
            **kw,
        ),
        Case(
            "deid_eval_gold_empty_dir",
            a,
            ["deid", "eval", "-g", "{tmp}/g"],
            r"\bg\b",
            files={"g/": ""},
        ),
        Case(
            "deid_eval_gold_empty_file",
            a,
            ["deid", "eval", "-g", "{tmp}/g.jsonl"],
            r"g\.jsonl.*(no (gold )?notes|empty)",
            files={"g.jsonl": ""},
        ),
        Case(
            "deid_eval_out_unwritable",
            a,
            [*base, "--out", "/sys/medllm-badin.json"],
            r"/sys/medllm-badin\.json",
        ),
        Case("deid_eval_out_is_dir", a, [*base, "--out", "{tmp}"], r"out|folder|directory"),
        Case("deid_eval_recognizer_typo", a, [*base, "-r", "emial"], r"did you mean 'email'\?"),
        Case(
            "deid_eval_set_typo", a, [*base, "--set", "min_scor=0.5"], r"did you mean 'min_score'\?"
        ),
        Case("deid_eval_min_score_2", a, [*base, "--set", "min_score=2"], r'field "min_score"'),
    ]


def deid_generate() -> list[Case]:
    g = "deid_generate"
    return [
        Case("deid_generate_n_0", g, ["deid", "generate", "{tmp}/g.jsonl", "--n", "0"], r"--n"),
        Case("deid_generate_n_neg", g, ["deid", "generate", "{tmp}/g.jsonl", "--n", "-1"], r"--n"),
        Case(
            "deid_generate_out_dir",
            g,
            ["deid", "generate", "{tmp}", "--n", "2"],
            r"folder|directory|file",
        ),
        Case(
            "deid_generate_out_unwritable",
            g,
            ["deid", "generate", "/sys/medllm-badin.jsonl", "--n", "2"],
            r"/sys/medllm-badin",
        ),
    ]


PUBMED = fixture("knowledge/pubmed_sample.xml")


def _pubmed_unclosed() -> str:
    """Ten articles, the second with an unclosed <ArticleTitle>."""
    start = PUBMED.index("<PubmedArticle>")
    end = PUBMED.index("</PubmedArticle>") + len("</PubmedArticle>")
    one = PUBMED[start:end]
    arts = [one.replace("90000001", f"9100000{i}") for i in range(10)]
    arts[1] = arts[1].replace("</ArticleTitle>", "", 1)
    return PUBMED[:start] + "\n".join(arts) + "\n</PubmedArticleSet>\n"


def _kb(*args: str) -> list[str]:
    return ["kb", "build", "--folder", "{tmp}/kb", "--set", "sources=[]", "--no-dense", *args]


TINY = [_kb("--add", "{tmp}/doc.txt")]
DOC = {"doc.txt": "Iron deficiency anemia is treated with oral iron.\n"}


def kb() -> list[Case]:
    k = "kb"
    s = ["kb", "search", "anemia", "--folder", "{tmp}/kb"]
    return [
        Case("kb_search_no_kb", k, s, r"no knowledge base in .*kb"),
        Case(
            "kb_search_k_neg",
            k,
            [*s, "-k", "-1"],
            r"-k",
            files=DOC,
            pre=TINY,
            issue="Tracebacks: negative `-k`",
        ),
        Case("kb_search_k_0", k, [*s, "-k", "0"], r"-k", files=DOC, pre=TINY),
        Case(
            "kb_search_retriever_typo",
            k,
            [*s, "--retriever", "bm52"],
            r"did you mean 'bm25'\?",
            files=DOC,
            pre=TINY,
        ),
        Case(
            "kb_search_hybrid_lexical",
            k,
            [*s, "--retriever", "hybrid"],
            r"dense.*(fix: .*--dense.*(min|hour|s\b|chunks))",
            files=DOC,
            pre=TINY,
            issue="the docs' `kb search --retriever hybrid` example fails on a default install "
            "without saying what the dense build costs",
        ),
        Case(
            "kb_search_empty_query",
            k,
            ["kb", "search", "", "--folder", "{tmp}/kb"],
            r"query",
            files=DOC,
            pre=TINY,
        ),
        Case(
            "kb_search_folder_is_file",
            k,
            ["kb", "search", "x", "--folder", "{tmp}/f"],
            r"f\b",
            files={"f": "x"},
        ),
        Case(
            "kb_search_corrupt_manifest",
            k,
            s,
            r"kb.*manifest",
            files={"kb/manifest.json": "{broken", "kb/chunks.sqlite": "nope"},
        ),
        Case("kb_info_no_kb", k, ["kb", "info", "--folder", "{tmp}/kb"], r"kb"),
        Case(
            "kb_info_corrupt",
            k,
            ["kb", "info", "--folder", "{tmp}/kb"],
            r"manifest",
            files={"kb/manifest.json": "[1"},
        ),
        Case("kb_build_add_missing", k, _kb("--add", "/nonexistent.txt"), r"nonexistent\.txt"),
        Case(
            "kb_build_source_typo",
            k,
            ["kb", "build", "--folder", "{tmp}/kb", "--no-dense", "--sources", "icd10"],
            r"did you mean 'icd10cm'",
        ),
        Case("kb_build_set_typo", k, _kb("--set", "dens=false"), r"did you mean 'dense'\?"),
        Case(
            "kb_build_window",
            k,
            ["kb", "build", "--folder", "{tmp}/kb", "--set", "max_tokens=500"],
            r"max_tokens",
        ),
        Case(
            "kb_build_folder_is_file",
            k,
            [
                "kb",
                "build",
                "--folder",
                "{tmp}/f",
                "--set",
                "sources=[]",
                "--no-dense",
                "--add",
                "{tmp}/doc.txt",
            ],
            r"f\b",
            files={"f": "x", **DOC},
        ),
        Case(
            "kb_build_folder_unwritable",
            k,
            [
                "kb",
                "build",
                "--folder",
                "/sys/medllm-badin",
                "--set",
                "sources=[]",
                "--no-dense",
                "--add",
                "{tmp}/doc.txt",
            ],
            r"/sys/medllm-badin",
            files=DOC,
        ),
        Case(
            "kb_build_config_wrong_kind",
            k,
            ["kb", "build", "--config", "{repo}/configs/eval/mmlu_medical.yaml"],
            r"mmlu_medical\.yaml.*kind",
        ),
        Case(
            "kb_build_bad_jsonl",
            k,
            _kb("--add", "{tmp}/n.jsonl"),
            r"n\.jsonl:2",
            code=0,
            files={"n.jsonl": _jsonl("anemia note") + "{bad\n"},
            need=(r"1 records skipped",),
        ),
        Case(
            "kb_build_bad_utf8_txt",
            k,
            _kb("--add", "{tmp}/n.txt"),
            r"n\.txt:2: not UTF-8",  # skipped (never indexed mangled), so nothing to index
            files={"n.txt": b"anemia\n\xff\xfe\n"},
        ),
        Case(
            "kb_build_pubmed_unclosed",
            k,
            _kb("--add", "{tmp}/p.xml"),
            r"",
            code=0,
            files={"p.xml": _pubmed_unclosed()},
            need=(r"9 documents", r"1 records skipped"),
            issue="PubMed XML loses articles silently: one unclosed tag drops every later "
            "well-formed article",
        ),
        Case(
            "kb_build_pubmed_not_xml",
            k,
            _kb("--add", "{tmp}/doc.txt", "--add", "{tmp}/p.xml"),
            r"p\.xml",
            code=0,
            files={**DOC, "p.xml": "this is not xml"},
            need=(r"1 records skipped",),
        ),
        Case(
            "kb_build_fhir_broken",
            k,
            _kb("--add", "{tmp}/doc.txt", "--add", "{tmp}/b.json"),
            r"b\.json",
            code=0,
            files={**DOC, "b.json": fixture("knowledge/fhir_broken.json")},
            need=(r"records skipped",),
            forbid=(r" 0 records skipped",),
        ),
        Case(
            "kb_build_fhir_entry_not_list",
            k,
            _kb("--add", "{tmp}/doc.txt", "--add", "{tmp}/b.json"),
            r"b\.json.*entry",
            code=0,
            files={**DOC, "b.json": '{"resourceType": "Bundle", "entry": 5}'},
            need=(r"1 records skipped",),
        ),
        Case(
            "kb_build_unsupported_ext",
            k,
            _kb("--add", "{tmp}/x.pdf"),
            r"x\.pdf",
            files={"x.pdf": "%PDF-1.4"},
        ),
        Case(
            "kb_build_add_empty_folder",
            k,
            _kb("--add", "{tmp}/d"),
            r"\bd\b.*(no |nothing)",
            files={"d/": ""},
        ),
        Case(
            "kb_build_deid_user_file",
            k,
            _kb("--add", "{tmp}/n.txt"),
            r"",
            code=0,
            files={"n.txt": "Anemia follow-up. " + NOTE},
            phi=PHI,
            scan=("kb",),
        ),
        Case(
            "kb_build_add_reuses_settings",
            k,
            ["kb", "build", "--folder", "{tmp}/kb", "--add", "{tmp}/more.txt"],
            r"",
            code=0,
            files={**DOC, "more.txt": "Scurvy: vitamin C.\n"},
            pre=TINY,
            need=(r"2 documents", r"0 embedded"),
            max_seconds=20,
            timeout=60,
            issue="`kb build --add FILE` ignores the knowledge base's own settings",
        ),
    ]


def _train(kind: str, *sets: str) -> list[str]:
    extra = [a for s in sets for a in ("--set", s)]
    return [
        "train",
        kind,
        f"{{repo}}/configs/train/{kind}.yaml",
        "--set",
        "output_dir={tmp}/run",
        "--set",
        "optim.max_steps=1",
        *extra,
    ]


def _data(*sets: str) -> list[str]:
    extra = [a for s in sets for a in ("--set", s)]
    return [
        "train",
        "data",
        "{repo}/configs/train/sft.yaml",
        "--out",
        "{tmp}/rows.jsonl",
        "--set",
        "data.sources=[]",
        *extra,
    ]


def train() -> list[Case]:
    t = "train"
    rows = '{"instruction": "What is anemia?", "output": "Low hemoglobin."}\n'
    return [
        Case("train_config_missing", t, ["train", "sft", "/nonexistent.yaml"], r"nonexistent"),
        Case("train_config_folder", t, ["train", "sft", "{tmp}"], r"config file|folder"),
        Case(
            "train_wrong_kind",
            t,
            ["train", "sft", "{repo}/configs/train/dpo.yaml", "--set", "output_dir={tmp}/run"],
            r"dpo\.yaml.*kind",
        ),
        Case("train_key_typo", t, _train("sft", "optim.max_step=5"), r"did you mean 'max_steps'\?"),
        Case("train_lr_neg", t, _train("sft", "optim.learning_rate=-1"), r'"optim.learning_rate"'),
        Case("train_max_steps_0", t, _train("sft", "optim.max_steps=0"), r'"optim.max_steps"'),
        Case("train_batch_text", t, _train("sft", "optim.batch_size=four"), r'"optim.batch_size"'),
        Case("train_mode_typo", t, _train("sft", "mode=lorra"), r'"mode"'),
        Case(
            "train_precision_typo", t, _train("sft", "optim.precision=bf32"), r'"optim.precision"'
        ),
        Case("train_lora_r_0", t, _train("sft", "lora.r=0"), r'"lora.r"'),
        Case(
            "train_source_typo",
            t,
            _train("sft", "data.sources=[icd10]"),
            r"did you mean 'icd10cm'\?",
        ),
        Case("train_model_bad_spec", t, _train("sft", "model=nosuch:x"), r"nosuch|backend"),
        Case("train_dpo_beta_neg", t, _train("dpo", "beta=-1"), r'"beta"'),
        Case("train_cpt_set_not_kv", t, _train("cpt", "optim"), r"override 'optim'"),
        Case(
            "train_data_file_missing",
            t,
            _data("data.files=[/nonexistent.jsonl]"),
            r"nonexistent\.jsonl",
        ),
        Case(
            "train_data_bad_line",
            t,
            _data("data.files=[{tmp}/d.jsonl]"),
            r"d\.jsonl:2: invalid JSON",
            files={"d.jsonl": rows + "{bad\n"},
        ),
        Case(
            "train_data_unknown_row",
            t,
            _data("data.files=[{tmp}/d.jsonl]"),
            r"d\.jsonl:1",
            files={"d.jsonl": '{"q": "x", "a": "y"}\n'},
        ),
        Case(
            "train_data_bad_utf8",
            t,
            _data("data.files=[{tmp}/d.jsonl]"),
            r"d\.jsonl:2: not UTF-8",
            files={"d.jsonl": rows.encode() + b"\xff\n"},
        ),
        Case(
            "train_data_empty_file",
            t,
            _data("data.files=[{tmp}/d.jsonl]"),
            r"d\.jsonl.*(no (sft )?rows|empty)",
            files={"d.jsonl": ""},
        ),
        Case(
            "train_data_out_unwritable",
            t,
            [
                "train",
                "data",
                "{repo}/configs/train/sft.yaml",
                "--out",
                "/sys/medllm-badin.jsonl",
                "--set",
                "data.sources=[]",
                "--set",
                "data.files=[{tmp}/d.jsonl]",
            ],
            r"/sys/medllm-badin",
            files={"d.jsonl": rows},
        ),
        Case(
            "train_data_split_typo",
            t,
            [*_data("data.files=[{tmp}/d.jsonl]"), "--split", "test"],
            r"split",
            files={"d.jsonl": rows},
        ),
        Case("train_export_no_model", t, ["train", "export", "--output-dir", "{tmp}/x"], r"model"),
        Case(
            "train_export_model_missing",
            t,
            ["train", "export", "--model", "/nonexistent", "--output-dir", "{tmp}/x"],
            r"/nonexistent",
        ),
    ]


def _study(runs: str, more: str = "") -> dict[str, str]:
    return {
        "s.yaml": f"kind: study\nname: s\nlimit: 2\noutput_dir: {{tmp}}/runs\n{more}runs:\n{runs}"
    }


MISSING_ARM = "  - {name: a, config: /nonexistent.yaml}\n"  # fails fast if validation lets it by
BASE_ARM = "  - {name: a, config: base}\n"  # no training: only a base model scored


def study() -> list[Case]:
    s = "study"
    arg = ["study", "{tmp}/s.yaml"]
    return [
        Case("study_missing", s, ["study", "/nonexistent.yaml"], r"nonexistent\.yaml"),
        Case("study_wrong_kind", s, ["study", "{repo}/configs/train/sft.yaml"], r"sft\.yaml.*kind"),
        Case("study_no_runs", s, arg, r'field "runs"', files=_study(" []\n")),
        Case(
            "study_key_typo",
            s,
            arg,
            r"did you mean 'limit'\?",
            files=_study(MISSING_ARM, "limt: 3\n"),
        ),
        Case(
            "study_limit_0",
            s,
            [*arg, "--set", "limit=0"],
            r'field "limit"',
            files=_study(MISSING_ARM),
        ),
        Case("study_arm_config_missing", s, arg, r"nonexistent\.yaml", files=_study(MISSING_ARM)),
        Case(
            "study_start_from_unknown",
            s,
            arg,
            r"start_from|zzz",
            files=_study("  - {name: a, config: /nonexistent.yaml, start_from: zzz}\n"),
        ),
        Case(
            "study_duplicate_arm",
            s,
            arg,
            r"\ba\b.*(twice|duplicate|unique)",
            files=_study(BASE_ARM + BASE_ARM),
        ),
        Case(
            "study_task_typo",
            s,
            arg,
            r"did you mean 'icd10cm_concepts'",
            files=_study(BASE_ARM, "tasks: [icd10cm_concept]\n"),
        ),
        Case("study_only_unknown", s, [*arg, "--only", "zzz"], r"zzz", files=_study(MISSING_ARM)),
    ]


def privacy() -> list[Case]:
    p = "privacy"
    a = ["privacy", "audit", "--model", "llamacpp:default"]
    notes = {"m.jsonl": _jsonl(NOTE), "n.jsonl": _jsonl(NOTE)}
    kw = {"phi": PHI}
    return [
        Case("audit_nothing_to_do", p, a, r"nothing|--members|--canaries"),
        Case(
            "audit_members_missing",
            p,
            [*a, "--members", "/nonexistent.jsonl", "--nonmembers", "/nonexistent2.jsonl"],
            r"nonexistent",
        ),
        Case(
            "audit_members_bad_line",
            p,
            [*a, "--members", "{tmp}/m.jsonl", "--nonmembers", "{tmp}/n.jsonl"],
            r"m\.jsonl:2: invalid JSON",
            files={**notes, "m.jsonl": _jsonl(NOTE) + '{"text": "Alma Q\n'},
            **kw,
        ),
        Case(
            "audit_members_no_field",
            p,
            [*a, "--members", "{tmp}/m.jsonl", "--nonmembers", "{tmp}/n.jsonl", "--field", "body"],
            r'field "body"',
            files=notes,
            **kw,
        ),
        Case(
            "audit_members_without_nonmembers",
            p,
            [*a, "--members", "{tmp}/m.jsonl"],
            r"nonmembers",
            files=notes,
            **kw,
        ),
        Case(
            "audit_canaries_bad_json",
            p,
            [*a, "--canaries", "{tmp}/c.json"],
            r"c\.json",
            files={"c.json": "[{oops"},
        ),
        Case(
            "audit_canaries_wrong_shape",
            p,
            [*a, "--canaries", "{tmp}/c.json"],
            r"c\.json",
            files={"c.json": '[{"id": "x"}]'},
        ),
        Case(
            "audit_candidates_0",
            p,
            [*a, "--canaries", "{tmp}/c.json", "--candidates", "0"],
            r"candidates",
            files={"c.json": '[{"id": "c", "prefix": "code ", "secret": "123"}]'},
        ),
        Case("audit_sample_neg", p, [*a, "--sample", "-1"], r"sample"),
        Case(
            "audit_logs_missing",
            p,
            [*a, "--logs", "/nonexistent.log", "--gold", "{tmp}/g.jsonl"],
            r"nonexistent\.log",
            files={"g.jsonl": json.dumps({"id": "g", "text": NOTE, "spans": []}) + "\n"},
        ),
        Case(
            "audit_gold_missing",
            p,
            [*a, "--generations", "{tmp}/m.jsonl", "--gold", "/nonexistent.jsonl"],
            r"nonexistent\.jsonl",
            files=notes,
        ),
        Case(
            "audit_model_bad_spec",
            p,
            [
                "privacy",
                "audit",
                "--model",
                "hf:/none",
                "--members",
                "{tmp}/m.jsonl",
                "--nonmembers",
                "{tmp}/n.jsonl",
            ],
            r"/none",
            files=notes,
            max_seconds=15,
        ),
        Case(
            "audit_out_unwritable",
            p,
            [
                *a,
                "--generations",
                "{tmp}/m.jsonl",
                "--gold",
                "{tmp}/g.jsonl",
                "--out",
                "/sys/medllm-badin.json",
            ],
            r"/sys/medllm-badin",
            files={
                **notes,
                "g.jsonl": json.dumps(
                    {"id": "g", "text": NOTE, "spans": [{"kind": "NAME", "start": 12, "end": 22}]}
                )
                + "\n",
            },
            **kw,
        ),
        Case("canaries_n_0", p, ["privacy", "canaries", "{tmp}/c.json", "--n", "0"], r"--n"),
        Case(
            "canaries_digits_0",
            p,
            ["privacy", "canaries", "{tmp}/c.json", "--digits", "0"],
            r"--digits",
        ),
        Case("canaries_out_dir", p, ["privacy", "canaries", "{tmp}"], r"folder|directory|file"),
        Case(
            "canaries_out_unwritable",
            p,
            ["privacy", "canaries", "/sys/medllm-badin.json"],
            r"/sys/medllm-badin",
        ),
    ]


def cases() -> list[Case]:
    return [*deid_run(), *deid_eval(), *deid_generate(), *kb(), *train(), *study(), *privacy()]
