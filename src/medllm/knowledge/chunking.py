"""Documents → chunks. Vocabulary records stay whole (one chunk each); prose is split into windows of
at most `max_tokens` embedder tokens, less the tokens of the document title the embedder reads in
front of each chunk, with `overlap` tokens shared between neighbours, cut at sentence ends where
possible. The default fills the embedder's window exactly. Chunk ids are `<doc_id>#<n>`: stable
across rebuilds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from medllm.core import Chunk, Document
from medllm.knowledge.embed import WINDOW

MAX_TOKENS = WINDOW  # prose chunk size by default: title + chunk fill the embedder's window
OVERLAP = 24

# Sources whose documents are single vocabulary records (kept whole, whatever their length). A
# MONDO, Uberon or UniProt record leads with its name and definition, which the embedder reads;
# its synonyms and cross-references follow for BM25, and the record is cited as one.
VOCABULARY_SOURCES = frozenset(
    {
        "icd10cm",
        "hpo",
        "hpo_disease",
        "mesh",
        "who_medicine",
        "mondo",
        "uberon",
        "uniprot_disease",
    }
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n{2,}")


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """The embedder's own WordPiece tokenizer (the `tokenizers` library, no torch needed)."""
    from tokenizers import Tokenizer

    from medllm.knowledge.embed import model_dir

    tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tok.no_padding()  # the shipped file pads and truncates to 128: we need true lengths
    tok.no_truncation()
    return tok


def count_tokens(text: str) -> int:
    return len(_tokenizer().encode(text, add_special_tokens=False).ids)


def _pieces(text: str, max_tokens: int) -> Iterator[tuple[str, int]]:
    """Sentences with their token counts; a sentence longer than `max_tokens` is cut by tokens."""
    tok = _tokenizer()
    for sentence in _SENTENCE.split(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        enc = tok.encode(sentence, add_special_tokens=False)
        if len(enc.ids) <= max_tokens:
            yield sentence, len(enc.ids)
            continue
        for start in range(0, len(enc.ids), max_tokens):
            lo, hi = (
                enc.offsets[start][0],
                enc.offsets[min(start + max_tokens, len(enc.ids)) - 1][1],
            )
            yield sentence[lo:hi], min(max_tokens, len(enc.ids) - start)


def split_text(text: str, max_tokens: int = MAX_TOKENS, overlap: int = OVERLAP) -> list[str]:
    """Greedy packing of sentences into windows; the last sentences (up to `overlap` tokens) of
    one window open the next, so a fact cut at a boundary is whole in at least one chunk."""
    windows: list[list[tuple[str, int]]] = [[]]
    for piece in _pieces(text, max_tokens):
        cur = windows[-1]
        if cur and sum(n for _, n in cur) + piece[1] > max_tokens:
            carry: list[tuple[str, int]] = []
            for prev in reversed(cur):
                if sum(n for _, n in carry) + prev[1] > overlap:
                    break
                carry.insert(0, prev)
            if sum(n for _, n in carry) + piece[1] > max_tokens:
                carry = []
            windows.append(carry)
        windows[-1].append(piece)
    return [" ".join(s for s, _ in w) for w in windows if w]


def prose_budget(title: str, max_tokens: int) -> int:
    """Tokens left for a chunk once its title (which `index.embed_text` puts in front) is counted;
    at least half of `max_tokens`, so a very long title cannot shrink chunks to nothing."""
    used = count_tokens(title) if title else 0
    return max(max_tokens - used, max_tokens // 2)


def chunk_document(
    doc: Document, max_tokens: int = MAX_TOKENS, overlap: int = OVERLAP
) -> list[Chunk]:
    if doc.source in VOCABULARY_SOURCES:
        texts = [doc.text]
    else:
        budget = prose_budget(doc.title, max_tokens)
        texts = split_text(doc.text, budget, overlap) or [doc.text]
    return [
        Chunk(
            id=f"{doc.id}#{i}",
            doc_id=doc.id,
            text=t,
            title=doc.title,
            source=doc.source,
            url=doc.url,
            meta=doc.meta,
        )
        for i, t in enumerate(texts)
    ]


def chunk_documents(
    docs: Iterable[Document], max_tokens: int = MAX_TOKENS, overlap: int = OVERLAP
) -> Iterator[Chunk]:
    for doc in docs:
        yield from chunk_document(doc, max_tokens, overlap)
