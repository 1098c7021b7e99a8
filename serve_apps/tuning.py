"""Fine-tuning the planner's model on a world's own requests, with versioned, evaluated checkpoints.

The training set is synthetic requests from each world (`serve_apps.synthetic`) plus missions
that succeeded in service (text and the goal that satisfied it). The model learns to answer a
short prompt (the world's name, the names the request was linked to, the request) with the
goal as JSON, so a tuned model needs no worked examples in its prompt. Training is full
fine-tuning of the top transformer blocks on CPU (or GPU when present); each run writes a new
version `v0001`, `v0002`, ... in a model directory with a card holding its evaluation on a
held-out split. Run it with `python -m fleet train-planner --world household --world warehouse`.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import time
from pathlib import Path
from typing import Any, Callable, Optional

from pydantic import BaseModel, Field

from fleet.config import LLMConfig, PlannerTrainingConfig
from fleet.errors import FleetError
from fleet.lexicon import asked_states
from fleet.models import Exemplar
from fleet.world import World
from serve_apps.grounding import ground
from serve_apps.synthetic import Example, SyntheticConfig, generate, paraphrase
from serve_apps.vocabulary import goal_schema

CARD_FILE = "fleet_card.json"


TrainingConfig = PlannerTrainingConfig  # the one definition lives with the fleet's other settings


class HeldOut(BaseModel):
    """A checkpoint's score on one world's held-out requests."""

    goal_exact: float  # share answered with exactly the expected goal
    examples: int


class ModelCard(BaseModel):
    """How a checkpoint was made and how well it did on its held-out split."""

    version: int
    base: str
    worlds: list[str]
    examples: int  # training pairs
    missions: int = 0  # of which came from missions that succeeded in service
    steps: int
    seconds: float  # training time, loading and evaluation excluded
    first_loss: float
    last_loss: float
    held_out: dict[str, HeldOut] = {}  # by world
    created: float = Field(default_factory=time.time)

    @property
    def score(self) -> float:
        """Goal exact-match over every held-out example."""
        total = sum(w.examples for w in self.held_out.values())
        return sum(w.goal_exact * w.examples for w in self.held_out.values()) / total if total else 0.0


def tuned_messages(world: World, text: str, names: Optional[set[str]]) -> list[dict[str, str]]:
    """The short prompt a tuned model answers: world, linked names (when grounded), request."""
    system = world.name if not names else f"{world.name} | {', '.join(sorted(names))}"
    return [{"role": "system", "content": system}, {"role": "user", "content": text}]


def goal_answer(goal: list[str]) -> str:
    """The answer text for a goal, exactly as constrained decoding writes it."""
    return json.dumps({"goal": goal})


def training_pairs(world: World, examples: list[Example], grounded_share: float, seed: int) -> list[tuple[list[dict[str, str]], str]]:
    """(prompt messages, answer) per example; a share of them grounded as the planner grounds."""
    rng = random.Random(seed)
    pairs = []
    for example in examples:
        if rng.random() < grounded_share:
            grounding = ground(world, example.text)
            messages = tuned_messages(world, grounding.text, grounding.names)
        else:
            messages = tuned_messages(world, example.text, None)
        pairs.append((messages, goal_answer(example.goal)))
    return pairs


def split_examples(world: World, config: TrainingConfig, memory: list[Exemplar]) -> tuple[list[Example], list[Example]]:
    """(training, held-out) examples of one world; a fifth of the remembered missions are held out."""
    synthetic = SyntheticConfig(size=config.examples_per_world, seed=config.seed)
    train = generate(world, synthetic)
    if config.paraphraser is not None and config.paraphrase_share > 0:
        from serve_apps.llm import make_backend

        chosen = random.Random(config.seed).sample(train, round(len(train) * config.paraphrase_share))
        train += paraphrase(world, chosen, make_backend(config.paraphraser).generate_json)
    held = generate(world, synthetic.model_copy(update={"size": config.held_out_per_world, "seed": config.seed + 10_000}))
    seen = {e.text.lower() for e in train}
    held = [e for e in held if e.text.lower() not in seen]
    remembered = [Example(text=m.text, goal=m.goal, world=world.name, source="mission") for m in memory]
    random.Random(config.seed).shuffle(remembered)
    cut = len(remembered) // 5
    return train + remembered[cut:], held + remembered[:cut]


def vocabulary_key(world: World) -> str:
    """A short hash of what a tuned model learned about a world: its names, types, aliases,
    skills and states. A world whose vocabulary changes gets a model of its own."""
    import hashlib

    vocabulary = {
        "objects": sorted((o.name, o.type, tuple(o.aliases)) for o in world.objects),
        "places": sorted((p.name, p.kind, tuple(p.aliases)) for p in world.places),
        "robots": sorted((r.name, r.kind) for r in world.robots),
        "skills": sorted((s.name, tuple(s.aliases)) for s in world.skill_list if s.plannable),
        "states": sorted(world.state_names),
    }
    return hashlib.sha256(json.dumps(vocabulary).encode()).hexdigest()[:12]


def world_model_dir(model_dir: str, world: World) -> str:
    """Where the tuned versions for one world's vocabulary live."""
    return str(Path(model_dir) / f"{world.name}-{vocabulary_key(world)}")


def versions(model_dir: str) -> list[tuple[str, ModelCard]]:
    """(path, card) of every version in a model directory, oldest first."""
    root = Path(model_dir)
    found = []
    for folder in sorted(root.glob("v[0-9][0-9][0-9][0-9]")) if root.is_dir() else []:
        card = folder / CARD_FILE
        if card.is_file():
            found.append((str(folder), ModelCard.model_validate_json(card.read_text())))
    return found


def latest_version(model_dir: str) -> Optional[str]:
    """The newest checkpoint's path, or None when the directory holds none."""
    found = versions(model_dir)
    return found[-1][0] if found else None


def evaluate(backend: Any, world: World, examples: list[Example], batch_size: int = 16) -> float:
    """Goal exact-match of one grounded, constrained answer per example: the tuned prompt for a
    fine-tuned checkpoint, instructions and worked examples for any other model."""
    from serve_apps.llm import GenerationRequest
    from serve_apps.planner import choose_exemplars, goal_messages

    if not examples:
        return 0.0
    requests = []
    for example in examples:
        grounding = ground(world, example.text)
        if backend.card is not None:
            messages = tuned_messages(world, grounding.text, grounding.names)
        else:
            shown = choose_exemplars(world, grounding.text, [], grounding.names, 4)
            messages = goal_messages(world, grounding.text, grounding.names, shown)
        schema = goal_schema(world, grounding.names, asked=asked_states(world, grounding.text))
        requests.append(GenerationRequest(messages=messages, schema=schema, max_new_tokens=96))
    right = 0
    for start in range(0, len(requests), batch_size):
        results = backend.generate_json(requests[start : start + batch_size])
        for example, result in zip(examples[start : start + batch_size], results):
            try:
                right += set(json.loads(result.text)["goal"]) == set(example.goal)
            except (json.JSONDecodeError, KeyError, TypeError):
                pass
    return right / len(examples)


def _batches(tokenizer: Any, pairs: list[tuple[list[dict[str, str]], str]], size: int, rng: random.Random) -> list[Any]:
    """Token batches of similar length (less padding), shuffled; labels only on answer tokens."""
    import torch

    rows = []
    for messages, answer in pairs:
        prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        prompt_ids = tokenizer(prompt, add_special_tokens=False).input_ids
        answer_ids = tokenizer(answer + tokenizer.eos_token, add_special_tokens=False).input_ids
        rows.append((prompt_ids + answer_ids, [-100] * len(prompt_ids) + answer_ids))
    rows.sort(key=lambda r: len(r[0]))
    batches = []
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        width = max(len(ids) for ids, _ in chunk)
        ids = torch.full((len(chunk), width), tokenizer.pad_token_id)
        labels = torch.full((len(chunk), width), -100)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for i, (row_ids, row_labels) in enumerate(chunk):
            ids[i, : len(row_ids)] = torch.tensor(row_ids)
            labels[i, : len(row_labels)] = torch.tensor(row_labels)
            mask[i, : len(row_ids)] = 1
        batches.append((ids, mask, labels))
    rng.shuffle(batches)
    return batches


def _answer_loss(model: Any, ids: Any, mask: Any, labels: Any) -> Any:
    """Cross-entropy on answer tokens only; the vocabulary projection runs only where it counts."""
    import torch.nn.functional as F

    hidden = model.model(input_ids=ids, attention_mask=mask).last_hidden_state[:, :-1]
    targets = labels[:, 1:]
    keep = targets != -100
    logits = model.lm_head(hidden[keep])
    return F.cross_entropy(logits.float(), targets[keep])


def train_planner(
    config: TrainingConfig,
    memory: Optional[dict[str, list[Exemplar]]] = None,
    progress: Callable[[str], None] = lambda line: None,
) -> tuple[str, ModelCard]:
    """Fine-tune, evaluate on the held-out split and save the next version; (path, card)."""
    import torch

    from fleet.world import load_world
    from serve_apps.llm import TransformersModel, load_causal_lm

    if not config.worlds:
        raise FleetError("name at least one world to train the planner on")
    if config.threads:
        torch.set_num_threads(config.threads)
    rng = random.Random(config.seed)
    torch.manual_seed(config.seed)
    worlds = [load_world(name) for name in config.worlds]
    pairs, held_out, missions = [], {}, 0
    for world in worlds:
        remembered = (memory or {}).get(world.name, [])
        train, held = split_examples(world, config, remembered)
        missions += sum(e.source == "mission" for e in train)
        pairs += training_pairs(world, train, config.grounded_share, config.seed)
        held_out[world.name] = (world, held)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    tokenizer, model = load_causal_lm(config.base, device)
    tokenizer.padding_side = "right"
    blocks = model.model.layers
    for parameter in model.parameters():
        parameter.requires_grad = False
    for block in blocks[max(0, len(blocks) - config.trainable_layers) :]:
        for parameter in block.parameters():
            parameter.requires_grad = True
    for parameter in model.model.norm.parameters():
        parameter.requires_grad = True
    trained = [p for p in model.parameters() if p.requires_grad]
    batches = _batches(tokenizer, pairs, config.batch_size, rng)
    steps = config.steps or len(batches)
    optimizer = torch.optim.AdamW(trained, lr=config.learning_rate, weight_decay=0.0)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / steps)))
    )
    model.train()
    started, losses = time.monotonic(), []
    for step in range(steps):
        ids, mask, labels = (t.to(device) for t in batches[step % len(batches)])
        loss = _answer_loss(model, ids, mask, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trained, 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        if step % 10 == 0 or step == steps - 1:
            progress(f"step {step + 1}/{steps} loss {losses[-1]:.3f} ({time.monotonic() - started:.0f} s)")
    seconds = time.monotonic() - started
    model.eval()
    # the bundled model was read from GGUF and dequantized: it saves as the plain float model it is
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    found = versions(config.model_dir)
    number = (found[-1][1].version if found else 0) + 1
    path = os.path.join(config.model_dir, f"v{number:04d}")
    partial = path + ".partial"  # a crash mid-save leaves no half version behind
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    card = ModelCard(
        version=number,
        base=config.base,
        worlds=[w.name for w in worlds],
        examples=len(pairs),
        missions=missions,
        steps=steps,
        seconds=round(seconds, 1),
        first_loss=round(sum(losses[:5]) / len(losses[:5]), 4),
        last_loss=round(sum(losses[-5:]) / len(losses[-5:]), 4),
    )
    del model
    card_file = Path(partial, CARD_FILE)
    card_file.write_text(card.model_dump_json(indent=2))  # so the evaluation uses the tuned prompt
    backend = TransformersModel(LLMConfig(model=partial, threads=config.threads))
    for name, (world, held) in held_out.items():
        card.held_out[name] = HeldOut(goal_exact=round(evaluate(backend, world, held), 4), examples=len(held))
        progress(f"held-out {name}: goal exact {card.held_out[name].goal_exact:.3f} on {len(held)}")
    card_file.write_text(card.model_dump_json(indent=2))
    os.replace(partial, path)
    for old, _ in versions(config.model_dir)[: -config.keep_versions]:
        shutil.rmtree(old, ignore_errors=True)
    return path, card


def held_out_score(model: str, config: TrainingConfig, memory: Optional[dict[str, list[Exemplar]]] = None) -> float:
    """Goal exact-match of any tuned checkpoint on the held-out split `config` defines."""
    from fleet.world import load_world
    from serve_apps.llm import TransformersModel

    backend = TransformersModel(LLMConfig(model=model, threads=config.threads))
    right = total = 0
    for name in config.worlds:
        world = load_world(name)
        _, held = split_examples(world, config, (memory or {}).get(world.name, []))
        right += evaluate(backend, world, held) * len(held)
        total += len(held)
    if not total:
        raise FleetError("the held-out split is empty: raise held_out_per_world")
    return right / total


class RetrainResult(BaseModel):
    """What a retraining did: the new version's score against the served model's, and whether it serves now."""

    version: int
    path: Optional[str]  # None when the new version lost and was deleted
    score: float  # goal exact-match on the held-out split
    served_model: str
    served_score: float
    promoted: bool
    seconds: float


def retrain(
    config: TrainingConfig,
    served_model: str,
    memory: Optional[dict[str, list[Exemplar]]] = None,
    progress: Callable[[str], None] = lambda line: None,
) -> RetrainResult:
    """Train a new version on fresh synthetic data plus remembered missions; keep it only if it
    beats `served_model` on the same held-out split (the caller then serves it)."""
    started = time.monotonic()
    progress(f"scoring the served model {served_model} on the held-out split")
    served_score = held_out_score(served_model, config, memory)
    progress(f"served model {served_model}: {served_score:.3f} on the held-out split")
    path, card = train_planner(config, memory, progress)
    promoted = card.score > served_score
    if not promoted:
        shutil.rmtree(path, ignore_errors=True)
    return RetrainResult(
        version=card.version,
        path=path if promoted else None,
        score=round(card.score, 4),
        served_model=served_model,
        served_score=round(served_score, 4),
        promoted=promoted,
        seconds=round(time.monotonic() - started, 1),
    )
