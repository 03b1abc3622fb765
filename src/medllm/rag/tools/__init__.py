"""Tools over the knowledge base (the agent step of `rag.answer`): exact lookups whose results are
numbered sources like retrieved chunks. One file per tool, a router, and the step that runs them:

| tool (`medllm ls tools`) | file | does |
|---|---|---|
| `icd10cm` | icd10cm.py | code → entry (notes, 7th characters); condition → ranked codes |
| `hpo` | hpo.py | HP id / name / synonym → definition, synonyms, parents |
| `differential` | differential.py | phenotypes → diseases by HPO semantic similarity |
| `disease` | disease.py | disease → phenotypes with frequencies, inheritance |
| `mesh` | mesh.py | MeSH id ↔ name |
| `eml` | eml.py | WHO EML medicine ↔ sections |

`router.py` decides which apply (`RuleRouter`, registry `routers`), `agent.py` runs them.
"""

from __future__ import annotations

from medllm.rag.tools.agent import ToolRun, run_tools
from medllm.rag.tools.base import Found, Tool, ToolCall
from medllm.rag.tools.router import Router, RuleRouter

__all__ = ["Found", "Router", "RuleRouter", "Tool", "ToolCall", "ToolRun", "run_tools"]
