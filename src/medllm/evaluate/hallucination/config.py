"""The S7 hallucination-mitigation study config (`kind: hallucination`, `medllm study run`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# arm → what it answers with and when it abstains (docs/studies.md, S7)
ARMS = {
    "none": "the model alone, greedy; always answers",
    "rag": "the model over the top retrieved sources, greedy; always answers",
    "self_consistency": "the model alone; abstains when its samples disagree with its answer",
    "uncertainty": "the model alone; abstains when its answer's tokens are uncertain",
    "rag_abstention": "RAG with rag.answer's gates (scope, relevance, sentence support)",
}
# arm → the signals (per-item rows on disk) it is computed from
NEEDS = {
    "none": ("plain",),
    "rag": ("rag",),
    "self_consistency": ("plain", "samples"),
    "uncertainty": ("plain",),
    "rag_abstention": ("rag",),
}


def unknown_arms(names: list[str]) -> str:
    """An error message naming the wrong arm names and the valid ones, or ""."""
    wrong = [n for n in names if n not in ARMS]
    if not wrong:
        return ""
    return f"unknown arm {', '.join(wrong)}: the S7 arms are {', '.join(ARMS)}"


class HallucinationConfig(BaseModel):
    """Hallucination mitigation: every arm on free-text knowledge questions (groundedness of
    their claims), questions the knowledge base cannot answer and fake ones (abstention), and
    Med-HALT-style multiple-choice tests; coverage / risk curves per arm."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["hallucination"] = Field("hallucination", description="config kind")
    name: str = Field("s7_hallucination", description="study id (the output folder's name)")
    question: str = Field("", description="what the study answers, printed in the report")
    model: str = Field("hf:default", description="an hf model spec (entropy needs its logits)")
    arms: list[str] = Field(list(ARMS), min_length=1, description=f"arms: {', '.join(ARMS)}")
    questions: str = Field(
        "benchmarks/data/answer_quality/questions.jsonl",
        description="JSONL of questions {id, half, kind, question, answerable, keys}",
    )
    half: str = Field("test", description="the questions' half to use (dev is for tuning)")
    n_answerable: int = Field(100, ge=1, description="answerable free-text questions (at most)")
    n_unanswerable: int = Field(40, ge=0, description="questions the knowledge base cannot answer")
    fake_questions: str | None = Field(
        "benchmarks/data/s7/fake_questions.jsonl",
        description="JSONL {id, question} about things that do not exist (null = none)",
    )
    medhalt_tasks: list[str] = Field(
        ["mmlu_medical_nota", "mmlu_medical_fct"],
        description="Med-HALT-style multiple-choice tasks, scored by option log-likelihood",
    )
    medhalt_items: int = Field(40, ge=0, description="items per Med-HALT task (a seeded sample)")
    samples: int = Field(5, ge=2, description="self-consistency: sampled answers per question")
    temperature: float = Field(0.7, gt=0, description="self-consistency sampling temperature")
    max_tokens: int = Field(32, ge=4, description="tokens per answer (short answers)")
    sources: int = Field(3, ge=1, description="retrieved sources shown to the rag arms")
    evidence: int = Field(
        5, ge=1, description="retrieved sources every arm's claims are checked on"
    )
    uncertainty: Literal["entropy", "margin"] = Field(
        "entropy", description="the uncertainty arm's score: mean token entropy or log-prob margin"
    )
    target_coverage: float = Field(
        0.5, gt=0, le=1, description="the thresholded arms answer this share (label-free quantile)"
    )
    claims_file: str = Field(
        "tests/fixtures/s7/claims_not_for_tuning.jsonl",
        description="hand-labelled claims {claim, source, supported} the checker is measured on",
    )
    batch_size: int = Field(16, ge=1, description="sequences generated together")
    seed: int = Field(0, description="seed of the samples, item draws and the bootstrap")
    threads: int | None = Field(1, ge=1, description="torch CPU threads (null = torch's default)")
    output_dir: str = Field("runs/studies", description="where the signals and the report go")
    results_file: str | None = Field(
        None, description="also write the arms (coverage, hallucination rate, CI) to this JSON"
    )

    @field_validator("arms")
    @classmethod
    def _known_arms(cls, arms: list[str]) -> list[str]:
        if wrong := unknown_arms(arms):
            raise ValueError(wrong)
        return arms
