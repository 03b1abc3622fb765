"""The web chat at `/` in a real headless Chromium (Debian's `chromium`, driven by Playwright)
against `medllm serve` on 127.0.0.1 with the real embedded model: the page loads and asks for a
key, a question streams an answer, an emergency message shows the banner, a grounded answer shows
clickable sources, and the screenshot is not blank. `make test-e2e` installs Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.integration.serve_util import gout_kb, running

from medllm.models import load_model
from medllm.serve import Engine, KeyStore, ServeConfig, create_app

pytestmark = pytest.mark.e2e
KEY = "browser-secret-01"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e")
    retriever = gout_kb(tmp / "kb")
    cfg = ServeConfig(model="llamacpp:small", audit_db=tmp / "audit.sqlite", max_tokens=24)
    app = create_app(
        cfg,
        engine=Engine.load(lambda: load_model("llamacpp:small", n_ctx=2048), 1, 8),
        retriever=retriever,
        keys=KeyStore([("browser", KEY)]),
    )
    with running(app) as base:
        yield base


@pytest.fixture(scope="module")
def page(url: str) -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: run `make test-e2e`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(url)
        page.fill("#key", KEY)
        page.dispatch_event("#key", "change")
        page.wait_for_selector("#model option[value='medllm-rag']", state="attached")
        yield page
        browser.close()


def ask(page: Any, model: str, text: str) -> Any:
    page.select_option("#model", model)
    before = page.locator(".msg.assistant").count()
    page.fill("#q", text)
    page.click("#send")
    box = page.locator(".msg.assistant").nth(before)
    box.locator("xpath=self::*[@data-done='1']").wait_for(timeout=90_000)
    return box


def test_a_question_streams_an_answer_with_model_and_disclaimer(page: Any) -> None:
    plain = page.locator("#model option").first.get_attribute("value")
    box = ask(page, plain, "Name one symptom of anemia.")
    text = box.inner_text()
    assert len(text) > len("model: ") and "Not medical advice" in text
    assert f"model: {plain}" in text


def test_an_emergency_shows_the_banner(page: Any) -> None:
    box = ask(
        page, "medllm-rag", "my dad's face has gone droopy on one side and he is slurring his words"
    )
    banner = box.locator(".banner.emergency")
    assert banner.is_visible()
    assert banner.inner_text() == "Emergency: call your local emergency number now."


def test_a_grounded_answer_shows_clickable_sources(page: Any, tmp_path: Path) -> None:
    box = ask(page, "medllm-rag", "What causes gout in the big toe?")
    link = box.locator(".sources li a").first
    assert link.inner_text() == "gout" and link.get_attribute("href") == "https://example.org/gout"
    cites = box.locator("a.cite")
    if cites.count():  # the answer cited [n]: the marker jumps to its source
        cites.first.click()
        assert page.evaluate("location.hash").startswith("#src-")
    shot = tmp_path / "chat.png"
    page.screenshot(path=str(shot), full_page=True)
    from PIL import Image

    pixels = Image.open(shot).convert("L")
    lo, hi = pixels.getextrema()
    assert hi - lo > 100  # text and banners on the page, not a blank frame
