"""Registries of the knowledge stage: document sources and retrievers (entries import lazily)."""

from __future__ import annotations

from typing import Any

from medllm.core import Registry, schemas

sources: Registry[Any] = Registry(
    "sources", "knowledge sources: a function returning an iterator of Document records"
)
sources.register_lazy("icd10cm", "medllm.knowledge.sources.icd10cm:documents")
sources.register_lazy("icd10cm_full", "medllm.knowledge.sources.icd10cm:all_documents")
sources.register_lazy("hpo", "medllm.knowledge.sources.hpo:term_documents")
sources.register_lazy("hpo_disease", "medllm.knowledge.sources.hpo:disease_documents")
sources.register_lazy("mesh", "medllm.knowledge.sources.mesh:documents")
sources.register_lazy("who_medicine", "medllm.knowledge.sources.who_medicines:documents")
sources.register_lazy("mondo", "medllm.knowledge.sources.mondo:documents")
sources.register_lazy("uberon", "medllm.knowledge.sources.uberon:documents")
sources.register_lazy("uniprot_disease", "medllm.knowledge.sources.uniprot:documents")

retrievers: Registry[Any] = Registry(
    "retrievers", "retrievers over a knowledge base: class taking (index_dir, **options)"
)
retrievers.register_lazy("bm25", "medllm.knowledge.retrievers:BM25Retriever")
retrievers.register_lazy("dense", "medllm.knowledge.retrievers:DenseRetriever")
retrievers.register_lazy("hybrid", "medllm.knowledge.retrievers:HybridRetriever")
retrievers.register_lazy("milvus", "medllm.knowledge.milvus:MilvusRetriever")

schemas.register_lazy("knowledge", "medllm.knowledge.config:KbConfig")
