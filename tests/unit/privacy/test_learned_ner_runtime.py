"""How the learned PHI tagger runs: ONNX Runtime and torch find the same spans, batching windows
(of one note, of several notes) finds what one window at a time finds, the ONNX cache is
owner-only, and a corrupt cache fails with the file and the fix. On a tiny random tagger built
here (2 layers, hidden 32) with the real MiniLM tokenizer."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from medllm.core import AssetError, MedllmError
from medllm.privacy import ner, ner_onnx

LABELS = ["O", "B-DATE", "I-DATE", "B-NAME", "I-NAME"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForTokenClassification

    out = tmp_path_factory.mktemp("tagger")
    tok = AutoTokenizer.from_pretrained(ner.base_encoder())
    cfg = BertConfig(
        vocab_size=tok.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        num_labels=len(LABELS),
        initializer_range=0.5,  # wide logits: P(O) spreads on both sides of the threshold
    )
    torch.manual_seed(0)
    BertForTokenClassification(cfg).save_pretrained(out)
    tok.save_pretrained(out)
    (out / ner.META).write_text(json.dumps({"labels": LABELS, "threshold": 0.2}))
    return out


@pytest.fixture(scope="module")
def texts() -> list[str]:
    from medllm.privacy.gold.synthetic import generate_notes

    notes = [n.text for n in generate_notes(3, seed=4)]
    return [notes[0] + "\n" + notes[1] + "\n" + notes[2], "", notes[1], "Seen by Ann Lee."]


def _flat(spans: list[list[object]]) -> list[tuple[object, ...]]:
    return [(i, s.kind, s.start, s.end) for i, ss in enumerate(spans) for s in ss]  # type: ignore[attr-defined]


def test_the_long_text_spans_several_windows(folder: Path, texts: list[str]) -> None:
    tagger = ner.Tagger.load(folder, runtime="torch")
    assert len(ner.encode(tagger.tok, texts[0])["input_ids"]) >= 3


def test_onnx_and_torch_find_the_same_spans(folder: Path, texts: list[str]) -> None:
    by_torch = ner.Tagger.load(folder, runtime="torch").spans_many(texts)
    by_onnx = ner.Tagger.load(folder, runtime="onnx").spans_many(texts)
    assert len(_flat(by_torch)) > 10 and by_torch[1] == []  # it tags, and not everything
    assert sum(s.end - s.start for s in by_torch[0]) < len(texts[0]) // 2
    assert _flat(by_onnx) == _flat(by_torch)


@pytest.mark.parametrize("runtime", ["torch", "onnx"])
def test_batching_finds_what_one_window_at_a_time_finds(
    folder: Path, texts: list[str], runtime: str
) -> None:
    tagger = ner.Tagger.load(folder, runtime=runtime)
    batched = tagger.spans_many(texts)  # every window of every text: one batch
    one_note = [tagger.spans(t) for t in texts]
    tagger.batch_windows = 1
    one_window = [tagger.spans(t) for t in texts]
    assert _flat(batched) == _flat(one_note) == _flat(one_window)


def test_the_onnx_cache_is_owner_only(folder: Path) -> None:
    ner.Tagger.load(folder, runtime="onnx-int8")
    for name in (ner_onnx.FP32, ner_onnx.INT8):
        assert oct((folder / name).stat().st_mode & 0o777) == "0o600"
    assert not list(folder.glob(".*.part"))


def test_a_corrupt_cache_names_the_file_and_the_fix(folder: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "m"
    shutil.copytree(folder, copy)
    bad = copy / ner_onnx.FP32
    bad.write_bytes(b"not an onnx graph")
    os.utime(bad)  # newer than the weights: it is the cache, not a stale one
    with pytest.raises(AssetError) as e:
        ner.Tagger.load(copy, runtime="onnx")
    assert str(bad) in e.value.message
    assert e.value.fix == f"delete it (rm {bad}); it is rebuilt from the model on next use"
    bad.unlink()
    assert ner.Tagger.load(copy, runtime="onnx").spans("Seen by Ann Lee.") is not None


def test_a_stale_cache_is_rebuilt(folder: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "m"
    shutil.copytree(folder, copy)
    cache = ner_onnx.ensure_onnx(copy, int8=False)
    old = cache.stat().st_mtime
    os.utime(cache, (old - 100, old - 100))  # older than the weights: a retrained model
    assert ner_onnx.ensure_onnx(copy, int8=False).stat().st_mtime > old - 100


def test_an_unknown_runtime_names_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ner.RUNTIME_ENV, "gpu")
    with pytest.raises(MedllmError) as e:
        ner.runtime_from_env()
    assert e.value.fix == "set it to one of onnx, onnx-int8, torch, torch-int8 (default onnx)"


@pytest.mark.slow  # a real (one-epoch) fine-tuning: about 65 s on 2 busy cores
def test_training_fewer_layers_and_dropping_an_old_cache(tmp_path: Path) -> None:
    from medllm.privacy.gold.synthetic import generate_notes

    out = tmp_path / "m"
    out.mkdir()
    (out / ner_onnx.FP32).write_bytes(b"an earlier model's graph")
    meta = ner.train(generate_notes(4, seed=1), out, epochs=1, batch=8, layers=1)
    assert meta["layers"] == 1
    assert json.loads((out / "config.json").read_text())["num_hidden_layers"] == 1
    assert not (out / ner_onnx.FP32).exists()
