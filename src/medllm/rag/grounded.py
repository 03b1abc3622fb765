"""`answer`: (tools →) retrieve → numbered, quarantined sources → generate → map citations → check
support → answer or abstain.

With `RagSettings(tools=True)` a router first picks knowledge-base tools for the question
(rag/tools/); their results come first among the sources and retrieval fills the rest (at least
one retrieved source). A question no tool applies to, or whose tools find nothing, is answered
from retrieval alone, exactly as with tools off.

Three gates decide abstention:
- first, what the question asks for (rag/scope.py): a dose, an interaction, a guideline, a
  prognosis, another code set, a price, current events or local policy is in no installed source,
  so the answer abstains naming that, before retrieval (`RagSettings(scope=False)` turns it off);
- before generating, `relevance` of the retrieved sources to the question (IDF-weighted share of
  the question's terms found in them, and the best question-source cosine); below
  `min_relevance` the model is not even asked;
- after generating, `support` of each drafted sentence by the sources (see rag/support.py):
  sentences below `min_support` are dropped, and when fewer than `min_kept_share` of them are
  left the drafted answer is withheld.
An exact tool hit that the draft leaves out leads the answer (rag/facts.py), also when the draft
was withheld: the lookup has answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from medllm.models import GenerationParams, Model
from medllm.rag.facts import EXACT, lead_fact, states_id
from medllm.rag.prompt import Source, make_sources, messages
from medllm.rag.scope import out_of_scope
from medllm.rag.support import citations, coverage, trim_unsupported
from medllm.rag.tools import ToolCall, run_tools

ABSTAIN = "I cannot answer this from the knowledge base: {why}."


@dataclass(frozen=True)
class RagAnswer:
    text: str = field(repr=False)
    abstained: bool
    reason: str  # "" | "out_of_scope" | "no_sources" | "low_relevance" | "low_support"
    sources: tuple[Source, ...] = field(repr=False)
    citations: dict[int, str]
    relevance: float
    support: float
    flagged: int  # instruction-like sentences quarantined in the sources
    model_id: str
    draft: str = field(default="", repr=False)  # the model's answer, also when withheld
    tool_calls: tuple[ToolCall, ...] = ()  # what the router chose (empty: tools off or none)
    dropped: int = 0  # drafted sentences no source supports, left out of the answer
    fact_led: bool = False  # an exact tool hit's fact was put first (rag/facts.py)

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.text,
            "abstained": self.abstained,
            "reason": self.reason,
            "citations": {str(n): cid for n, cid in self.citations.items()},
            "sources": [
                {
                    "n": s.n,
                    "id": s.chunk_id,
                    "doc_id": s.doc_id,
                    "title": s.title,
                    "source": s.source,
                    "url": s.url,
                    "score": round(s.score, 4),
                    "tool": s.tool,
                }
                for s in self.sources
            ],
            "tool_calls": [
                {"tool": c.tool, "query": c.query, "why": c.why} for c in self.tool_calls
            ],
            "relevance": round(self.relevance, 4),
            "support": round(self.support, 4),
            "flagged": self.flagged,
            "dropped": self.dropped,
            "fact_led": self.fact_led,
            "model": self.model_id,
        }


@dataclass(frozen=True)
class RagSettings:
    k: int = 4
    # calibrated on questions disjoint from the benchmark's: see docs/rag.md
    min_relevance: float = 0.6
    min_support: float = 0.5  # of a drafted sentence, to be kept
    min_kept_share: float = 0.5  # of the drafted sentences kept, for the draft to be shown
    facts: bool = True  # an exact tool hit leads the answer (rag/facts.py)
    max_source_chars: int = 700
    max_tokens: int = 200
    temperature: float = 0.0
    scope: bool = True  # abstain on what no installed source holds (rag/scope.py)
    guard: bool = True  # quarantine instruction-like sentences in sources (off only to measure it)
    tools: bool = False  # run the knowledge-base tools first (rag/tools/); `medllm ask` turns it on
    router: str = "rules"  # `routers` registry name
    tool_k: int = 3  # most tool results shown as sources
    max_tool_chars: int = 1200  # a tool entry (ICD notes, a differential) is longer than a chunk


def retrieve_sources(
    question: str, retriever: Any, k: int, max_chars: int = 700, guard: bool = True
) -> list[Source]:
    hits = retriever.search(question, k)
    chunks = {c.id: c for c in retriever.kb.chunks([h.chunk_id for h in hits])}
    kept = [(chunks[h.chunk_id], h.score) for h in hits if h.chunk_id in chunks]
    return make_sources([c for c, _ in kept], [s for _, s in kept], max_chars, guard)


@dataclass(frozen=True)
class Gathered:
    sources: list[Source]  # tool results first, then retrieved chunks, numbered from 1
    retrieved: list[Source]  # the retrieved ones (what the relevance gate measures)
    calls: tuple[ToolCall, ...]


def gather_sources(question: str, retriever: Any, st: RagSettings) -> Gathered:
    """Tool sources (when `st.tools`), then retrieved ones not already shown by a tool."""
    if not st.tools:
        got = retrieve_sources(question, retriever, st.k, st.max_source_chars, st.guard)
        return Gathered(got, got, ())
    run = run_tools(question, st.router, st.tool_k, st.max_tool_chars, st.guard)
    shown = {s.doc_id for s in run.sources}
    # an exact tool hit answers: one retrieved source beside it, not three that may distract
    exact = any(s.score >= EXACT for s in run.sources)
    k = 1 if exact else max(1, st.k - len(run.sources))
    got = retrieve_sources(question, retriever, k + len(shown), st.max_source_chars, st.guard)
    got = [s for s in got if s.doc_id not in shown][:k]
    both = [replace(s, n=n) for n, s in enumerate([*run.sources, *got], start=1)]
    return Gathered(both, both[len(run.sources) :], run.calls)


def gate_relevance(question: str, gathered: Gathered, retriever: Any) -> float:
    """Relevance of the retrieved sources; a tool result's own score counts as its relevance
    (1.0 for an exact id or name, the covered share for a ranked candidate)."""
    rel = relevance(question, gathered.retrieved, retriever)
    tool_scores = [s.score for s in gathered.sources if s.tool]
    return max([rel, *tool_scores])


def relevance(question: str, sources: list[Source], retriever: Any) -> float:
    """Mean of IDF-weighted term coverage and best cosine similarity, in [0, 1]."""
    from medllm.knowledge import embed_query

    if not sources:
        return 0.0
    kb = retriever.kb
    idf = kb.bm25.idf() if hasattr(kb, "bm25") else None
    cov = coverage(question, sources, idf)
    vecs = kb.vectors([s.chunk_id for s in sources])
    cos = float(np.max(vecs @ embed_query(question)))
    return 0.5 * cov + 0.5 * max(cos, 0.0)


@dataclass(frozen=True)
class Prepared:
    """What a question's answer is drafted from: its sources, their relevance, and the chat to
    send, or why it abstains before generating (`early`, an abstention `RagAnswer`)."""

    question: str = field(repr=False)
    base: RagAnswer
    chat: list[Any] = field(repr=False)
    early: RagAnswer | None = None


def prepare(question: str, model_id: str, retriever: Any, st: RagSettings) -> Prepared:
    """The gates before generating (scope, no sources, relevance) and the prompt; `answer` and
    callers that batch the generation (the S7 study) share it."""
    if st.scope and (topic := out_of_scope(question)):
        why = f"it asks for {topic}, which no installed source holds"
        early = RagAnswer(
            ABSTAIN.format(why=why), True, "out_of_scope", (), {}, 0.0, 0.0, 0, model_id
        )
        return Prepared(question, early, [], early)
    gathered = gather_sources(question, retriever, st)
    sources = gathered.sources
    rel = gate_relevance(question, gathered, retriever)
    base = RagAnswer(
        text="",
        abstained=True,
        reason="",
        sources=tuple(sources),
        citations={},
        relevance=rel,
        support=0.0,
        flagged=sum(s.flagged for s in sources),
        model_id=model_id,
        tool_calls=gathered.calls,
    )
    chat = messages(question, sources)
    if not sources:
        why = "the knowledge base returned no sources"
        return Prepared(
            question, base, chat, replace(base, text=ABSTAIN.format(why=why), reason="no_sources")
        )
    if rel < st.min_relevance:
        why = f"no source is relevant enough (relevance {rel:.2f} < {st.min_relevance:.2f})"
        early = replace(base, text=ABSTAIN.format(why=why), reason="low_relevance")
        return Prepared(question, base, chat, early)
    return Prepared(question, base, chat)


def decide(prep: Prepared, draft: str, st: RagSettings) -> RagAnswer:
    """The answer to show for a drafted reply: the early abstention, else the support check."""
    if prep.early is not None:
        return replace(prep.early, draft=draft.strip())
    return checked(replace(prep.base, draft=draft.strip()), list(prep.base.sources), st)


def answer(
    question: str,
    model: Model,
    retriever: Any,
    settings: RagSettings | None = None,
) -> RagAnswer:
    """A cited answer from the knowledge base behind `retriever`, or a clear abstention."""
    st = settings or RagSettings()
    prep = prepare(question, model.id, retriever, st)
    if prep.early is not None:
        return prep.early
    params = GenerationParams(max_tokens=st.max_tokens, temperature=st.temperature)
    # Generated whole, not streamed: nothing is shown before the draft is checked against the sources.
    return decide(prep, model.chat(prep.chat, params), st)


def checked(base: RagAnswer, sources: list[Source], st: RagSettings) -> RagAnswer:
    """The draft without its unsupported sentences, led by an exact tool hit's fact; withheld
    when too little of it is supported and no exact hit answers."""
    trim = trim_unsupported(base.draft, sources, st.min_support)
    total = len(trim.kept) + trim.dropped
    enough = bool(trim.kept) and len(trim.kept) >= st.min_kept_share * total
    shown = trim.text if enough else ""
    lead = lead_fact(shown, sources) if st.facts else ""
    base = replace(base, support=trim.score, dropped=trim.dropped)
    if not shown and not lead:
        why = (
            "the drafted answer is not supported by the sources "
            f"({len(trim.kept)} of {total} sentences supported, support {trim.score:.2f})"
        )
        return replace(base, text=ABSTAIN.format(why=why), reason="low_support")
    if trim.kept:
        # the prompt's "[n]" copied literally: the source that supports the answer best
        shown = shown.replace("[n]", f"[{max(trim.kept)[1] or 1}]")
    text = f"{lead} {shown}".strip()
    cited = citations(text, sources)
    # a code or id the answer states is cited to the entry it is the id of, marked or not
    cited |= {s.n: s.chunk_id for s in sources if states_id(text, s)}
    if not cited:
        # The model answered from the sources without marking them: cite what supports it.
        cited = {n: sources[n - 1].chunk_id for _, n in trim.kept if n}
    cited = dict(sorted(cited.items()))
    return replace(base, text=text, abstained=False, citations=cited, fact_led=bool(lead))
