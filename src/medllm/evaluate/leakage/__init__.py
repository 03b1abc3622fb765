"""Privacy leakage (S9): fine-tune on synthetic notes with PHI-shaped canaries, raw, de-identified
or with DP-SGD at several epsilons, and measure canary exposure, loss-based membership AUC and
held-out next-token accuracy (docs/studies.md, S9).

    from medllm.evaluate.leakage import PrivacyLeakageConfig, run_leakage
    report = run_leakage(load_config("configs/studies/s9_privacy.yaml", PrivacyLeakageConfig))

Heavy imports (torch, transformers, opacus) wait until an arm trains.
"""

from __future__ import annotations

from medllm.evaluate.leakage.config import LeakageArm, PrivacyLeakageConfig
from medllm.evaluate.leakage.study import run_leakage

__all__ = ["LeakageArm", "PrivacyLeakageConfig", "run_leakage"]
