"""Definitions by name: "what is bronchiectasis", "nephron def", "wilson disease explain" → the
MONDO, UniProt or Uberon entry whose name or synonym the asked text is (its prose definition, as
the knowledge base indexes it). Retrieval ranks these entries below code titles and term names
that share a word with the question; a name lookup does not.

A whole-name match scores 1; otherwise the names found in the text score the share of its content
words they cover (`PhraseIndex.lookup`), so "myotonic dystrophy 1 features" still finds
"myotonic dystrophy 1" but below an exact name."""

from __future__ import annotations

from functools import lru_cache

from medllm.core import Document
from medllm.rag.tools.base import Found, entry
from medllm.rag.tools.text import PhraseIndex, lookup_named, name_forms

NAME = "define"


@lru_cache(maxsize=1)
def _built() -> tuple[dict[str, Document], PhraseIndex]:
    """The documents by id and the name index, from one pass over `named_documents`."""
    from medllm.knowledge import named_documents

    named = list(named_documents())
    docs = {doc.id: doc for _, doc in named}
    return docs, PhraseIndex((name, doc.id) for names, doc in named for name in names)


def documents() -> dict[str, Document]:
    return _built()[0]


def names() -> PhraseIndex:
    return _built()[1]


class DefineTool:
    name = NAME

    def entry(self, doc_id: str, score: float = 1.0) -> Found:
        d = documents()[doc_id]
        return Found(entry(d.id, NAME, d.text, d.title, d.source, d.url), score)

    def run(self, query: str, k: int = 3) -> list[Found]:
        found = lookup_named(names(), query, k)
        if found and found[0][1] >= 1.0:
            # the same name as each source spells it: MONDO's "von Willebrand disease type 1" is
            # UniProt's "von Willebrand disease 1", whose summary may hold what MONDO's lacks
            same = [i for n in name_forms(query) for i in names().exact(n)]
            found = [(i, 1.0) for i in dict.fromkeys([i for i, _ in found] + same)]
        return [self.entry(i, score) for i, score in found[:k]]
