"""A study's report.html in a real headless Chromium (Debian's `chromium`, driven by Playwright):
the self-contained page renders its table and its inline plot (a decoded PNG with a size), and the
screenshot is not blank. `make test-e2e` installs Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from medllm.evaluate import StudyConfig, run_study

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_study_report_renders_in_chromium(tiny_dir: Path, tmp_path: Path) -> None:
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: run `make test-e2e`, which installs it")
    from PIL import Image
    from playwright.sync_api import sync_playwright

    cfg = StudyConfig(
        name="s_page",
        model=f"hf:{tiny_dir}",
        tasks=["mmlu_medical"],
        limit=8,
        cache=False,
        output_dir=str(tmp_path),
        arms=[{"name": "letters", "mode": "loglik"}, {"name": "options"}],
    )
    page_path = run_study(cfg).parent / "report.html"
    shot = tmp_path / "report.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(page_path.as_uri())
            assert page.locator("table").count() >= 1
            assert "letters" in page.inner_text("body") and "options" in page.inner_text("body")
            img = page.locator("img").first
            assert img.evaluate("i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    lo, hi = Image.open(shot).convert("L").getextrema()
    assert hi - lo > 100  # text and a plot on the page, not a blank frame
