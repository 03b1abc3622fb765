"""Where the learned PHI tagger's time goes per note, and how fast each runtime is, on dev notes.

    python benchmarks/deid_ner_speed.py --ner DIR [--notes 40] [--rounds 3]
        [--runtime torch-int8 --runtime torch --runtime onnx --runtime onnx-int8]

Each note goes through the tagger alone (no rules), one note per call as the recognizer runs it:
(and the CPU time of all threads, less disturbed by other jobs than wall time): tokenize (the fast tokenizer's overlapping 256-piece windows), forward (padding + the model +
softmax; all windows of the note in one batch), decode (thresholds, character spans, the
clinical-shape filter). The runtimes are timed in turn inside each round (alternating, so load
from other jobs falls on all of them alike); figures are the median over rounds of ms/note, and
ratios to the first runtime. Dev notes only (tests/fixtures/deid_independent/dev/, never test/).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import load_avg, load_note, median, versions, write_result

DEV = Path(__file__).parent.parent / "tests/fixtures/deid_independent/dev"


def profile(tagger: Any, texts: list[str]) -> dict[str, float]:
    """Seconds spent in each phase over `texts`, one note per call."""
    from medllm.privacy import ner

    got = {"tokenize": 0.0, "forward": 0.0, "decode": 0.0}
    cpu = time.process_time()
    for text in texts:
        t0 = time.perf_counter()
        enc = ner.encode(tagger.tok, text)
        t1 = time.perf_counter()
        probs = tagger._probs(enc["input_ids"])
        t2 = time.perf_counter()
        phi = tagger._phi(len(text), enc["offset_mapping"], probs)
        [s for s in tagger._decode(text, phi) if ner.plausible(text, s)]
        t3 = time.perf_counter()
        got["tokenize"] += t1 - t0
        got["forward"] += t2 - t1
        got["decode"] += t3 - t2
    got["cpu"] = time.process_time() - cpu  # all threads' CPU seconds: less load-dependent
    return got


def shape(tagger: Any, texts: list[str]) -> dict[str, float]:
    from medllm.privacy import ner

    wins = [ner.encode(tagger.tok, t)["input_ids"] for t in texts]
    pieces = [sum(len(w) for w in ws) for ws in wins]
    padded = [len(ws) * max(len(w) for w in ws) - p for ws, p in zip(wins, pieces, strict=True)]
    return {
        "windows_per_note_mean": round(statistics.mean(len(ws) for ws in wins), 2),
        "windows_per_note_max": max(len(ws) for ws in wins),
        "pieces_per_note_mean": round(statistics.mean(pieces), 1),
        "padding_pieces_per_note_mean": round(statistics.mean(padded), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ner", type=Path, required=True, help="a trained tagger folder")
    ap.add_argument("--notes", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runtime", action="append", help="repeat; default: all four")
    ap.add_argument("--torch-threads", type=int, help="torch.set_num_threads (default: torch's)")
    ap.add_argument("--label", default="deid_ner_speed", help="results/<label>.json")
    args = ap.parse_args()
    import torch

    from medllm.privacy import ner
    from medllm.privacy.gold import load_gold

    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    runtimes = args.runtime or ["torch-int8", "torch", "onnx", "onnx-int8"]
    texts = [n.text for n in load_gold(str(DEV))[: args.notes]]
    taggers = {rt: ner.Tagger.load(args.ner, runtime=rt) for rt in runtimes}
    load_start = load_avg()
    rounds: dict[str, list[dict[str, float]]] = {rt: [] for rt in runtimes}
    for _ in range(args.rounds):
        for rt in runtimes:
            rounds[rt].append(profile(taggers[rt], texts))
    n = len(texts)
    figures = {}
    for rt in runtimes:
        ms = {k: round(1000 * median([r[k] for r in rounds[rt]]) / n, 2) for k in rounds[rt][0]}
        wall = [r["tokenize"] + r["forward"] + r["decode"] for r in rounds[rt]]
        ms["total"] = round(1000 * median(wall) / n, 2)
        figures[rt] = ms
    base = runtimes[0]
    ratio = {rt: round(figures[base]["total"] / figures[rt]["total"], 2) for rt in runtimes}
    cpu_ratio = {rt: round(figures[base]["cpu"] / figures[rt]["cpu"], 2) for rt in runtimes}
    result = {
        "notes": n,
        "rounds": args.rounds,
        "ms_per_note": figures,
        f"speedup_vs_{base}": ratio,
        f"cpu_speedup_vs_{base}": cpu_ratio,
        "shape": shape(taggers[base], texts),
        "torch_threads": torch.get_num_threads(),
        "load_avg_1min_at_start": load_start,
        "versions": versions("torch", "onnxruntime", "transformers"),
    }
    for rt in runtimes:
        print(f"{rt:11s} {figures[rt]}  x{ratio[rt]} (cpu x{cpu_ratio[rt]}) vs {base}")
    print(result["shape"], "|", load_note(load_avg(), 2))
    summary = ", ".join(
        f"{rt} {figures[rt]['total']} ms/note ({figures[rt]['cpu']} CPU ms)" for rt in runtimes
    )
    cmd = f"python benchmarks/deid_ner_speed.py --ner DIR --notes {n} --rounds {args.rounds}"
    write_result(args.label, result, summary + f" ({load_note(load_avg(), 2)})", cmd)


if __name__ == "__main__":
    main()
