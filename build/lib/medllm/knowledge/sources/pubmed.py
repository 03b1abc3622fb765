"""PubMed / MEDLINE XML (`<PubmedArticleSet>`, as from efetch or the annual baseline) → documents.

lxml's recovering parser keeps the well-formed articles of a damaged file; each damaged or
incomplete article becomes a `DataError` naming the file and the record, and is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medllm.core import DataError, Document

SOURCE = "pubmed"


def _text(el: Any) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _abstract(article: Any) -> str:
    parts = []
    for node in article.iterfind(".//Abstract/AbstractText"):
        label = node.get("Label")
        body = _text(node)
        parts.append(f"{label.title()}: {body}" if label else body)
    return "\n".join(p for p in parts if p)


def _document(path: Path, idx: int, article: Any) -> Document:
    pmid = _text(article.find(".//MedlineCitation/PMID"))
    if not pmid:
        raise DataError(
            f"PubmedArticle #{idx} has no PMID", path=path, field="MedlineCitation/PMID"
        )
    title = _text(article.find(".//Article/ArticleTitle"))
    abstract = _abstract(article)
    if not (title or abstract):
        raise DataError(
            f"PubmedArticle #{idx} (PMID {pmid}) has neither title nor abstract",
            path=path,
            field="ArticleTitle",
        )
    mesh = [_text(m) for m in article.iterfind(".//MeshHeading/DescriptorName")]
    year = _text(article.find(".//JournalIssue/PubDate/Year"))
    journal = _text(article.find(".//Journal/Title"))
    return Document(
        id=f"pmid:{pmid}",
        text="\n".join(p for p in (title, abstract) if p),
        title=title,
        source=SOURCE,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        meta={"pmid": pmid, "mesh": mesh, "year": year, "journal": journal, "file": path.name},
    )


def read_pubmed_xml(path: Path, errors: list[DataError]) -> Iterator[Document]:
    """Yield one document per `PubmedArticle`; malformed ones are appended to `errors`."""
    from lxml import etree

    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    try:
        tree = etree.parse(str(path), parser)
    except (etree.XMLSyntaxError, OSError) as e:
        raise DataError(f"unreadable XML ({e})", path=path, fix="check the file") from None
    root = tree.getroot()
    if root is None or root.tag != "PubmedArticleSet":
        raise DataError(
            "not a PubMed XML file (root element is not PubmedArticleSet)",
            path=path,
            fix="export from PubMed as XML (efetch rettype=xml) or pass a .txt/.jsonl file",
        )
    bad_lines = sorted({int(e.line) for e in parser.error_log})
    articles = list(root.iterfind("PubmedArticle"))
    starts = [int(a.sourceline or 0) for a in articles] + [10**9]
    for idx, article in enumerate(articles, start=1):
        damaged = [ln for ln in bad_lines if starts[idx - 1] <= ln < starts[idx]]
        if damaged:
            errors.append(
                DataError(
                    f"PubmedArticle #{idx} is malformed XML: skipped", path=path, line=damaged[0]
                )
            )
            continue
        try:
            yield _document(path, idx, article)
        except DataError as e:
            errors.append(e)
    if bad_lines and (not articles or bad_lines[0] < starts[0]):
        errors.append(
            DataError("malformed XML before the first article", path=path, line=bad_lines[0])
        )
