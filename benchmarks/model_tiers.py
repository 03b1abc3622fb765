"""The model tiers against each other on this machine: load time, prefill and decode tokens/s
through llama.cpp (the same prompt length and generation length for each; greedy; medians).

Also keeps each tier's figure in the medllm cache, where `medllm models ls` shows it. The figures
depend on the CPU and on what else runs on it: the load average before and after is recorded per
tier. A tier that is not installed is skipped with a line saying how to install it.

    .venv/bin/python benchmarks/model_tiers.py [--tiers small medium large] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from _common import versions, write_result
from medllm.models import TIERS, get_tier, tier_state
from medllm.models.speed import measure_speed, record_speed
from medllm.models.tiers import install_command


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--tiers", nargs="+", default=list(TIERS), choices=list(TIERS))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--prompt-tokens", type=int, default=256)
    ap.add_argument("--gen-tokens", type=int, default=64)
    a = ap.parse_args()
    results, skipped = {}, {}
    for name in a.tiers:
        tier = get_tier(name)
        if tier_state(tier) == "missing":
            skipped[name] = f"not installed: {install_command(tier)}"
            print(f"skipped {name}: {skipped[name]}")
            continue
        r = measure_speed(
            name, prompt_tokens=a.prompt_tokens, gen_tokens=a.gen_tokens, repeats=a.repeats
        )
        record_speed(r)
        results[name] = {**r, "params": tier.params, "file_bytes": tier.size, "model": tier.model}
        print(f"{name}: decode {r['decode_tok_s']} tok/s, prefill {r['prefill_tok_s']} tok/s")
    summary = "; ".join(
        f"{n} decode {r['decode_tok_s']} / prefill {r['prefill_tok_s']} tok/s"
        for n, r in results.items()
    )
    loads = [r["load_avg_after"] for r in results.values() if r["load_avg_after"] is not None]
    summary += (
        f" ({a.prompt_tokens}-token prompt, {a.gen_tokens} generated, {os.cpu_count()} threads"
    )
    summary += f", load average up to {max(loads)})" if loads else ")"
    cmd = (
        f"python benchmarks/model_tiers.py --tiers {' '.join(a.tiers)} --repeats {a.repeats} "
        f"--prompt-tokens {a.prompt_tokens} --gen-tokens {a.gen_tokens}"
    )
    out = {"tiers": results, "skipped": skipped, "versions": versions("llama-cpp-python")}
    print(write_result("model_tiers", out, summary, cmd))


if __name__ == "__main__":
    main()
