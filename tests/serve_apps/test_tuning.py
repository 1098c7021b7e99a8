"""Fine-tuning the real bundled model (a few steps), versioned checkpoints, retraining that keeps
only winners, and the Serve deployment switching checkpoints while requests are in flight."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

from fleet.config import LLMConfig, PlannerConfig, PlannerTrainingConfig
from fleet.errors import FleetError
from serve_apps import tuning
from serve_apps.llm import GenerationRequest, OpenVINOModel, TransformersModel, engine_for, read_card, shaped_like_bundled
from serve_apps.planner import LanguagePlanner, PlanRequest

pytestmark = pytest.mark.integration


def tiny(model_dir, **changes) -> PlannerTrainingConfig:
    """A training run of seconds: what matters here is the machinery, not the model's skill."""
    settings = dict(
        worlds=["household"], model_dir=str(model_dir), examples_per_world=16, held_out_per_world=6,
        steps=6, batch_size=8, trainable_layers=1, threads=2,
    )
    return PlannerTrainingConfig(**{**settings, **changes})


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    model_dir = tmp_path_factory.mktemp("planner-models")
    lines = []
    path, card = tuning.train_planner(tiny(model_dir), progress=lines.append)
    return {"dir": model_dir, "path": path, "card": card, "progress": lines}


def test_training_writes_a_versioned_checkpoint_with_its_evaluation(checkpoint):
    path, card = checkpoint["path"], checkpoint["card"]
    assert os.path.basename(path) == "v0001"
    for name in ("config.json", "model.safetensors", "tokenizer.json", tuning.CARD_FILE):
        assert os.path.isfile(os.path.join(path, name)), name
    assert card.version == 1 and card.steps == 6 and card.examples == 16 and card.worlds == ["household"]
    assert card.held_out["household"].examples == 6 and 0 <= card.held_out["household"].goal_exact <= 1
    assert card.last_loss < card.first_loss  # it learned something in six steps
    assert any(line.startswith("step 6/6") for line in checkpoint["progress"])
    assert tuning.versions(str(checkpoint["dir"])) == [(path, card)] and tuning.latest_version(str(checkpoint["dir"])) == path
    assert not os.path.exists(path + ".partial")


def test_a_checkpoint_serves_with_the_short_prompt_and_says_its_version(checkpoint):
    config = PlannerConfig(llm=LLMConfig(model=checkpoint["path"], threads=2))
    backend = TransformersModel(config.llm)
    assert backend.card == checkpoint["card"] == read_card(checkpoint["path"])
    seen = []

    async def generate(request):
        seen.append(request)
        return (await asyncio.to_thread(backend.generate_json, [request]))[0]

    planner = LanguagePlanner(config, generate, backend.card)
    assert planner.tuned and not LanguagePlanner(config.model_copy(update={"prompt": "fewshot"}), generate, backend.card).tuned
    response = asyncio.run(planner.plan(PlanRequest(text="Open the refrigerator.", world=backend_world())))
    assert response.model_version == 1
    assert seen[0].messages == tuning.tuned_messages(backend_world(), "Open the fridge.", {"fridge"})
    refused = asyncio.run(planner.plan(PlanRequest(text="Bring the pizza to the kitchen.", world=backend_world())))
    assert not refused.ok and "nothing called 'pizza'" in refused.reason and refused.model_version == 1
    # served on OpenVINO (written as GGUF, then made into IR once): the same answers as transformers
    assert shaped_like_bundled(checkpoint["path"]) and engine_for(LLMConfig(model=checkpoint["path"], device="cpu")) == "openvino"
    requests = [*seen, *(GenerationRequest(messages=tuning.tuned_messages(backend_world(), text, names), schema_=seen[0].schema_,
                                           max_new_tokens=40) for text, names in [("Close the fridge.", {"fridge"})])]
    fast = OpenVINOModel(config.llm)
    assert fast.card == checkpoint["card"]
    answers = [json.loads(r.text) for r in fast.generate_json(requests)]
    assert answers == [json.loads(r.text) for r in backend.generate_json(requests)] and answers[0] == {"goal": ["open(fridge)"]}


def backend_world():
    from fleet.world import load_world

    return load_world("household")


def test_retraining_keeps_a_new_version_only_when_it_beats_the_served_one(checkpoint, monkeypatch):
    served = checkpoint["path"]
    # the same weights trained with a vanishing step size score exactly as the served ones: not kept
    same = tuning.retrain(tiny(checkpoint["dir"], base=served, learning_rate=1e-12, steps=1), served)
    assert not same.promoted and same.path is None and same.score == same.served_score
    assert [card.version for _, card in tuning.versions(str(checkpoint["dir"]))] == [1]
    # a served model that scores below anything: the new version is kept
    monkeypatch.setattr(tuning, "held_out_score", lambda model, config, memory=None: -1.0)
    better = tuning.retrain(tiny(checkpoint["dir"], base=served, steps=1), served)
    assert better.promoted and better.path.endswith("v0002") and os.path.isdir(better.path)


def test_training_refuses_bad_settings(tmp_path):
    with pytest.raises(FleetError, match="at least one world"):
        tuning.train_planner(tiny(tmp_path, worlds=[]))
    with pytest.raises(Exception, match="nowhere"):
        tuning.train_planner(tiny(tmp_path, worlds=["nowhere"]))
    assert tuning.versions(str(tmp_path)) == []


def test_serve_switches_checkpoints_without_dropping_requests(ray_session, planner_app, checkpoint):
    from ray import serve

    from serve_apps.deployment import deploy_planner, switch_planner_model

    name = "planner-switch"
    handle = deploy_planner(PlannerConfig(llm=LLMConfig(num_cpus=0, threads=1)), name=name)
    world = backend_world()
    texts = ["Open the fridge.", "Turn on the lamp.", "Put the apple in the fruit bowl.", "Wash the mug."] * 2
    try:
        # the switch runs as a Ray task, as `retrain_and_serve` runs it in a fleet, so this
        # process only sends requests
        switch = ray_session.remote(num_cpus=0)(switch_planner_model)
        switched = []

        async def stream():
            pending = [handle.plan.remote(PlanRequest(text=t, world=world)) for t in texts[:4]]
            switched.append(switch.remote(checkpoint["path"], name))
            for text in texts[4:]:
                await asyncio.sleep(0.5)
                pending.append(handle.plan.remote(PlanRequest(text=text, world=world)))
            return await asyncio.gather(*pending)

        responses = asyncio.run(stream())
        ray_session.get(switched[0], timeout=300)
        assert len(responses) == len(texts) and all(r.model_version in (None, 1) for r in responses)
        assert responses[0].model_version is None and responses[0].engine == "openvino"  # the base model, before the switch
        assert handle.model_version.remote().result() == 1
        after = handle.plan.remote(PlanRequest(text="Close the fridge.", world=world)).result()
        assert after.model_version == 1 and after.model == checkpoint["path"] and after.engine == "openvino"  # converted when switched to
        assert handle.settings.remote().result()["llm"]["model"] == checkpoint["path"]
    finally:
        serve.delete(name)


def test_a_fleet_retrains_its_planner_after_text_missions_succeed(start_fleet, tmp_path):
    """every_missions=1: the first text success starts a retraining Ray task; its verdict is an event."""
    import time

    from ray import serve

    name = "planner-retrain"
    # the smallest run that still trains, scores both models and decides
    training = tiny(
        tmp_path / "models", steps=1, num_cpus=0, every_missions=1, examples_per_world=4, held_out_per_world=2, batch_size=4
    )
    fleet = start_fleet(
        "household", planner="llm", planner_app=name, planner_config={"llm": {"num_cpus": 0, "threads": 1}},
        planner_training=training.model_dump(),
    )
    try:
        first = fleet.submit("Open the fridge.").wait(300)
        assert first.status.value == "succeeded" and first.planning.model_version is None and first.planning.engine == "openvino"
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline:
            kinds = [e.kind for e in fleet.events() if e.kind.startswith("planner_retrain")]
            if len(kinds) >= 2:
                break
            time.sleep(2)
        events = [e for e in fleet.events() if e.kind.startswith("planner_retrain")]
        assert [e.kind for e in events] == ["planner_retraining", "planner_retrained"], [e.message for e in events]
        assert "1 remembered missions" in events[0].message and "scored" in events[1].message
        promoted = events[1].message.endswith("now serving")
        second = fleet.submit("Close the fridge.").wait(300)
        assert second.planning.model_version == (1 if promoted else None)
    finally:
        serve.delete(name)


def test_a_fleet_on_a_world_without_a_tuned_model_trains_one_and_the_next_fleet_serves_it(start_fleet, tmp_path, checkpoint):
    """on_new_world: the first fleet serves the base model and trains in the background (progress
    as events); a later fleet on the same vocabulary serves the tuned version from the start."""
    import shutil
    import time

    from ray import serve

    from fleet.world import load_world
    from serve_apps.tuning import latest_version, world_model_dir

    name = "planner-new-world"
    training = tiny(tmp_path / "models", steps=1, num_cpus=0, on_new_world=True, examples_per_world=4, held_out_per_world=2, batch_size=4)
    settings = dict(planner="llm", planner_app=name, planner_config={"llm": {"num_cpus": 0, "threads": 1}}, planner_training=training.model_dump())
    try:
        fleet = start_fleet("household", **settings)
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline and not [e for e in fleet.events() if e.kind in ("planner_retrained", "planner_retrain_failed")]:
            time.sleep(2)
        events = [e for e in fleet.events() if e.kind.startswith("planner_")]
        kinds = [e.kind for e in events]
        assert kinds[0] == "planner_retraining" and events[0].message.startswith("no tuned model for this world yet")
        assert "planner_training_progress" in kinds and kinds[-1] == "planner_retrained", [e.message for e in events]
        fleet.shutdown()
        model_dir = world_model_dir(training.model_dir, load_world("household"))
        if latest_version(model_dir) is None:  # the one-step version lost: serve the module's checkpoint instead
            shutil.copytree(checkpoint["path"], f"{model_dir}/v0001")
        again = start_fleet("household", **settings)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not [e for e in again.events() if e.kind == "planner_tuned_model"]:
            time.sleep(1)
        assert [e for e in again.events() if e.kind == "planner_tuned_model"], [e.message for e in again.events()]
        assert again.submit("Open the fridge.").wait(300).planning.model_version is not None
    finally:
        serve.delete(name)
