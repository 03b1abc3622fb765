"""`hf` backend: a transformers model folder (or a GGUF file, dequantized), optional PEFT adapter;
`hf:small|medium|large` are the model tiers converted once to transformers folders."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from medllm.core import ModelError
from medllm.models.adapters import is_adapter, load_merged
from medllm.models.base import GenerationParams, LoglikRequest, LoglikResult, Messages, Model
from medllm.models.convert import check_gguf
from medllm.models.scoring import encode_pair, log_softmax, score_positions, top_k
from medllm.models.spec import ModelConfig, ModelSpec

_DTYPES = {
    "float32": "float32",
    "fp32": "float32",
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
    "float16": "float16",
    "fp16": "float16",
}


def _resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ModelError(
            f"device {device!r} asked for but no CUDA GPU is visible", fix="use --device cpu"
        )
    return device


def _resolve_dtype(dtype: str, device: str) -> Any:
    import torch

    if dtype == "auto":
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    if dtype not in _DTYPES:
        raise ModelError(f"unknown dtype {dtype!r}", fix=f"use one of {', '.join(sorted(_DTYPES))}")
    return getattr(torch, _DTYPES[dtype])


def target_path(target: str) -> Path:
    """A model tier (`small`, `medium`, `large`; `default` = `small`), converted once into the
    medllm cache, or a folder / .gguf path that exists."""
    from medllm.models.tiers import tier_for_target

    if (tier := tier_for_target(target)) is not None:
        from medllm.core import cache_dir
        from medllm.models.convert import convert_tier

        path = cache_dir() / "models" / tier.hf_folder
        if not (path / "config.json").is_file():
            convert_tier(tier, path)
        return path
    path = Path(target).expanduser()
    if not path.exists():
        raise ModelError(
            f"hf model {target!r} not found",
            fix="give a transformers model folder or .gguf file; `medllm models convert` makes one",
        )
    return path


@contextmanager
def _no_progress_bars() -> Iterator[None]:
    """transformers draws a "Loading weights" bar on stderr at every load, which leaks into the
    output of `ask`, `models info` and `eval` (they print their own status): hidden while this
    backend loads, and put back as it was."""
    from transformers.utils import logging as hf_logging

    shown = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if shown:
            hf_logging.enable_progress_bar()


def load(spec: ModelSpec, cfg: ModelConfig) -> HFModel:
    path = target_path(spec.target)  # before importing transformers: a wrong path fails fast
    if path.is_file():
        check_gguf(path)
    elif not is_adapter(path) and not (path / "config.json").is_file():
        raise ModelError(
            f"{path}: no config.json, so not a transformers model folder",
            fix="point at the folder holding config.json and the weights",
        )
    with _no_progress_bars():
        if path.is_dir() and is_adapter(path):  # a training run's final/ adapter: merged in
            return _merged(path, cfg)
        return _load_folder(path, cfg)


def _load_folder(path: Path, cfg: ModelConfig) -> HFModel:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = _resolve_device(cfg.device)
    dtype = _resolve_dtype(cfg.dtype, device)
    kw: dict[str, Any] = {}
    folder = path
    if path.is_file():  # a GGUF file (checked in `load`), dequantized by transformers
        kw["gguf_file"] = path.name
        folder = path.parent
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, **kw)
        model: Any = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype, **kw)
    except OSError as e:
        raise ModelError(f"cannot load hf model from {path}: {e}") from None
    if cfg.adapter:
        from peft import PeftModel

        if not (Path(cfg.adapter) / "adapter_config.json").is_file():
            raise ModelError(
                f"{cfg.adapter}: no adapter_config.json", fix="give a PEFT adapter folder"
            )
        model = PeftModel.from_pretrained(model, cfg.adapter)
    model.to(device).eval()
    name = f"hf:{path.name}" + (f"+{Path(cfg.adapter).name}" if cfg.adapter else "")
    return HFModel(model, tokenizer, name=name, batch_size=cfg.batch_size)


def _merged(folder: Path, cfg: ModelConfig) -> HFModel:
    device = _resolve_device(cfg.device)
    model, tokenizer = load_merged(folder, dtype=_resolve_dtype(cfg.dtype, device))
    name = f"hf:{folder.parent.name}" if folder.name == "final" else f"hf:{folder.name}"
    return HFModel(model.to(device).eval(), tokenizer, name=name, batch_size=cfg.batch_size)


class HFModel(Model):
    """Wraps a loaded transformers model + tokenizer (also used directly by tests and training)."""

    backend = "hf"

    def __init__(
        self, model: Any, tokenizer: Any, *, name: str = "hf:model", batch_size: int = 8
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.id = name
        self.batch_size = batch_size
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        # Same BOS rule as llama.cpp: add it only when the tokenizer is configured to.
        bos = tokenizer.bos_token_id
        self._bos = [bos] if bos is not None and getattr(tokenizer, "add_bos_token", False) else []
        self._prefix = tokenizer.eos_token_id if bos is None else bos

    @property
    def device(self) -> Any:
        return next(self.model.parameters()).device

    @property
    def context_length(self) -> int:
        return int(getattr(self.model.config, "max_position_embeddings", 2048))

    def tokenize(self, text: str, *, add_special: bool = False) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=add_special))

    def apply_chat_template(self, messages: Messages, *, add_generation_prompt: bool = True) -> str:
        msgs = [{"role": m.role, "content": m.content} for m in messages]
        out = self.tokenizer.apply_chat_template(
            msgs, tokenize=False, add_generation_prompt=add_generation_prompt
        )
        return str(out)

    def _gen_kwargs(self, params: GenerationParams) -> dict[str, Any]:
        import torch

        kw: dict[str, Any] = {
            "max_new_tokens": params.max_tokens,
            "pad_token_id": self.tokenizer.pad_token_id,
        }
        if params.temperature > 0:
            if params.seed is not None:
                torch.manual_seed(params.seed)
            kw.update(do_sample=True, temperature=params.temperature, top_p=params.top_p)
        else:
            kw.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        if params.stop:
            kw["stop_strings"] = list(params.stop)
            kw["tokenizer"] = self.tokenizer
        return kw

    def stream(self, prompt: str, params: GenerationParams = GenerationParams()) -> Iterator[str]:
        import torch
        from transformers import TextIteratorStreamer

        ids = self._bos + self.tokenize(prompt)
        self.check_fits(len(ids), params.max_tokens)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        inputs = torch.tensor([ids], device=self.device)
        kwargs = {
            "input_ids": inputs,
            "attention_mask": torch.ones_like(inputs),
            "streamer": streamer,
            **self._gen_kwargs(params),
        }
        errors: list[BaseException] = []

        def work() -> None:
            try:
                with torch.no_grad():
                    self.model.generate(**kwargs)
            except BaseException as e:  # surfaced in the caller's thread below
                errors.append(e)
                streamer.end()

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        text = ""
        for piece in streamer:
            text += piece
            cut = _stop_at(text, params.stop)
            if cut is not None:
                yield piece[: len(piece) - (len(text) - cut)]
                break
            yield piece
        thread.join()
        if errors:
            # Only the type: exception text (a tokenizer's or a CUDA kernel's) can quote the prompt.
            raise ModelError(
                f"generation failed: {type(errors[0]).__name__}",
                fix="for an out-of-memory error lower max_tokens or use a smaller dtype; to see the "
                "full error call model.model.generate(...) directly in Python",
            )

    def _forward_logprobs(self, seqs: list[list[int]]) -> list[np.ndarray]:
        """Log-softmax rows for each sequence, (len(seq), vocab), batched with right padding."""
        import torch

        out: list[np.ndarray] = [np.empty(0)] * len(seqs)
        order = sorted(range(len(seqs)), key=lambda i: -len(seqs[i]))
        for b in range(0, len(order), self.batch_size):
            idx = order[b : b + self.batch_size]
            width = len(seqs[idx[0]])
            ids = torch.full((len(idx), width), self.tokenizer.pad_token_id, dtype=torch.long)
            mask = torch.zeros_like(ids)
            for row, i in enumerate(idx):
                ids[row, : len(seqs[i])] = torch.tensor(seqs[i])
                mask[row, : len(seqs[i])] = 1
            with torch.no_grad():
                logits = self.model(
                    input_ids=ids.to(self.device), attention_mask=mask.to(self.device)
                ).logits
            logits = logits.float().cpu().numpy()  # (batch, width, vocab)
            for row, i in enumerate(idx):
                out[i] = log_softmax(logits[row, : len(seqs[i])])
        return out

    def loglikelihood(self, requests: Sequence[LoglikRequest]) -> list[LoglikResult]:
        """Summed log-probs of each continuation; the shared-context fast path when the network
        exposes its decoder and output head (see models/hf_fast.py), else a full forward pass."""
        if callable(getattr(self.model, "get_output_embeddings", None)):
            from medllm.models.hf_fast import loglikelihood

            return loglikelihood(self, requests, self.batch_size)
        return self.loglikelihood_full(requests)

    def loglikelihood_full(self, requests: Sequence[LoglikRequest]) -> list[LoglikResult]:
        """One full forward pass per request (the reference the fast path matches)."""
        encoded = [encode_pair(self.tokenize, r, self._bos, self._prefix) for r in requests]
        for toks, _ in encoded:
            self.check_fits(len(toks))
        rows = self._forward_logprobs([toks for toks, _ in encoded])
        return [
            score_positions(lp, toks, start)
            for lp, (toks, start) in zip(rows, encoded, strict=True)
        ]

    def next_token_logprobs(
        self, prompts: Sequence[str], top_k_: int = 5
    ) -> list[dict[str, float]]:
        seqs = [self._bos + self.tokenize(p) for p in prompts]
        for s in seqs:
            self.check_fits(len(s))
        rows = self._forward_logprobs(seqs)
        return [top_k(lp[-1], top_k_, self._decode_one) for lp in rows]

    def _decode_one(self, token: int) -> str:
        return str(self.tokenizer.decode([token]))


def _stop_at(text: str, stop: Sequence[str]) -> int | None:
    hits = [text.find(s) for s in stop if s and s in text]
    return min(hits) if hits else None
