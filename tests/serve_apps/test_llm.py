"""The bundled model behind the Serve deployment: batched, grammar-constrained generation."""

from __future__ import annotations

import asyncio
import json

import pytest

from serve_apps.llm import GenerationRequest
from serve_apps.vocabulary import goal_schema, mentioned_names

pytestmark = pytest.mark.integration


def test_concurrent_requests_over_two_worlds_all_parse_and_name_only_real_things(planner_app, household, warehouse):
    asks = [
        (household, "Turn on the lamp."),
        (household, "Slice the apple, put it in the fridge and close the fridge."),
        (warehouse, "Bring the red box from shelf A to loading dock B."),
    ] * 3
    requests = []
    for world, text in asks:
        schema = goal_schema(world, mentioned_names(world, text))
        messages = [{"role": "system", "content": "Answer with the goal as JSON."}, {"role": "user", "content": text}]
        requests.append(GenerationRequest(messages=messages, schema_=schema, max_new_tokens=96))
    handle = planner_app["handle"]

    async def ask_all():
        return await asyncio.gather(*(handle.generate.remote(r) for r in requests))

    results = asyncio.run(ask_all())
    assert len(results) == len(requests)
    for request, result in zip(requests, results):
        goal = json.loads(result.text)["goal"]
        allowed = set(request.schema_["properties"]["goal"]["items"]["enum"])
        assert goal and set(goal) <= allowed and result.new_tokens > 0
        assert result.finished and -7.0 < result.mean_logprob <= 0  # a know-nothing model scores about -10.8
    assert [r.text for r in results[:3]] == [r.text for r in results[3:6]]  # batch neighbours change no answer
