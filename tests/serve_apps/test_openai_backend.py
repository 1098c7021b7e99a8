"""The OpenAI-compatible backend's wire format, against a local stand-in server (unit test)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from fleet.config import LLMConfig
from fleet.errors import FleetError
from serve_apps.llm import GenerationRequest, make_backend


@pytest.fixture
def server():
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
            if body["messages"][-1]["content"] == "fail":
                self.send_response(500)
                self.end_headers()
                return
            reply = {"choices": [{"message": {"content": '{"goal": ["open(fridge)"]}'}, "finish_reason": "stop"}],
                     "usage": {"completion_tokens": 9}}
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/v1", seen
    httpd.shutdown()


def test_requests_carry_the_schema_and_key_and_answers_come_back(server, monkeypatch):
    url, seen = server
    monkeypatch.setenv("PLANNER_KEY", "k-123")
    backend = make_backend(LLMConfig(backend="openai", base_url=url, model="served-model", api_key_env="PLANNER_KEY"))
    schema = {"type": "object", "properties": {"goal": {"type": "array"}}}
    ask = GenerationRequest(messages=[{"role": "user", "content": "Open the fridge."}], schema_=schema, max_new_tokens=40)
    results = backend.generate_json([ask, ask])
    assert [r.text for r in results] == ['{"goal": ["open(fridge)"]}'] * 2 and results[0].new_tokens == 9
    assert seen[0]["path"] == "/v1/chat/completions" and seen[0]["auth"] == "Bearer k-123"
    body = seen[0]["body"]
    assert body["model"] == "served-model" and body["max_tokens"] == 40 and body["temperature"] == 0
    assert body["response_format"]["json_schema"]["schema"] == schema


def test_server_errors_and_missing_settings_are_clear(server):
    url, _ = server
    with pytest.raises(FleetError, match="needs base_url"):
        make_backend(LLMConfig(backend="openai"))
    with pytest.raises(FleetError, match="unknown planner backend 'llamacpp'; known: openai, openvino, transformers"):
        make_backend(LLMConfig(backend="llamacpp"))
    backend = make_backend(LLMConfig(backend="openai", base_url=url))
    with pytest.raises(FleetError, match="failed"):
        backend.generate_json([GenerationRequest(messages=[{"role": "user", "content": "fail"}], schema_={})])
