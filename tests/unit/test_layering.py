"""Stages import each other only through their faces, and only downwards.

The order is written once, in docs/architecture.md (the line starting "Layers, bottom to top:");
this test reads it from there, so the docs and the rule cannot drift apart.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "medllm"


def layers() -> list[str]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    match = re.search(r"^Layers, bottom to top: (.+)$", text, re.MULTILINE)
    assert match, 'docs/architecture.md lost its "Layers, bottom to top:" line'
    return re.findall(r"`(\w+)`", match.group(1))


def stage_of(module: str) -> str:
    """`medllm.rag.answer` -> "rag"; root modules (`medllm.cli`, `medllm.ask`) are the "app"."""
    parts = module.split(".")
    if len(parts) > 1 and (SRC / parts[1]).is_dir():
        return parts[1]
    return "app"


def module_name(path: Path) -> str:
    if not path.is_relative_to(SRC):
        return path.stem  # a test or benchmark script: only absolute imports matter
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every medllm import in a file, relative ones resolved."""
    mod = module_name(path)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target))
    return [(line, t) for line, t in found if t == "medllm" or t.startswith("medllm.")]


def violations() -> list[str]:
    order = layers()
    rank = {name: i for i, name in enumerate([*order, "app"])}
    out: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        own = stage_of(module_name(path))
        assert own in rank, f"{path}: stage {own!r} is not in docs/architecture.md's layers"
        for line, target in imports(path):
            other = stage_of(target)
            if other == own:
                continue
            where = f"{path.relative_to(ROOT)}:{line}: {target}"
            if other != "app" and target != f"medllm.{other}":
                out.append(f"{where} is an internal module of {other} (import from medllm.{other})")
            if rank[other] >= rank[own]:
                out.append(f"{where}: {own} may not import {other} (it is not below {own})")
    return out


def test_stages_import_only_lower_stages_through_their_faces() -> None:
    found = violations()
    assert not found, f"{len(found)} layering violations:\n" + "\n".join(found)


def exists(module: str) -> bool:
    path = SRC.parent / module.replace(".", "/")
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def test_every_medllm_import_names_a_module_that_exists() -> None:
    """A module moved to another stage leaves no import of its old path (lazy ones included)."""
    files = [
        *SRC.rglob("*.py"),
        *(ROOT / "tests").rglob("*.py"),
        *(ROOT / "benchmarks").glob("*.py"),
    ]
    stale = [
        f"{path.relative_to(ROOT)}:{line}: {target}"
        for path in sorted(files)
        for line, target in imports(path)
        if not exists(target)
    ]
    assert not stale, "imports of modules that do not exist:\n" + "\n".join(stale)


def test_every_stage_is_declared_once() -> None:
    order = layers()
    stages = sorted(p.name for p in SRC.iterdir() if (p / "__init__.py").is_file())
    assert sorted(order) == stages
    assert len(set(order)) == len(order)


def test_no_module_over_500_lines_and_no_function_over_60() -> None:
    """HOUSE_STYLE 11: past these sizes a module or function is a sign to split."""
    big: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        if text.count("\n") > 500:
            big.append(f"{rel}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > 60:
                    big.append(f"{rel}:{node.lineno}: {node.name} has {size} lines")
    assert not big, "\n".join(big)
