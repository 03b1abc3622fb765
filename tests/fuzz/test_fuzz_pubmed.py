"""Fuzz the PubMed XML reader: any bytes, and well-formed article sets with random damage, give
documents plus per-article errors, and documents read + errors = articles in the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from medllm.core import DataError, MedllmError
from medllm.knowledge.sources.pubmed import read_pubmed_xml

TEXT = st.text(st.characters(codec="utf-8", exclude_characters="<&"), max_size=30)
# damage: an unclosed tag, a stray close tag, a bad entity, bad bytes, a cut-off article
DAMAGE = st.sampled_from(["<b>", "</i>", "&nbsp;", "\udc80", "<", "<PMID>", "]]>", ""])


@st.composite
def article(draw: st.DrawFn, pmid: int) -> tuple[str, bool]:
    """(XML of one article, whether it is damaged)."""
    title, abstract = draw(TEXT), draw(TEXT)
    damage = draw(st.none() | DAMAGE)
    inner = (
        f"<MedlineCitation><PMID>{pmid}</PMID><Article>"
        f"<ArticleTitle>{title}{damage or ''}</ArticleTitle>"
        f"<Abstract><AbstractText Label='x'>{abstract}</AbstractText></Abstract>"
        "</Article></MedlineCitation>"
    )
    return f"<PubmedArticle>\n{inner}\n</PubmedArticle>\n", bool(damage)


@st.composite
def article_set(draw: st.DrawFn) -> bytes:
    n = draw(st.integers(0, 6))
    parts = [draw(article(90000000 + i)) for i in range(n)]
    body = "".join(xml for xml, _ in parts)
    if draw(st.booleans()):  # cut the file anywhere
        body = body[: draw(st.integers(0, len(body)))]
    head = draw(st.sampled_from(['<?xml version="1.0" encoding="utf-8"?>\n', "", "\ufeff"]))
    return (head + "<PubmedArticleSet>\n" + body + "</PubmedArticleSet>\n").encode(
        "utf-8", "surrogateescape"
    )


def test_any_bytes_and_damaged_article_sets(fuzz: Any, nasty: Any, tmp_path: Path) -> None:
    @fuzz
    @given(article_set() | st.binary(max_size=300) | nasty)
    def prop(raw: bytes) -> None:
        path = tmp_path / "pubmed.xml"
        path.write_bytes(raw)
        errors: list[DataError] = []
        try:
            docs = list(read_pubmed_xml(path, errors))
        except MedllmError:
            return
        assert all(isinstance(e, DataError) for e in errors)
        assert len(docs) + len(errors) == raw.count(b"<PubmedArticle>")
        assert all(d.id.startswith("pmid:") and d.text for d in docs)

    prop()
