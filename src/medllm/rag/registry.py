"""The rag stage's registrations: the `rag:<inner spec>` model backend (RagModel over the knowledge
base), so every stage that loads a model by spec can ask for grounded answers; and its own
registries, the knowledge-base `tools` of the agent step and the `routers` that choose them."""

from __future__ import annotations

from typing import Any

from medllm.core import Registry
from medllm.models import backends

backends.register_lazy("rag", "medllm.rag.model:load")

tools: Registry[Any] = Registry(
    "tools", "knowledge-base tools of the rag agent step: a class with run(query, k) -> [Found]"
)
tools.register_lazy("icd10cm", "medllm.rag.tools.icd10cm:Icd10cmTool")
tools.register_lazy("hpo", "medllm.rag.tools.hpo:HpoTool")
tools.register_lazy("differential", "medllm.rag.tools.differential:DifferentialTool")
tools.register_lazy("disease", "medllm.rag.tools.disease:DiseaseTool")
tools.register_lazy("mesh", "medllm.rag.tools.mesh:MeshTool")
tools.register_lazy("eml", "medllm.rag.tools.eml:EmlTool")
tools.register_lazy("define", "medllm.rag.tools.define:DefineTool")

routers: Registry[Any] = Registry(
    "routers", "choose the tools for a question: a class with route(question) -> [ToolCall]"
)
routers.register_lazy("rules", "medllm.rag.tools.router:RuleRouter")
