"""A deliberately tiny random-weight model: its answers are refused, never dispatched."""

from __future__ import annotations

import pytest

from fleet.config import LLMConfig, PlannerConfig
from serve_apps.planner import plan_text_locally

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def random_model(tmp_path_factory) -> str:
    """A 2-layer Llama with random weights and the bundled model's tokenizer, saved to a folder."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from serve_apps.llm import _BUNDLED_GGUF, bundled_model_folder

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(bundled_model_folder(), gguf_file=_BUNDLED_GGUF)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=4096,
    )
    folder = tmp_path_factory.mktemp("random-model")
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.mark.parametrize(
    "world, text",
    [("household", "Slice the apple and put it in the fridge."), ("warehouse", "Bring the red box to loading dock B.")],
)
def test_a_garbage_model_gets_every_mission_refused_with_a_reason(random_model, world, text):
    from fleet.world import load_world

    config = PlannerConfig(llm=LLMConfig(model=random_model), max_attempts=2)
    response = plan_text_locally(text, load_world(world), config)
    assert not response.ok and response.plan is None
    assert "guessing" in response.reason or "cut off" in response.reason
    assert len(response.attempts) == 2 and all(a.error for a in response.attempts)
