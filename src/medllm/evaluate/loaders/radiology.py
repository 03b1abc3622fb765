"""`radiology_impression`: chest X-ray findings → impression, on the Indiana University reports
shipped in torchxrayvision (NLMCXR_reports.tgz, CC BY-NC-ND 4.0). Read at run time; nothing
derived is written into the repository (per-sample logs stay in the user's run folder)."""

from __future__ import annotations

import random
import re
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

from medllm.core import DataError, Question, locate
from medllm.evaluate.loaders.common import Items
from medllm.evaluate.spec import TaskSpec

DIST, RELPATH = "torchxrayvision", "torchxrayvision/data/NLMCXR_reports.tgz"


def read_reports(path: Path) -> list[tuple[str, str, str]]:
    """(report id, findings, impression) for reports having both sections, by report number."""
    out = []
    with tarfile.open(path) as tf:
        for member in tf:
            if not member.name.endswith(".xml"):
                continue
            f = tf.extractfile(member)
            if f is None:
                continue
            try:
                root = ET.parse(f).getroot()
            except ET.ParseError as e:
                raise DataError(f"invalid XML ({e})", path=f"{path}!{member.name}") from None
            sec = {
                a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")
            }
            if sec.get("FINDINGS") and sec.get("IMPRESSION"):
                out.append((Path(member.name).stem, sec["FINDINGS"], sec["IMPRESSION"]))
    return sorted(out, key=lambda r: int(re.sub(r"\D", "", r[0]) or 0))


def load(spec: TaskSpec) -> Items:
    path = Path(spec.path).expanduser() if spec.path else locate(DIST, RELPATH)
    reports = read_reports(path)
    rng = random.Random(int(spec.options.get("seed", 0)))
    order = list(range(len(reports)))
    rng.shuffle(order)
    n = int(spec.options.get("n_items", 200))
    items = [
        Question(
            id=f"iu-cxr:{reports[i][0]}",
            question=reports[i][1],
            answer=reports[i][2],
            subject="chest x-ray",
        )
        for i in sorted(order[:n])
    ]
    pool = [
        Question(id=f"iu-cxr:{reports[i][0]}", question=reports[i][1], answer=reports[i][2])
        for i in sorted(order[n : n + 20])
    ]
    return items, pool
