"""The learned PHI tagger's fast path: its fine-tuned model exported to ONNX once, run by ONNX
Runtime (optionally with int8 weights), cached in the model folder owner-only.

Why: a torch forward pass of the 6-layer MiniLM was nearly all of the tagger's time per note;
ONNX Runtime runs the same graph with fused attention / GELU kernels and no autograd machinery.
The export is `torch.onnx.export` (the TorchScript exporter: the dynamo one needs `onnxscript`,
not installed), the int8 model `onnxruntime.quantization.quantize_dynamic`; nothing here is
written by hand but the cache's freshness check and its owner-only, atomic write.

Files, next to the weights they come from (the folder is owner-only; so is each file, 0600):
`model.onnx` (fp32) and `model.int8.onnx`. A cache older than `model.safetensors` is rebuilt;
one that ONNX Runtime cannot read raises an `AssetError` naming it, with the fix (delete it).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

from medllm.core import AssetError

FP32, INT8 = "model.onnx", "model.int8.onnx"
WEIGHTS = "model.safetensors"


def cache_path(folder: Path, int8: bool) -> Path:
    return folder / (INT8 if int8 else FP32)


def _fresh(path: Path, folder: Path) -> bool:
    weights = folder / WEIGHTS
    return path.is_file() and (
        not weights.is_file() or path.stat().st_mtime >= weights.stat().st_mtime
    )


def ensure_onnx(folder: Path, int8: bool) -> Path:
    """The ONNX file of the model in `folder`, exported (and quantised) first when missing or
    older than the weights."""
    fp32 = cache_path(folder, False)
    if not _fresh(fp32, folder):
        _install(fp32, _export(folder))
    if not int8:
        return fp32
    q = cache_path(folder, True)
    if not _fresh(q, folder):
        _install(q, _quantize(fp32))
    return q


def clear(folder: Path) -> None:
    """Remove the caches (a retrained model must not run through its predecessor's graph)."""
    for name in (FP32, INT8):
        (folder / name).unlink(missing_ok=True)


def _private_tmp() -> Path:
    return Path(tempfile.mkdtemp(prefix="medllm-ner-onnx-"))  # 0700: the graph holds the weights


def _install(dest: Path, tmp: Path) -> None:
    """Move a finished file into place owner-only, atomically (a reader never sees half of it)."""
    os.chmod(tmp, 0o600)
    part = dest.with_name(f".{dest.name}.part")
    shutil.move(tmp, part)
    os.chmod(part, 0o600)
    os.replace(part, dest)
    shutil.rmtree(tmp.parent, ignore_errors=True)


def _export(folder: Path) -> Path:
    import torch
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(folder).eval()
    out = _private_tmp() / FP32
    # Traced on a padded batch of two, so the attention-mask path is in the graph; both axes
    # are dynamic: (windows, word pieces).
    ids = torch.ones(2, 16, dtype=torch.long)
    mask = torch.ones(2, 16, dtype=torch.long)
    mask[1, 10:] = 0
    axes = {n: {0: "windows", 1: "tokens"} for n in ("input_ids", "attention_mask", "logits")}
    with warnings.catch_warnings():  # the tracer's notes on Python control flow in the model
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (ids, mask),
            str(out),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    return out


def _quantize(fp32: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out = _private_tmp() / INT8
    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8)
    return out


def threads() -> int:
    """The cores this process may use (the affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class OnnxLogits:
    """`(input_ids, attention_mask)` int64 arrays (windows, tokens) → logits (windows, tokens,
    labels), by ONNX Runtime on the CPU."""

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads()
        opts.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: on a shared or busy CPU (other jobs, the
        # runner's worker processes) spinning doubled the CPU time of each note (86 vs 47 ms
        # of CPU per note, 2 threads, load 8 on 2 cores) and made wall time worse, not better.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3  # errors only: its warnings name graph nodes, never text
        try:
            self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own untyped errors on a bad file
            raise AssetError(
                f"the ONNX cache of the PHI tagger cannot be read: {path} ({type(e).__name__})",
                fix=f"delete it (rm {path}); it is rebuilt from the model on next use",
            ) from None

    def __call__(self, ids: Any, mask: Any) -> Any:
        return self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
