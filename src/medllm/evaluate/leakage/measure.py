"""What S9 measures on one model: canary exposure, loss-based membership AUC, held-out utility.

Membership (Yeom et al., 2018, as `medllm.privacy.audit.membership_auc` defines it): a note's
score is minus its mean per-token loss; the AUC of telling members from non-members by it. The
losses here come from one forward pass per note that also counts the note's tokens the model
predicts right (argmax = next token), which `Model.loglikelihood` does not report: so the
held-out loss, perplexity and next-token accuracy cost no second pass over the held-out notes.
Every note is scored after `CONTEXT`, the prompt it was trained after.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from medllm.evaluate.leakage.data import CONTEXT, StudyData, in_context
from medllm.models import HFModel
from medllm.privacy import Canary, auc, exposure


@dataclass(frozen=True)
class NoteScore:
    loss: float  # mean negative log-likelihood per note token (nats)
    correct: int  # note tokens that were the model's argmax
    tokens: int


def note_scores(model: HFModel, texts: Sequence[str], batch_size: int = 8) -> list[NoteScore]:
    """Each text scored as the continuation " text" of `CONTEXT` (right-padded batches)."""
    import torch

    context = model.tokenize(CONTEXT, add_special=True)
    seqs = [context + model.tokenize(" " + t) for t in texts]
    pad = int(model.tokenizer.pad_token_id)
    out: list[NoteScore] = []
    for b in range(0, len(seqs), batch_size):
        batch = seqs[b : b + batch_size]
        width = max(len(s) for s in batch)
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for row, s in enumerate(batch):
            ids[row, : len(s)], mask[row, : len(s)] = torch.tensor(s), 1
        with torch.no_grad():
            logits = model.model(input_ids=ids, attention_mask=mask).logits.float()
        logp = torch.log_softmax(logits[:, :-1], dim=-1)  # (batch, width - 1, vocab)
        target = ids[:, 1:]
        nll = -logp.gather(-1, target.unsqueeze(-1)).squeeze(-1)  # (batch, width - 1)
        hit = logp.argmax(-1) == target
        for row, s in enumerate(batch):
            span = slice(len(context) - 1, len(s) - 1)  # predictions of the note's tokens
            n = len(s) - len(context)
            out.append(NoteScore(float(nll[row, span].mean()), int(hit[row, span].sum()), n))
    return out


def membership(members: Sequence[NoteScore], nonmembers: Sequence[NoteScore]) -> float:
    return round(auc([-s.loss for s in members], [-s.loss for s in nonmembers]), 4)


def utility(scores: Sequence[NoteScore]) -> dict[str, float]:
    """Token-weighted over the notes: next-token accuracy, loss (nats / token), perplexity."""
    tokens = sum(s.tokens for s in scores)
    loss = sum(s.loss * s.tokens for s in scores) / tokens
    return {
        "acc": round(sum(s.correct for s in scores) / tokens, 4),
        "loss": round(loss, 4),
        "ppl": round(math.exp(loss), 3),
    }


def exposures(model: HFModel, canaries: Sequence[Canary], n: int, seed: int) -> dict[str, Any]:
    rows = [exposure(model, in_context(c), n_candidates=n, seed=seed) for c in canaries]
    return {
        "exposure": round(statistics.fmean(r["exposure"] for r in rows), 3),
        "exposure_gaussian": round(statistics.fmean(r["exposure_gaussian"] for r in rows), 3),
        "ranked_first": sum(r["rank_among_candidates"] == 1 for r in rows),
        "per_canary": rows,
    }


def measure(
    model: HFModel,
    data: StudyData,
    *,
    n_candidates: int,
    seed: int,
    trained_on: tuple[list[str], list[str]] | None = None,
) -> dict[str, Any]:
    """The figures of one model. Membership (members without a canary vs non-members) and utility
    are on the notes as written (the records an attacker would hold); `trained_on` (the de-identified members and non-members) adds the
    same figures on the text the arm trained on."""
    members = note_scores(model, data.plain(data.members))
    held = note_scores(model, data.nonmembers)
    use = utility(held)
    inserted = exposures(model, data.canaries, n_candidates, seed)
    control = exposures(model, data.controls, n_candidates, seed)
    row: dict[str, Any] = {
        "mia_auc": membership(members, held),
        "canary_exposure": inserted["exposure"],
        "heldout_acc": use["acc"],
        "heldout_loss": use["loss"],
        "heldout_ppl": use["ppl"],
        "mean_loss_members": round(statistics.fmean(s.loss for s in members), 4),
        "canary_exposure_gaussian": inserted["exposure_gaussian"],
        "canaries_ranked_first": inserted["ranked_first"],
        "control_exposure": control["exposure"],
        "control_exposure_gaussian": control["exposure_gaussian"],
        "canaries": inserted["per_canary"],
        "controls": control["per_canary"],
    }
    if trained_on is not None:
        m2 = note_scores(model, data.plain(trained_on[0]))
        h2 = note_scores(model, trained_on[1])
        row["mia_auc_as_trained"] = membership(m2, h2)
        row["heldout_acc_as_trained"] = utility(h2)["acc"]
    return row
