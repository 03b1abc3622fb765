"""`medllm vision deid|show|make-vqa|ask`: de-identify DICOM files; render a DICOM / PNG / JPEG to
PNG; write the generated VQA set; ask a trained VLM about an image.

Imports nothing heavy at module level (pydicom, Pillow, torch load inside the commands).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

app = typer.Typer(
    help="Medical images: DICOM de-identification (PS3.15 Basic Profile), rendering, the generated VQA set, asking a VLM.",
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)
BAD = ("unreadable", "not_dicom", "failed")  # skip reasons that make the run exit 1


@app.command()
def deid(
    inp: Annotated[Path, typer.Argument(help="a DICOM file or a folder of them (recursive)")],
    out: Annotated[
        Path,
        typer.Argument(help="output folder: doc-<hmac>.dcm files (owner-only), deid_manifest.json"),
    ],
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", help="replace an earlier de-id run's output in a non-empty OUT"
        ),
    ] = False,
) -> None:
    """De-identify DICOM headers (Basic Profile; UIDs remapped, dates shifted per patient with
    the text de-id's shift; pixel data unchanged). Key: $MEDLLM_DEID_KEY, else one per run.
    A file that cannot be read is skipped and named; the others are written; exit 1 then."""
    from medllm.core import progress_bar
    from medllm.vision.dicom_runner import run_dicom_deid

    with progress_bar(console, transient=True) as update:
        summary = run_dicom_deid(inp, out, progress=update, overwrite=overwrite)
    _print_summary(summary, inp, out)
    if any(reason in BAD for _, reason in summary.skipped):
        raise typer.Exit(1)


def _print_summary(summary: Any, inp: Path, out: Path) -> None:
    """Counts, then each skipped input by reason (the user's own paths; never a header value)."""
    from medllm.privacy import KEY_ENV
    from medllm.vision.dicom_runner import SKIP_REASONS

    acted = summary.attributes
    console.print(
        f"[green]done[/green] {summary.files} of {summary.input_files} files de-identified: "
        f"{acted['removed']} attributes removed, {acted['emptied'] + acted['dummy']} emptied or "
        f"replaced, {acted['uid_remapped']} UIDs remapped, {acted['date_shifted']} dates shifted",
        highlight=False,
        soft_wrap=True,
    )
    if summary.flagged:
        console.print(
            f"[yellow]burned-in text[/yellow]: {len(summary.flagged)} files say Burned In "
            "Annotation YES; their pixels may show PHI (listed in the manifest)",
            highlight=False,
        )
    by_reason: dict[str, list[Path]] = {}
    for path, reason in summary.skipped:
        by_reason.setdefault(reason, []).append(path)
    for reason, paths in by_reason.items():
        target = err if reason in BAD else console
        target.print(f"skipped, {SKIP_REASONS[reason]} ({len(paths)}):", highlight=False)
        for p in paths:
            target.print(f"  {escape(_shown(p, inp))}", highlight=False, soft_wrap=True)
    bad = sum(n for r, n in Counter(r for _, r in summary.skipped).items() if r in BAD)
    if bad:
        err.print(
            f"[red]error:[/red] {bad} files could not be de-identified and were not written "
            "(fix: check them with `medllm vision show FILE`, or copy them again)",
            highlight=False,
        )
    console.print(f"manifest: {out / 'deid_manifest.json'}")
    if not os.environ.get(KEY_ENV):
        console.print(
            f"[dim]UIDs, names and date shifts used a one-off key: set ${KEY_ENV} for stable "
            "ones (and the same shifts as `medllm deid run`)[/dim]"
        )


def _shown(path: Path, inp: Path) -> str:
    return str(path.relative_to(inp)) if inp.is_dir() and path.is_relative_to(inp) else str(path)


def _window(value: str | None) -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        center, width = (float(v) for v in value.split(","))
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not CENTER,WIDTH (e.g. 40,400)") from None
    if width < 1:
        raise typer.BadParameter(f"width {width} is below 1")
    return center, width


@app.command()
def show(
    image: Annotated[Path, typer.Argument(help="a DICOM, PNG or JPEG file")],
    out: Annotated[Path, typer.Option("--out", "-o", help="the PNG to write")],
    window: Annotated[
        str | None,
        typer.Option(
            help="CENTER,WIDTH in modality units (HU for CT), e.g. 40,400; default: the file's"
        ),
    ] = None,
    frame: Annotated[int, typer.Option(min=0, help="frame of a multi-frame image")] = 0,
) -> None:
    """Render one frame to an 8-bit PNG with the window applied (written owner-only: an image
    that is not de-identified may show burned-in PHI)."""
    from medllm.core import check_out_file
    from medllm.vision.image import read_image, to_pil

    check_out_file(out)
    img = read_image(image, window=_window(window))
    picture = to_pil(img, frame)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        picture.save(f, format="PNG")
    out.chmod(0o600)  # an existing file keeps its mode through os.open
    used = f", window {img.window[0]:g},{img.window[1]:g}" if img.window else ""
    console.print(
        f"[green]wrote[/green] {out} ({picture.size[0]}x{picture.size[1]} {picture.mode}, "
        f"frame {frame + 1} of {img.frames}{used})",
        highlight=False,
        soft_wrap=True,
    )


@app.command("make-vqa")
def make_vqa(
    out: Annotated[
        Path, typer.Argument(help="folder: images/, vqa.jsonl, captions.jsonl (owner-only)")
    ],
    variants: Annotated[int, typer.Option(min=1, help="images per source image")] = 8,
    seed: Annotated[int, typer.Option(help="seed of lesion positions and distractors")] = 0,
) -> None:
    """Write the generated VQA set: shipped pydicom / scikit-image images mirrored, rotated and
    with inserted lesions; questions with certain answers and captions; split by source image."""
    from medllm.vision.vqa_gen import make_vqa_set

    vset = make_vqa_set(out, variants=variants, seed=seed)
    splits = Counter(i.split for i in vset.items)
    console.print(
        f"[green]wrote[/green] {len(vset.captions)} images, {len(vset.items)} questions "
        f"(train {splits['train']}, test {splits['test']}) to {out}",
        highlight=False,
        soft_wrap=True,
    )


@app.command()
def ask(
    image: Annotated[Path, typer.Argument(help="a DICOM, PNG or JPEG file")],
    question: Annotated[str, typer.Argument(help="the question about the image")],
    model: Annotated[Path, typer.Option(help="a trained VLM folder (`medllm train vlm`'s final/)")],
    max_new_tokens: Annotated[int, typer.Option(min=1, help="answer length in tokens")] = 16,
) -> None:
    """Answer one question about one image with a trained vision-language model."""
    from medllm.vision.image import read_image
    from medllm.vision.vlm import VisionLanguageModel

    img = read_image(image)
    vlm = VisionLanguageModel.load(model)
    console.print(vlm.answer([img], [question], max_new_tokens)[0], highlight=False, markup=False)
