"""User documents → what the index may keep: nothing of a document reaches disk in clear.

- text, title and every meta value go through `medllm.privacy.deidentify` (a meta value is read
  with its key as context, "patient: …", so a bare name or number is recognised by its label);
- the document id becomes a keyed pseudonym `id-<16 hex>`, the file name in `meta["file"]`
  `doc-<12 hex>.<ext>` (with the build's key: $MEDLLM_DEID_KEY, else one random per build);
- the url is dropped: for a note it is the original file's path.
If de-identification cannot run, the error stops the build before anything is written.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from medllm.core import Document
from medllm.privacy import deidentify, pseudonym, pseudonym_name


def deidentify_document(doc: Document, key: str) -> Document:
    return replace(
        doc,
        id=pseudonym(key, doc.id, "id"),
        text=deidentify(doc.text).text,
        title=deidentify(doc.title).text if doc.title else "",
        url="",
        meta=_meta(doc.meta, key),
    )


def _meta(meta: dict[str, Any], key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in meta.items():
        if name == "line" and isinstance(value, int):
            out[name] = value  # a line number in the user's file
        elif name == "file":
            out[name] = pseudonym_name(key, str(value))
        else:
            out[name] = _value(str(name), value)
    return out


def _value(label: str, value: Any) -> Any:
    """`value` de-identified; numbers and text alike, lists and mappings item by item."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, list | tuple):
        return [_value(label, v) for v in value]
    if isinstance(value, dict):
        return {k: _value(str(k), v) for k, v in value.items()}
    text = str(value)
    prefix = f"{label}: "
    clean = deidentify(prefix + text).text
    if not clean.startswith(prefix):  # the label itself was taken for PHI: keep it all redacted
        return clean
    clean = clean[len(prefix) :]
    return value if clean == text else clean
