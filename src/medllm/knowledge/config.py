"""Knowledge-base configuration (validated; `kind: knowledge` in YAML)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medllm.knowledge.chunking import MAX_TOKENS, OVERLAP
from medllm.knowledge.embed import MAX_SEQ_LENGTH, WINDOW

DEFAULT_SOURCES = (
    "icd10cm",
    "hpo",
    "hpo_disease",
    "mesh",
    "who_medicine",
    "mondo",
    "uberon",
    "uniprot_disease",
)


class KbConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["knowledge"] = Field("knowledge", description="config kind (always 'knowledge')")
    folder: Path | None = Field(
        None, description="index folder; default <medllm cache>/kb/default ($MEDLLM_CACHE)"
    )
    sources: list[str] = Field(
        list(DEFAULT_SOURCES),
        description="registered sources to index (`medllm ls sources`); icd10cm_full adds the "
        "7th-character codes; when adding files to an existing knowledge base, unset = its "
        "recorded sources",
    )
    add: list[Path] = Field(
        default_factory=list,
        description="user files or folders to add (.txt .md .jsonl, PubMed .xml, FHIR Bundle .json)",
    )
    dense: bool = Field(
        True,
        description="embed chunks with all-MiniLM-L6-v2 for dense and hybrid retrieval; when "
        "adding files to an existing knowledge base, unset = its recorded setting",
    )
    deid: bool = Field(
        True,
        description="de-identify user documents before indexing (text, title and meta through "
        "medllm.privacy; ids and file names become keyed pseudonyms; urls dropped); false only "
        "for documents that hold no PHI",
    )
    max_tokens: int = Field(
        MAX_TOKENS,
        ge=16,
        le=512,
        description=f"prose chunk size in embedder tokens, its title included; at most {WINDOW} "
        f"with dense (the embedder reads {MAX_SEQ_LENGTH} with [CLS] and [SEP])",
    )
    overlap: int = Field(
        OVERLAP, ge=0, le=256, description="tokens shared by neighbouring prose chunks"
    )
    nprobe: int = Field(32, ge=1, description="IVF lists scanned per dense query")
    rerank: int = Field(
        200, ge=10, description="IVF-PQ candidates re-scored exactly from the memory-mapped vectors"
    )
    rrf_k: int = Field(
        60, ge=1, description="reciprocal-rank-fusion constant: score = Σ 1/(k + rank)"
    )

    def check_names(self) -> None:
        """`medllm validate`: every source is a registered one."""
        from medllm.knowledge.registry import sources

        for name in self.sources:
            sources.get(name)

    @model_validator(mode="after")
    def _fits_the_embedder(self) -> KbConfig:
        if self.dense and self.max_tokens > WINDOW:
            raise ValueError(
                f"max_tokens {self.max_tokens} is over the embedder's {WINDOW}-token window: the "
                f"tail of every chunk would never be embedded (fix: max_tokens <= {WINDOW}, or "
                "dense: false for a BM25-only knowledge base)"
            )
        return self
