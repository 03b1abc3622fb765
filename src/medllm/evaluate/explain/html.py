"""Heatmaps of attributions as HTML: each token on a background whose strength is its score
relative to the largest |score| (red = raises the answer's log-likelihood, blue = lowers it), its
score in the tooltip; sources (leave-one-out) as rows coloured the same way. One self-contained
page: inline CSS, no script, no external asset."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from medllm.evaluate.report import CSS

HEAT_CSS = (
    ".heat{font-family:monospace;white-space:pre-wrap;line-height:1.7;border:1px solid #ccc;"
    "padding:6px}.heat span{border-radius:2px}.ans{background:#eee;padding:2px 4px}"
)


def colour(score: float, top: float) -> str:
    """CSS background for `score` when the largest |score| is `top`: alpha = |score| / top."""
    a = 0.0 if top <= 0 else min(abs(score) / top, 1.0)
    rgb = "220,38,38" if score >= 0 else "37,99,235"
    return f"rgba({rgb},{a:.3f})"


def heatmap(pieces: Sequence[str], scores: Sequence[float]) -> str:
    """One <div> of the token pieces, each on its colour."""
    top = max((abs(s) for s in scores), default=0.0)
    spans = "".join(
        f'<span style="background:{colour(s, top)}" title="{s:+.4f}">{html.escape(p)}</span>'
        for p, s in zip(pieces, scores, strict=True)
    )
    return f'<div class="heat">{spans}</div>'


def source_rows(sources: Sequence[dict[str, Any]]) -> str:
    """A table: each source's drop in the answer's log-likelihood when it is left out."""
    top = max((abs(s["drop"]) for s in sources), default=0.0)
    rows = "".join(
        f'<tr><td>[{s["n"]}]</td><td style="background:{colour(s["drop"], top)}">'
        f"{s['drop']:+.4f}</td><td>{html.escape(s['title'])}</td>"
        f'<td style="text-align:left">{html.escape(s["text"])}</td></tr>'
        for s in sources
    )
    head = "<tr><th>source</th><th>drop (nats)</th><th>title</th><th>text</th></tr>"
    return f"<table>{head}{rows}</table>"


def explanation_block(e: Any) -> str:
    """The heatmap (or source table) of one `Explanation`, with its answer and f values."""
    ans = f'<p>answer <span class="ans">{html.escape(e.answer.strip())}</span> — log-likelihood '
    ans += f"{e.f_full:.3f} nats; with {'no source' if e.sources else 'every token absent'}: "
    ans += f"{e.f_baseline:.3f}</p>"
    body = source_rows(e.sources) if e.sources else heatmap(e.pieces, e.scores)
    return f"<h2>{html.escape(e.method)}</h2>{ans}{body}"


def page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{CSS}{HEAT_CSS}</style></head><body><h1>{html.escape(title)}</h1>{body}"
        "<p>red: the token raises the answer's log-likelihood; blue: lowers it (strength = "
        "|score| / largest |score|; hover for the score)</p></body></html>"
    )
