"""User documents at rest: `--add` de-identifies by default (text, title, id, url, meta, manifest),
the index folder is owner-only, and `--add` keeps the knowledge base's own sources and dense setting."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medllm.knowledge.cli import app
from medllm.knowledge.config import KbConfig
from medllm.knowledge.index import build_index, embedding_cost, read_manifest
from medllm.knowledge.kb import KnowledgeBase

runner = CliRunner()
NOTE = "Patient: Anselm Quinteros. MRN: 4839201. Seen on 03/14/2024 for a gout flare; colchicine."
# Synthetic PHI planted in the file name, the record id, url, title, meta and text. Lower case
# and stems too: BM25 stores lower-cased Snowball stems ("quinteros" → "quintero").
PLANTED = ("smith_john", "2024-03-14", "4839201", "quinteros", "quintero", "anselm", "617-555-0142")


def _notes(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "smith_john_2024-03-14.txt").write_text(f"Visit of Anselm Quinteros\n\n{NOTE}\n")
    record = {
        "id": "MRN-4839201",
        "title": "Anselm Quinteros follow-up",
        "url": "https://emr.example.org/patients/4839201",
        "meta": {"patient": "Anselm Quinteros", "phone": "617-555-0142", "ward": "rheumatology"},
        "text": NOTE,
    }
    (root / "visits.jsonl").write_text(json.dumps(record) + "\n")
    return root


def _leaks(folder: Path) -> dict[str, list[str]]:
    """Planted values found in any file's bytes (sqlite pages included) or any path name."""
    found: dict[str, list[str]] = {}
    for p in folder.rglob("*"):
        data = p.name.lower().encode() + (p.read_bytes().lower() if p.is_file() else b"")
        hits = [v for v in PLANTED if v.encode() in data]
        if hits:
            found[str(p.relative_to(folder))] = hits
    return found


def test_add_deidentifies_every_field_by_default(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    notes = _notes(tmp_path / "notes")
    args = ["build", "--sources", "who_medicine", "--no-dense", "--folder", str(folder)]
    res = runner.invoke(app, [*args, "--add", str(notes)])
    assert res.exit_code == 0, res.output
    assert read_manifest(folder)["n_docs"] == 442 + 2
    assert _leaks(folder) == {}
    kb = KnowledgeBase(folder)
    users = [c for c in kb.store.by_rows(list(range(len(kb)))) if c.source != "who_medicine"]
    assert sorted(c.source for c in users) == ["file", "jsonl"]
    assert all(c.id.startswith("id-") and c.url == "" for c in users)
    jsonl = next(c for c in users if c.source == "jsonl")
    assert "gout flare; colchicine" in jsonl.text
    assert jsonl.meta["ward"] == "rheumatology" and jsonl.meta["line"] == 1
    assert jsonl.meta["file"].startswith("doc-") and jsonl.meta["file"].endswith(".jsonl")
    kb.close()


def test_no_deid_indexes_documents_as_given(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    notes = _notes(tmp_path / "notes")
    args = ["build", "--sources", "who_medicine", "--no-dense", "--folder", str(folder)]
    res = runner.invoke(app, [*args, "--add", str(notes / "visits.jsonl"), "--no-deid"])
    assert res.exit_code == 0, res.output
    chunk = KnowledgeBase(folder).get("MRN-4839201#0")
    assert chunk is not None and chunk.text == NOTE
    assert read_manifest(folder)["deid"] is False


def test_index_folder_is_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)  # a folder made beforehand (or by an older version) is tightened too
    cfg = KbConfig(folder=folder, sources=[], add=[_notes(tmp_path / "notes")], dense=False)
    build_index(cfg)
    paths = [folder, *folder.rglob("*")]
    assert {"chunks.sqlite", "manifest.json", "bm25"} <= {p.name for p in paths}
    wrong = {
        str(p): oct(stat.S_IMODE(p.stat().st_mode))
        for p in paths
        if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600)
    }
    assert wrong == {}


def test_add_keeps_the_recorded_sources_and_does_not_embed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import medllm.knowledge.embed as embedder

    def no_embedding(*args: object, **kwargs: object) -> None:
        raise AssertionError("the embedder was loaded")

    monkeypatch.setattr(embedder, "embed", no_embedding)
    folder = str(tmp_path / "kb")
    res = runner.invoke(
        app, ["build", "--sources", "who_medicine", "--no-dense", "--folder", folder]
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["build", "--folder", folder, "--add", str(_notes(tmp_path / "n"))])
    assert res.exit_code == 0, res.output
    m = read_manifest(Path(folder))
    assert m["sources"] == ["who_medicine"] and m["dense"] is False and m["dense_rows"] == 0
    assert set(m["by_source"]) == {"who_medicine", "file", "jsonl"}
    assert not (Path(folder) / "dense" / "vectors.f16").exists()


def test_requested_embedding_says_what_it_costs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    import medllm.knowledge.embed as embedder

    monkeypatch.setattr(
        embedder,
        "embed",
        lambda texts, **_: np.tile(np.eye(1, 384, dtype=np.float32), (len(texts), 1)),
    )
    phases: list[tuple[str, int, int]] = []
    cfg = KbConfig(folder=tmp_path / "kb", sources=[], add=[_notes(tmp_path / "n")], dense=True)
    build_index(cfg, progress=lambda phase, done, total: phases.append((phase, done, total)))
    cost = "embedding 2 chunks (≈ 1 s at 385 chunks/s on 2 idle cores)"
    assert [p for p in phases if p[0].startswith("embedding")] == [(cost, 0, 2), (cost, 2, 2)]
    assert embedding_cost(109_568) == (
        "embedding 109,568 chunks (≈ 5 min at 385 chunks/s on 2 idle cores)"
    )


@pytest.mark.parametrize("deid", [True, False])
def test_duplicate_id_error_names_file_and_line_not_the_id(tmp_path: Path, deid: bool) -> None:
    notes = tmp_path / "visits.jsonl"
    record = {"id": "MRN-4839201", "text": "Gout flare."}
    notes.write_text(json.dumps(record) + "\n" + json.dumps({**record, "text": "Other."}) + "\n")
    cfg = KbConfig(folder=tmp_path / "kb", sources=[], add=[notes], dense=False, deid=deid)
    report = build_index(cfg)
    assert [str(e) for e in report.errors] == [
        'visits.jsonl:2: field "id": duplicate document id: repeat skipped '
        "(fix: give every document a unique id)"
    ]
    assert report.n_docs == 1


def test_adding_the_same_notes_again_adds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MEDLLM_DEID_KEY", raising=False)  # a one-off key per build
    cfg = KbConfig(folder=tmp_path / "kb", sources=[], add=[_notes(tmp_path / "n")], dense=False)
    build_index(cfg)
    again = build_index(cfg)
    assert (again.added, again.n_docs, again.rewritten) == (0, 2, False)


def test_deid_key_gives_stable_ids_and_an_edit_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib
    import hmac

    monkeypatch.setenv("MEDLLM_DEID_KEY", "k")
    notes = _notes(tmp_path / "n") / "visits.jsonl"
    cfg = KbConfig(folder=tmp_path / "kb", sources=[], add=[notes], dense=False)
    build_index(cfg)
    pid = "id-" + hmac.new(b"k", b"id\x00MRN-4839201", hashlib.sha256).hexdigest()[:16]
    assert KnowledgeBase(tmp_path / "kb").get(pid + "#0") is not None
    record = json.loads(notes.read_text())
    notes.write_text(json.dumps({**record, "text": "Gout flare resolved."}) + "\n")
    report = build_index(cfg)
    assert report.rewritten and report.n_docs == 1
    assert KnowledgeBase(tmp_path / "kb").get(pid + "#0").text == "Gout flare resolved."  # type: ignore[union-attr]
