"""The vision-language model: encoder tokens → alignment module → prefix embeddings in a causal LM.

One sequence per image and question, LLaVA's layout in the LM's own chat template:

    <chat template up to the user turn> [K image embeddings] "\\n" question <end of user turn>
    <assistant header> answer <eos>

The loss is the LM's next-token loss on the answer tokens only (labels -100 elsewhere). The LM is
`frozen` (only the aligner, and `cnn_scratch` if that is the encoder, train) or `lora` (a PEFT
adapter on its attention and MLP projections trains too). Any transformers causal LM folder works
(`hf:small` = the embedded SmolLM2, `hf:DIR`); its input embeddings give the width.

`save(folder)` writes `vlm.json` (names, options, the LM's folder), `aligner.safetensors`,
`encoder.safetensors` (trained encoders only), `adapter/` (LoRA) and the tokenizer; the base LM is
referenced, not copied, as a `medllm train` adapter run does. `VisionLanguageModel.load` rebuilds
it. transformers has no class that takes a registry-chosen encoder and aligner over any causal LM
(its Llava / Blip2 classes fix both), so this composition is written here; the parts inside are
transformers' and PEFT's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from medllm.core import ConfigError, DataError, owner_only
from medllm.models import trainable_folder
from medllm.vision.features import FeatureCache
from medllm.vision.image import Image
from medllm.vision.registry import aligners, load_encoder

META = "vlm.json"
IMAGE_MARK = "<image>"
SYSTEM = "You answer questions about one medical image."
# bfloat16 halves the frozen LM's memory and, on CPUs with AMX / AVX512-BF16, its step time; the
# aligner (and any LoRA adapter, which PEFT keeps in float32) trains in float32 either way
LM_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


class VisionLanguageModel(nn.Module):
    """`loss(images, questions, answers)` for training, `answer(images, questions)` to generate."""

    def __init__(
        self,
        encoder: Any,
        aligner: nn.Module,
        lm: Any,
        tokenizer: Any,
        meta: dict[str, Any],
        cache: FeatureCache | None = None,
    ) -> None:
        super().__init__()
        self.encoder = encoder
        self.aligner = aligner
        self.lm = lm
        self.tokenizer = tokenizer
        self.meta = meta
        self.cache = cache
        self._prompts: dict[str, tuple[list[int], list[int]]] = {}
        self.last_tokens = 0
        if encoder.trainable:
            self.encoder_module = encoder.module  # registered, so .parameters() and .train() see it

    @classmethod
    def build(
        cls,
        lm: str | Path,
        *,
        encoder: str = "vit_s14",
        aligner: str = "projection",
        aligner_options: dict[str, Any] | None = None,
        lm_mode: str = "frozen",
        lora_r: int = 8,
        lm_dtype: str = "float32",
        cache: FeatureCache | None = None,
        seed: int = 0,
    ) -> VisionLanguageModel:
        """A new VLM over the LM folder `lm` (a spec as `hf:small`, or a folder path)."""
        folder = trainable_folder(str(lm))
        meta = {
            "encoder": encoder,
            "aligner": aligner,
            "aligner_options": dict(aligner_options or {}),
            "lm": str(folder.resolve()),
            "lm_mode": lm_mode,
            "lora_r": lora_r,
            "lm_dtype": lm_dtype,
        }
        return cls._assemble(meta, cache, seed, adapter=None)

    @classmethod
    def _assemble(
        cls, meta: dict[str, Any], cache: FeatureCache | None, seed: int, adapter: Path | None
    ) -> VisionLanguageModel:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if meta["lm_mode"] not in ("frozen", "lora"):
            raise ConfigError(
                f"lm_mode {meta['lm_mode']!r} is not known", fix="use lm_mode: frozen or lora"
            )
        dtype = meta.setdefault("lm_dtype", "float32")  # a VLM saved before lm_dtype: float32
        if dtype not in LM_DTYPES:
            raise ConfigError(
                f"lm_dtype {dtype!r} is not known", fix="use lm_dtype: float32 or bfloat16"
            )
        enc = load_encoder(meta["encoder"])
        lm = AutoModelForCausalLM.from_pretrained(meta["lm"], dtype=LM_DTYPES[dtype])
        tok = AutoTokenizer.from_pretrained(meta["lm"])
        lm.requires_grad_(False)
        if meta["lm_mode"] == "lora":
            lm = _with_lora(lm, int(meta["lora_r"]), adapter)
        torch.manual_seed(seed)
        lm_dim = lm.get_input_embeddings().embedding_dim
        aligner: Any = aligners.get(meta["aligner"])(enc.dim, lm_dim, **meta["aligner_options"])
        embed: Any = lm.get_input_embeddings()
        weights = embed.weight.detach().float()
        aligner.match_scale(float(weights.pow(2).mean().sqrt()))  # a loaded VLM's state overrides
        meta["aligner_options"] = aligner.options
        return cls(enc, aligner, lm, tok, meta, cache)

    # --- inputs -------------------------------------------------------------------------------

    def vision_tokens(self, images: Sequence[Image]) -> torch.Tensor:
        """`(batch, tokens, dim)`: cached for a frozen encoder, with gradients for a trained one."""
        if self.encoder.trainable:
            pixels = np.stack([self.encoder.preprocess(im) for im in images])
            return self.encoder.forward(torch.from_numpy(pixels))  # type: ignore[no-any-return]
        if self.cache is not None:
            feats = self.cache.features(self.encoder, images)
        else:
            feats = self.encoder.encode(np.stack([self.encoder.preprocess(im) for im in images]))
        return torch.from_numpy(feats)

    def _prompt_ids(self, question: str) -> tuple[list[int], list[int]]:
        """Token ids before and after the image embeddings, through the assistant header (kept
        per question: a training set repeats a few questions, and the chat template is slow)."""
        if question not in self._prompts:
            self._prompts[question] = self._tokenize_prompt(question)
        return self._prompts[question]

    def _tokenize_prompt(self, question: str) -> tuple[list[int], list[int]]:
        tok = self.tokenizer
        if getattr(tok, "chat_template", None):
            messages = [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": f"{IMAGE_MARK}\n{question}"},
            ]
            text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        else:
            text = f"{IMAGE_MARK}\nQuestion: {question}\nAnswer:"
        before, _, after = text.partition(IMAGE_MARK)
        enc = tok([before, after], add_special_tokens=False)["input_ids"]
        return list(enc[0]), list(enc[1])

    def _answer_ids(self, answer: str) -> list[int]:
        # without a chat template the answer follows "Answer:", so it starts with a space
        text = answer if getattr(self.tokenizer, "chat_template", None) else " " + answer
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return [*ids, self.tokenizer.eos_token_id]

    def _sequence(
        self, prefix: torch.Tensor, question: str, answer: str | None
    ) -> tuple[torch.Tensor, list[int]]:
        """(embeddings `(length, lm_dim)`, labels) of one image + question [+ answer]."""
        before, after = self._prompt_ids(question)
        target = self._answer_ids(answer) if answer is not None else []
        embed = self.lm.get_input_embeddings()
        text = embed(torch.tensor([*before, *after, *target]))
        seq = torch.cat([text[: len(before)], prefix.to(text.dtype), text[len(before) :]])
        labels = [-100] * (len(before) + prefix.shape[0] + len(after)) + target
        return seq, labels

    def _left_padded(
        self, seqs: list[tuple[torch.Tensor, list[int]]]
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Left-padded `(embeds, attention_mask, position_ids, labels)`: the answers end every row,
        so the LM head runs on the last few positions only (its 49k-word output is most of a
        135M model's cost per token); positions count from each row's first real token, so a row
        scores as it would alone."""
        width = max(s.shape[0] for s, _ in seqs)
        embeds = seqs[0][0].new_zeros(len(seqs), width, seqs[0][0].shape[-1])
        mask = torch.zeros(len(seqs), width, dtype=torch.long)
        labels = torch.full((len(seqs), width), -100, dtype=torch.long)
        for i, (s, lab) in enumerate(seqs):
            embeds[i, width - s.shape[0] :] = s
            mask[i, width - s.shape[0] :] = 1
            labels[i, width - len(lab) :] = torch.tensor(lab, dtype=torch.long)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        return embeds, mask, positions, labels

    # --- training and answering --------------------------------------------------------------

    def loss(
        self, images: Sequence[Image], questions: Sequence[str], answers: Sequence[str]
    ) -> torch.Tensor:
        """Mean next-token loss over the answers' tokens (the LM's own loss, computed on the
        answer positions only)."""
        if not len(images) == len(questions) == len(answers):
            raise DataError("images, questions and answers differ in number", fix="pass one each")
        prefixes = self.aligner(self.vision_tokens(images))  # (batch, K, lm_dim)
        seqs = [
            self._sequence(p, q, a) for p, q, a in zip(prefixes, questions, answers, strict=True)
        ]
        embeds, mask, positions, labels = self._left_padded(seqs)
        self.last_tokens = int(mask.sum())  # LM tokens of this batch (train_tokens_per_s)
        keep = max(sum(x != -100 for x in lab) for _, lab in seqs) + 1
        out = self.lm(
            inputs_embeds=embeds,
            attention_mask=mask,
            position_ids=positions,
            logits_to_keep=keep,
        )
        logits = out.logits[:, :-1].float()  # (batch, keep - 1, vocab): predicts the last keep-1
        target = labels[:, -(keep - 1) :]
        return nn.functional.cross_entropy(
            logits.flatten(0, 1), target.flatten(), ignore_index=-100
        )

    @torch.no_grad()
    def answer(
        self,
        images: Sequence[Image],
        questions: Sequence[str],
        max_new_tokens: int = 16,
        batch_size: int = 16,
    ) -> list[str]:
        """Greedy answers, `batch_size` sequences at a time (left-padded)."""
        was = self.training
        self.eval()
        out: list[str] = []
        for start in range(0, len(images), batch_size):
            chunk = slice(start, start + batch_size)
            prefixes = self.aligner(self.vision_tokens(images[chunk]))
            seqs = [
                self._sequence(p, q, None) for p, q in zip(prefixes, questions[chunk], strict=True)
            ]
            embeds, mask, _, _ = self._left_padded(seqs)
            ids = self.lm.generate(
                inputs_embeds=embeds,
                attention_mask=mask,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=self.tokenizer.eos_token_id,
            )
            out += [t.strip() for t in self.tokenizer.batch_decode(ids, skip_special_tokens=True)]
        self.train(was)
        return out

    def image_tokens(self) -> int:
        """Prefix length the LM sees per image."""
        aligner: Any = self.aligner  # every registered aligner has prefix_length
        return int(aligner.prefix_length(self.encoder.tokens))

    def trainable_parameters(self) -> list[nn.Parameter]:
        return [p for p in self.parameters() if p.requires_grad]

    # --- files -------------------------------------------------------------------------------

    def save(self, folder: str | Path) -> Path:
        from safetensors.torch import save_file

        folder = Path(folder)
        with owner_only(folder):
            (folder / META).write_text(json.dumps(self.meta, indent=2), encoding="utf-8")
            save_file(_contiguous(self.aligner.state_dict()), folder / "aligner.safetensors")
            if self.encoder.trainable:
                state = _contiguous(self.encoder.module.state_dict())
                save_file(state, folder / "encoder.safetensors")
            if self.meta["lm_mode"] == "lora":
                self.lm.save_pretrained(folder / "adapter")
        return folder

    @classmethod
    def load(cls, folder: str | Path, cache: FeatureCache | None = None) -> VisionLanguageModel:
        from safetensors.torch import load_file

        folder = Path(folder)
        meta_file = folder / META
        if not meta_file.is_file():
            raise DataError(
                f"not a saved VLM (no {META})",
                path=folder,
                fix="give a trained VLM folder: `medllm train vlm`'s final/",
            )
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        adapter = folder / "adapter" if meta["lm_mode"] == "lora" else None
        vlm = cls._assemble(meta, cache, seed=0, adapter=adapter)
        vlm.aligner.load_state_dict(load_file(folder / "aligner.safetensors"), strict=True)
        if vlm.encoder.trainable:
            vlm.encoder.module.load_state_dict(load_file(folder / "encoder.safetensors"))
        return vlm.eval()


def _with_lora(lm: Any, r: int, adapter: Path | None) -> Any:
    from peft import LoraConfig, PeftModel, get_peft_model

    if adapter is not None:
        return PeftModel.from_pretrained(lm, adapter, is_trainable=True)
    names = {n.rsplit(".", 1)[-1] for n, _ in lm.named_modules()}
    targets = [t for t in LORA_TARGETS if t in names] or "all-linear"
    cfg = LoraConfig(r=r, lora_alpha=2 * r, lora_dropout=0.0, target_modules=targets)
    return get_peft_model(lm, cfg)


def _contiguous(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.detach().contiguous() for k, v in state.items()}
