"""PubMed / MEDLINE XML (`<PubmedArticleSet>`, as from efetch or the annual baseline) → documents.

Each `<PubmedArticle>` is parsed on its own, so a damaged article costs only itself: it becomes a
`DataError` naming the file, the line and the record, and is skipped; the well-formed ones before
and after it are read.
"""

from __future__ import annotations

import itertools
import re
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
    """Yield one document per `PubmedArticle`; malformed ones are appended to `errors`, so that
    documents read + errors = articles in the file."""
    raw = path.read_bytes()
    _check_root(path, raw)
    parser = _parser(path, raw)
    starts = [m.start() for m in _ARTICLE.finditer(raw)] + [len(raw)]
    for idx, (begin, end) in enumerate(itertools.pairwise(starts), start=1):
        first_line = raw.count(b"\n", 0, begin) + 1
        try:
            article = _parse_article(raw[begin:end], parser)
        except _Malformed as e:
            errors.append(
                DataError(
                    f"PubmedArticle #{idx} is malformed XML: skipped",
                    path=path,
                    line=first_line + e.line - 1,
                )
            )
            continue
        try:
            yield _document(path, idx, article)
        except DataError as e:
            errors.append(e)


# Each article is parsed on its own, strictly: with one parse of the whole file, lxml's recovering
# parser nests every later article inside an unclosed tag, and they are lost with the damaged one.
_ARTICLE = re.compile(rb"<PubmedArticle(?=[\s/>])")
_CLOSE = b"</PubmedArticle>"
_ROOT = re.compile(rb"<([^?!\s/>][^\s/>]*)")
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._\-]+)["']""")


class _Malformed(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _check_root(path: Path, raw: bytes) -> None:
    m = _ROOT.search(raw.lstrip(b"\xef\xbb\xbf"))
    if m is None or m[1] != b"PubmedArticleSet":
        raise DataError(
            "not a PubMed XML file (root element is not PubmedArticleSet)",
            path=path,
            fix="export from PubMed as XML (efetch rettype=xml) or pass a .txt/.jsonl file",
        )


def _parser(path: Path, raw: bytes) -> Any:
    from lxml import etree

    m = _ENCODING.match(raw)
    try:
        return etree.XMLParser(
            encoding=m[1].decode() if m else "utf-8", resolve_entities=False, no_network=True
        )
    except LookupError:
        raise DataError(
            f"unknown XML encoding {m[1].decode()!r}" if m else "unknown XML encoding",
            path=path,
            line=1,
            fix="save the file as UTF-8",
        ) from None


def _parse_article(chunk: bytes, parser: Any) -> Any:
    """The article element of `chunk` (its start tag up to the next article's); `_Malformed` with
    the line (within `chunk`) where it breaks."""
    from lxml import etree

    close = chunk.find(_CLOSE)
    if close < 0:  # unclosed: the error is where the article ends
        raise _Malformed(chunk.rstrip().count(b"\n") + 1)
    try:
        return etree.fromstring(chunk[: close + len(_CLOSE)], parser)
    except etree.XMLSyntaxError as e:
        raise _Malformed(int(e.lineno or 1)) from None
