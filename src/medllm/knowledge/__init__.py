"""Knowledge stage: sources → documents → chunks → an on-disk BM25 + dense + hybrid index.

What other stages use: build and open an index (`build_index`, `KnowledgeBase`, `get_retriever`),
embed a query, and the vocabulary loaders that training and evaluation build rows and items from.
Light on import: heavy libraries (bm25s, faiss, sentence-transformers) load inside functions.
"""

from __future__ import annotations

from medllm.knowledge.config import KbConfig
from medllm.knowledge.embed import embed as embed_texts
from medllm.knowledge.embed import embed_query
from medllm.knowledge.index import BuildReport, build_index, default_folder, exists, read_manifest
from medllm.knowledge.kb import KnowledgeBase
from medllm.knowledge.registry import retrievers, sources
from medllm.knowledge.retrievers import Retriever, get_retriever
from medllm.knowledge.sources.hpo import (
    FREQ_RANK,
    Annotation,
    HpoDisease,
    HpoTerm,
    disease_document,
    frequent_phenotypes,
    load_diseases,
    load_terms,
)
from medllm.knowledge.sources.icd10cm import IcdCode, load_code_map, load_codes
from medllm.knowledge.sources.icd10cm import to_document as icd10cm_document
from medllm.knowledge.sources.mesh import MeshDescriptor, load_descriptors
from medllm.knowledge.sources.prose import named_documents
from medllm.knowledge.sources.who_medicines import Medicine, load_medicines
from medllm.knowledge.sources.who_medicines import to_document as medicine_document

__all__ = [
    "FREQ_RANK",
    "Annotation",
    "BuildReport",
    "HpoDisease",
    "HpoTerm",
    "IcdCode",
    "KbConfig",
    "KnowledgeBase",
    "Medicine",
    "MeshDescriptor",
    "Retriever",
    "build_index",
    "default_folder",
    "disease_document",
    "embed_query",
    "embed_texts",
    "exists",
    "frequent_phenotypes",
    "get_retriever",
    "icd10cm_document",
    "load_code_map",
    "load_codes",
    "load_descriptors",
    "load_diseases",
    "load_medicines",
    "load_terms",
    "medicine_document",
    "named_documents",
    "read_manifest",
    "retrievers",
    "sources",
]
