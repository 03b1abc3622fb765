"""Loss-based membership inference (Yeom et al., 2018): texts seen in training get lower loss.

The attack scores each text by its mean per-token loss; the AUC of telling members (training notes)
from non-members (held-out notes of the same kind) by that score is the leakage measure:
0.5 = no signal, 1.0 = every training note recognisable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def text_losses(model: Any, texts: Sequence[str], max_chars: int = 2000) -> list[float]:
    """Mean negative log-likelihood per token of each text (whole text scored, no context)."""
    from medllm.models import LoglikRequest

    results = model.loglikelihood([LoglikRequest("", t[:max_chars]) for t in texts])
    return [-r.logprob / max(1, r.n_tokens) for r in results]


def auc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """P(score of a random positive > score of a random negative), ties count half (Mann-Whitney)."""
    if not positive or not negative:
        raise ValueError("need at least one positive and one negative score")
    wins = 0.0
    for p in positive:
        for n in negative:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(positive) * len(negative))


def membership_auc(model: Any, members: Sequence[str], nonmembers: Sequence[str]) -> dict[str, Any]:
    """AUC of the loss attack (members should have lower loss, so the score is -loss)."""
    lm, ln = text_losses(model, members), text_losses(model, nonmembers)
    return {
        "auc": round(auc([-x for x in lm], [-x for x in ln]), 4),
        "members": len(lm),
        "nonmembers": len(ln),
        "mean_loss_members": round(sum(lm) / len(lm), 4),
        "mean_loss_nonmembers": round(sum(ln) / len(ln), 4),
    }
