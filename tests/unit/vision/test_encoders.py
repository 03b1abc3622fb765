"""The three encoders by name on shipped images, and the feature cache (second call reuses it)."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import numpy as np
import pytest
import skimage

from medllm.core import DataError, UnknownNameError
from medllm.vision import FeatureCache, encoders, load_encoder, read_image

SKIMAGE_DATA = Path(skimage.__file__).parent / "data"


@pytest.fixture(scope="module")
def images() -> list:
    return [read_image(SKIMAGE_DATA / name) for name in ("retina.jpg", "ihc.png")]


def test_registry_names_and_did_you_mean() -> None:
    assert encoders.names() == ["cnn_scratch", "efficientnet_lite0", "vit_s14"]
    with pytest.raises(UnknownNameError, match="did you mean 'vit_s14'"):
        encoders.get("vit_s16")


def test_vit_s14_tokens_and_the_cache_is_reused(images: list, tmp_path: Path) -> None:
    enc = load_encoder("vit_s14")
    assert (enc.dim, enc.tokens, enc.trainable) == (384, 257, False)
    cache = FeatureCache(tmp_path / "features")
    first = cache.features(enc, images)
    assert first.shape == (2, 257, 384) and first.dtype == np.float32
    assert (cache.stats.hits, cache.stats.misses) == (0, 2)
    # the backbone's layernorm output: every token normalised over its 384 channels
    direct = enc.encode(np.stack([enc.preprocess(im) for im in images]))
    np.testing.assert_array_equal(first, direct)
    second = cache.features(enc, images)
    assert (cache.stats.hits, cache.stats.misses) == (2, 2)  # no image went through the encoder
    np.testing.assert_array_equal(first, second)
    files = sorted((tmp_path / "features" / "vit_s14").iterdir())
    assert [len(f.stem) for f in files] == [64, 64]  # content hashes; no input name
    assert [stat.S_IMODE(f.stat().st_mode) for f in files] == [0o600, 0o600]
    assert stat.S_IMODE((tmp_path / "features").stat().st_mode) == 0o700


def test_cache_key_is_the_content_not_the_name(tmp_path: Path) -> None:
    enc = load_encoder("cnn_scratch")
    enc.trainable = False  # a frozen copy of the scratch CNN: cheap to run for this check
    copy = tmp_path / "renamed.png"
    shutil.copy(SKIMAGE_DATA / "cell.png", copy)  # greyscale: a window applies
    cache = FeatureCache(tmp_path / "features")
    cache.features(enc, [read_image(SKIMAGE_DATA / "cell.png")])
    cache.features(enc, [read_image(copy)])
    assert (cache.stats.hits, cache.stats.misses) == (1, 1)
    cache.features(enc, [read_image(copy, window=(100, 50))])  # other pixels: a new entry
    assert (cache.stats.hits, cache.stats.misses) == (1, 2)


def test_efficientnet_lite0_imagenet_weights_load_strictly_and_classify() -> None:
    enc = load_encoder("efficientnet_lite0")  # load_state_dict(strict=True) inside
    assert sum(p.numel() for p in enc.module.parameters()) == 4_652_008
    photos = [read_image(SKIMAGE_DATA / n) for n in ("chelsea.png", "coffee.png")]
    batch = np.stack([enc.preprocess(im) for im in photos])
    # ImageNet-1k: 285 = Egyptian cat, 967 = espresso
    assert enc.classify(batch).argmax(axis=1).tolist() == [285, 967]
    assert enc.encode(batch).shape == (2, 49, 1280)


def test_cnn_scratch_trains_so_it_is_not_cached(images: list, tmp_path: Path) -> None:
    enc = load_encoder("cnn_scratch")
    assert enc.trainable and enc.encode(np.stack([enc.preprocess(images[0])])).shape == (1, 49, 128)
    assert sum(p.numel() for p in enc.module.parameters()) == 186_144
    with pytest.raises(DataError, match=r"cnn_scratch.*trained with the model"):
        FeatureCache(tmp_path).features(enc, images)


def test_the_face_imports_no_torch_until_a_model_is_used() -> None:
    import subprocess
    import sys

    code = (
        "import sys, medllm.vision; "
        "print(sorted(m for m in ('torch', 'onnxruntime', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
