"""The `openai` backend's errors against a server that echoes the prompt: status and fix, never the
server's text (which can hold the prompt) nor the credentials in the URL."""

from __future__ import annotations

from typing import Any

import pytest

from medllm.core.errors import ModelError
from medllm.models import GenerationParams

PROMPT = "Patient Zyxwa Quorrel, MRN 88812345, has chest pain"  # synthetic
URL = "http://alice:s3cret-key@127.0.0.1:9/v1?api-key=k3y-in-query"


def _model(handler: Any) -> Any:
    import httpx
    import openai

    from medllm.models.openai_compat import OpenAIModel
    from medllm.models.spec import ModelConfig

    model = OpenAIModel(URL, "served-model", ModelConfig(spec=f"openai:{URL}#served-model"))
    model.client = openai.OpenAI(
        base_url="http://127.0.0.1:9/v1",
        api_key="x",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    return model


def _echo(status: int) -> Any:
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        body = {
            "error": {
                "message": f"bad request: {request.content.decode()}",
                "type": "invalid_request_error",
            }
        }
        return httpx.Response(status, json=body)

    return handler


def _refused(request: Any) -> Any:
    import httpx

    raise httpx.ConnectError("connection refused", request=request)


def _no_secrets(text: str) -> None:
    for secret in ("Zyxwa", "88812345", "chest pain", "alice", "s3cret", "k3y-in-query"):
        assert secret not in text, secret


@pytest.mark.parametrize(
    ("status", "fix"),
    [
        (400, "context"),
        (401, "api_key"),
        (404, "#model"),
        (429, "later"),
        (500, "its log"),
        (418, "server's log"),
    ],
)
def test_status_error_keeps_code_and_fix_not_server_text(status: int, fix: str) -> None:
    model = _model(_echo(status))
    with pytest.raises(ModelError) as e:
        model.generate(PROMPT, GenerationParams(max_tokens=4))
    assert f"answered {status}" in e.value.message and "127.0.0.1:9" in e.value.message
    assert e.value.fix and fix in e.value.fix
    _no_secrets(str(e.value))


def test_unreachable_server_names_the_host_not_the_credentials() -> None:
    model = _model(_refused)
    with pytest.raises(
        ModelError, match=r"cannot reach the server at http://127\.0\.0\.1:9/v1 "
    ) as e:
        model.generate(PROMPT, GenerationParams(max_tokens=4))
    _no_secrets(str(e.value))
