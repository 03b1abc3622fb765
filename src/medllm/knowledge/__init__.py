"""Knowledge stage: sources → documents → chunks → an on-disk BM25 + dense + hybrid index.

Light on import: heavy libraries (bm25s, faiss, sentence-transformers) load inside functions.
"""

from __future__ import annotations
