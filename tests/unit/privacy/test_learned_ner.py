"""The learned PHI tagger: BIO alignment, decoding back to spans, the missing-model error, and a
real (short) fine-tuning run of the embedded MiniLM that changes what it tags."""

from __future__ import annotations

from pathlib import Path

import pytest

from medllm.core import AssetError, Span
from medllm.privacy import ner


@pytest.fixture(scope="module")
def tok():  # type: ignore[no-untyped-def]
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(ner.base_encoder())


def test_bio_labels_of_a_window(tok) -> None:  # type: ignore[no-untyped-def]
    text = "Seen by Anjali Bhatt at Humber Heights today."
    spans = [Span("NAME", 8, 20, 1.0, "gold"), Span("HOSPITAL", 24, 38, 1.0, "gold")]
    labels = ner.bio_labels(["NAME", "HOSPITAL"])
    assert labels == ["O", "B-HOSPITAL", "I-HOSPITAL", "B-NAME", "I-NAME"]
    ids = {lab: i for i, lab in enumerate(labels)}
    enc = ner.encode(tok, text)
    offs = enc["offset_mapping"][0]
    got = ner.window_labels(offs, spans, ids)
    pieces = [
        (text[a:b], labels[g] if g >= 0 else "-") for (a, b), g in zip(offs, got, strict=True)
    ]
    assert pieces == [
        ("", "-"),  # [CLS]: ignored by the loss
        ("Seen", "O"),
        ("by", "O"),
        ("An", "B-NAME"),
        ("jali", "I-NAME"),
        ("B", "I-NAME"),
        ("hat", "I-NAME"),
        ("t", "I-NAME"),
        ("at", "O"),
        ("Hum", "B-HOSPITAL"),
        ("ber", "I-HOSPITAL"),
        ("Heights", "I-HOSPITAL"),
        ("today", "O"),
        (".", "O"),
        ("", "-"),  # [SEP]
    ]


def test_decode_marks_whole_words_and_joins_across_spaces() -> None:
    t = ner.Tagger(model=None, tok=None, labels=["O", "B-NAME", "I-NAME"])
    text = "by Anjali Bhatt, then"
    phi = [0] * len(text)
    for i in range(4, 9):  # "njali": a piece inside the word
        phi[i] = 1
    for i in range(10, 15):
        phi[i] = 2
    assert [(s.kind, text[s.start : s.end]) for s in t._decode(text, phi)] == [
        ("NAME", "Anjali Bhatt")
    ]


def test_missing_model_names_the_command(tmp_path: Path) -> None:
    with pytest.raises(AssetError) as e:
        ner.Tagger.load(tmp_path)
    assert "medllm deid train-ner" in e.value.fix


def test_a_short_fine_tuning_learns_to_tag(tmp_path: Path) -> None:
    from medllm.privacy.gold.synthetic import generate_notes

    notes = generate_notes(24, seed=5)
    meta = ner.train(notes, tmp_path / "m", epochs=3, batch=8)
    assert meta["notes"] == 24 and meta["labels"][0] == "O"
    assert oct((tmp_path / "m").stat().st_mode & 0o777) == "0o700"
    assert all(p.stat().st_mode & 0o077 == 0 for p in (tmp_path / "m").rglob("*"))
    tagger = ner.Tagger.load(tmp_path / "m")
    held = generate_notes(3, seed=99)
    gold = sum(s.end - s.start for n in held for s in n.spans)
    found = 0
    for n in held:
        cov = set()
        for s in tagger.spans(n.text):
            cov.update(range(s.start, s.end))
        found += sum(i in cov for s in n.spans for i in range(s.start, s.end))
    assert found / gold > 0.5  # an untrained head tags at random; trained, most PHI chars
