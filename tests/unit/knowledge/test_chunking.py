from __future__ import annotations

import itertools

import pytest

from medllm.core.records import Document
from medllm.knowledge.chunking import chunk_document, count_tokens, split_text


def test_vocabulary_records_stay_whole() -> None:
    doc = Document(id="icd10cm:A00", text="x " * 2000, title="A00 Cholera", source="icd10cm")
    chunks = chunk_document(doc)
    assert [c.id for c in chunks] == ["icd10cm:A00#0"] and chunks[0].text == doc.text


def test_prose_windows_respect_size_and_overlap() -> None:
    sentences = [f"Sentence number {i} talks about the kidney and the liver." for i in range(60)]
    text = " ".join(sentences)
    windows = split_text(text, max_tokens=60, overlap=15)
    assert len(windows) > 5
    assert all(count_tokens(w) <= 60 for w in windows)
    for a, b in itertools.pairwise(windows):
        assert a.split(". ")[-1].rstrip(".") in b  # the last sentence of a window opens the next
    assert all(s.rstrip(".") in text for w in windows for s in w.split(". "))


def test_long_sentence_is_cut_by_tokens_and_ids_are_stable() -> None:
    doc = Document(id="file:x", text="word " * 500, source="file")
    a, b = chunk_document(doc, 100, 20), chunk_document(doc, 100, 20)
    assert [c.id for c in a] == [c.id for c in b] == [f"file:x#{i}" for i in range(len(a))]
    assert all(count_tokens(c.text) <= 100 for c in a)


PROSE = " ".join(
    f"In case {i} the nephrologist reviewed creatinine, potassium and the renal ultrasound."
    for i in range(80)
)


def test_default_prose_chunks_fit_the_embedder_window() -> None:
    """What the embedder reads of a default-sized prose chunk (its title in front, [CLS] and [SEP]
    around), counted by the embedder's own tokenizer, fits its max_seq_length: nothing is cut."""
    from medllm.knowledge.config import KbConfig
    from medllm.knowledge.embed import _model
    from medllm.knowledge.index import embed_text

    cfg = KbConfig()
    doc = Document(
        id="file:renal", text=PROSE, title="Renal clinic case notes, 2024 summary", source="file"
    )
    chunks = chunk_document(doc, cfg.max_tokens, cfg.overlap)
    embedder = _model()
    lengths = [len(embedder.tokenizer(embed_text(c))["input_ids"]) for c in chunks]
    assert len(chunks) > 5 and max(lengths) <= embedder.max_seq_length == 128


def test_dense_kb_refuses_chunks_the_embedder_would_cut() -> None:
    import pydantic

    from medllm.knowledge.config import KbConfig

    with pytest.raises(
        pydantic.ValidationError, match=r"max_tokens 200 is over the embedder.s 126-token window"
    ):
        KbConfig(max_tokens=200)
    assert KbConfig(max_tokens=200, dense=False).max_tokens == 200  # BM25 only: no window
