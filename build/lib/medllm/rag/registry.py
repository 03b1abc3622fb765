"""The rag stage's registrations: the `rag:<inner spec>` model backend (RagModel over the knowledge
base), so every stage that loads a model by spec can ask for grounded answers."""

from __future__ import annotations

from medllm.models import backends

backends.register_lazy("rag", "medllm.rag.model:load")
