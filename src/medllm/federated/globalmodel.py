"""The server's copy of the model: the base plus the global LoRA adapter; loss on held-out rows,
checkpoints of the adapter per round (peft's folder layout, loadable with PeftModel), resume."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from medllm.federated.config import FederatedConfig
from medllm.train import Row, load_model_and_tokenizer, peft_config

ROUND_RECORD = "round.json"  # written last: a round folder without it is incomplete


class GlobalModel:
    """Base model + one LoRA adapter, initialised as the recipe initialises it (seeded)."""

    def __init__(self, cfg: FederatedConfig) -> None:
        import torch
        from peft import get_peft_model

        base, self.tokenizer = load_model_and_tokenizer(cfg.sft)
        # bytes of the full model, the yardstick for what one reply costs
        self.model_bytes = sum(p.numel() * p.element_size() for p in base.parameters())
        torch.manual_seed(cfg.sft.optim.seed)
        self.model = get_peft_model(base, peft_config(cfg.sft)).eval()

    def state(self) -> dict[str, Any]:
        from peft import get_peft_model_state_dict

        return {k: v.detach().clone() for k, v in get_peft_model_state_dict(self.model).items()}

    def load(self, state: dict[str, Any]) -> None:
        from peft import set_peft_model_state_dict

        set_peft_model_state_dict(self.model, state)

    def loss(self, rows: list[Row], max_length: int) -> float:
        """Mean cross-entropy per answer token over `rows` (chat template, prompt tokens masked)."""
        import torch

        total, count = 0.0, 0
        with torch.no_grad():
            for row in rows:
                ids, start = self._encode(row, max_length)
                if start >= len(ids):
                    continue
                logits = self.model(input_ids=torch.tensor([ids])).logits[0]  # (tokens, vocab)
                # token t is predicted from position t - 1
                lp = torch.log_softmax(logits[start - 1 : -1].float(), dim=-1)
                target = torch.tensor(ids[start:])
                total -= float(lp.gather(1, target[:, None]).sum())
                count += len(ids) - start
        return total / count if count else math.nan

    def _encode(self, row: Row, max_length: int) -> tuple[list[int], int]:
        tok = self.tokenizer
        prompt = tok.apply_chat_template(row["prompt"], tokenize=False, add_generation_prompt=True)
        full = tok.apply_chat_template([*row["prompt"], *row["completion"]], tokenize=False)
        p_ids = tok(prompt, add_special_tokens=False).input_ids
        ids = tok(full, add_special_tokens=False).input_ids[:max_length]
        return ids, max(1, len(p_ids))

    def save(self, folder: Path, record: dict[str, Any]) -> None:
        self.model.save_pretrained(folder)
        (folder / ROUND_RECORD).write_text(json.dumps(record, indent=2), encoding="utf-8")


def round_dir(out: str | Path, r: int) -> Path:
    return Path(out) / "rounds" / f"round-{r}"


def last_round(out: str | Path) -> int:
    """The newest complete round checkpoint under out/rounds (0: none)."""
    base = Path(out) / "rounds"
    done = [
        int(p.name.removeprefix("round-"))
        for p in base.glob("round-*")
        if p.name.removeprefix("round-").isdigit() and (p / ROUND_RECORD).is_file()
    ]
    return max(done, default=0)


def load_round(out: str | Path, r: int) -> dict[str, Any]:
    """The adapter tensors of round `r`'s checkpoint, keyed as get_peft_model_state_dict keys them."""
    from safetensors.torch import load_file

    return dict(load_file(str(round_dir(out, r) / "adapter_model.safetensors")))
