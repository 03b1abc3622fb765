"""Every ```python block of docs/*.md runs as written, each in its own Python process.

A block that needs what a test cannot have (a model download, a `runs/` artifact, the default
knowledge base) carries a line `# doc-test: skip (why)`; its imports still run. The imports of every
block are the fast part (the documented `from medllm.rag import answer, RagSettings` once raised
RecursionError) and run in `make test`; the whole blocks, where a model answers, are `slow`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SKIP = re.compile(r"^\s*# doc-test: skip \((.+)\)\s*$", re.M)
BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def snippets() -> list[tuple[str, str]]:
    """(file:line, code) of every python block in docs/*.md."""
    found = []
    for doc in sorted((ROOT / "docs").glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        for m in BLOCK.finditer(text):
            line = text.count("\n", 0, m.start()) + 2  # the block's first code line
            found.append((f"{doc.name}:{line}", m.group(1)))
    return found


def imports_of(code: str) -> str:
    """The block's import statements, a parenthesised one over several lines included."""
    out: list[str] = []
    open_paren = False
    for line in code.splitlines():
        if open_paren or line.startswith(("from ", "import ")):
            out.append(line)
            open_paren = line.count("(") > line.count(")") or (open_paren and ")" not in line)
    return "\n".join(out)


def _run(code: str, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


SNIPPETS = snippets()
IDS = [where for where, _ in SNIPPETS]


def test_the_docs_have_python_snippets_and_few_skips() -> None:
    assert len(SNIPPETS) >= 2
    skipped = [where for where, code in SNIPPETS if SKIP.search(code)]
    assert len(skipped) <= len(SNIPPETS) // 2, skipped


@pytest.mark.parametrize("code", [c for _, c in SNIPPETS], ids=IDS)
def test_doc_snippet_imports(code: str, tmp_path: Path) -> None:
    head = imports_of(code)
    assert head, "a snippet starts from its imports"
    res = _run(head, tmp_path, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]


@pytest.mark.slow  # a model answers: seconds on an idle laptop, minutes on 2 busy cores
@pytest.mark.parametrize("code", [c for _, c in SNIPPETS], ids=IDS)
def test_doc_snippet_runs(code: str, tmp_path: Path) -> None:
    if reason := SKIP.search(code):
        pytest.skip(reason.group(1))
    res = _run(code, tmp_path, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]


def test_imports_of_reads_a_parenthesised_import() -> None:
    code = "from a import (\n    b,\n    c,\n)\nimport d\nx = 1\nfrom e import f\n"
    assert imports_of(code) == "from a import (\n    b,\n    c,\n)\nimport d\nfrom e import f"
