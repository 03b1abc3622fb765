"""Reader for i2b2-2014 de-identification XML, and the 5 i2b2 notes shipped in `philter-ucsf`.

    <deIdi2b2><TEXT><![CDATA[...]]></TEXT><TAGS><DATE TYPE="DATE" start="16" end="26" .../></TAGS>

The 5 philter notes are a *development set*: the recognizers were written while looking at them,
so a figure on them is in-distribution, not held out (the held-out figure comes from the test half
of `tests/fixtures/deid_independent/`). They are read from the installed package at run time; they
come from the i2b2/UTHealth 2014 corpus (surrogate PHI) under a data-use agreement, so none of their
strings may be copied into this repository (`tests/unit/privacy/test_no_i2b2_strings.py` checks
src/, tests/, docs/ and benchmarks/).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from medllm.core import DataError, Span, locate
from medllm.privacy.gold.synthetic import GoldNote

# i2b2-2014 TYPE → medllm PHI kind.
I2B2_KINDS = {
    "PATIENT": "NAME",
    "DOCTOR": "NAME",
    "USERNAME": "USERNAME",
    "PROFESSION": "PROFESSION",
    "HOSPITAL": "HOSPITAL",
    "ORGANIZATION": "HOSPITAL",
    "STREET": "STREET",
    "CITY": "CITY",
    "STATE": "STATE",
    "ZIP": "ZIP",
    "COUNTRY": "COUNTRY",
    "LOCATION-OTHER": "CITY",
    "DATE": "DATE",
    "AGE": "AGE",
    "PHONE": "PHONE",
    "FAX": "FAX",
    "EMAIL": "EMAIL",
    "URL": "URL",
    "MEDICALRECORD": "MRN",
    "HEALTHPLAN": "HEALTHPLAN",
    "IDNUM": "ID",
    "ACCOUNT": "ACCOUNT",
    "LICENSE": "LICENSE",
    "DEVICE": "DEVICE",
    "BIOID": "ID",
    "SSN": "SSN",
    "VEHICLE": "VEHICLE",
    "IPADDR": "IP",
}
PHILTER_DIST = "philter-ucsf"
PHILTER_NOTES = ("110-01", "110-02", "110-03", "110-04", "111-01")


def read_i2b2_xml(path: str | Path) -> GoldNote:
    """One i2b2-2014 XML file → GoldNote (spans keep the i2b2 TYPE in `source`)."""
    p = Path(path)
    try:
        root = ET.parse(p).getroot()
    except ET.ParseError as e:
        raise DataError(
            f"not valid XML ({e})", path=p, fix="give an i2b2-2014 <deIdi2b2> file"
        ) from None
    text_el, tags = root.find("TEXT"), root.find("TAGS")
    if text_el is None or tags is None:
        raise DataError("missing <TEXT> or <TAGS>", path=p, fix="give an i2b2-2014 <deIdi2b2> file")
    text = text_el.text or ""
    spans = [_span(tag, text, p) for tag in tags]
    return GoldNote(p.stem, p.stem.split("-")[0], "i2b2", text, tuple(s for s in spans if s))


def _span(tag: ET.Element, text: str, path: Path) -> Span | None:
    i2b2_type = tag.get("TYPE", "")
    try:
        start, end = int(tag.get("start", "")), int(tag.get("end", ""))
    except ValueError:
        raise DataError(f"tag {tag.get('id')!r} has no integer start/end", path=path) from None
    if not 0 <= start < end <= len(text):
        raise DataError(f"tag {tag.get('id')!r} offsets outside the text", path=path)
    return Span(I2B2_KINDS.get(i2b2_type, i2b2_type), start, end, 1.0, i2b2_type)


def philter_notes() -> list[GoldNote]:
    """The 5 i2b2 development notes (46 PHI spans) from the installed philter-ucsf package."""
    return [
        read_i2b2_xml(locate(PHILTER_DIST, f"philter_ucsf/data/i2b2_xml/{name}.xml"))
        for name in PHILTER_NOTES
    ]
