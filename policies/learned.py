"""The learned policy: an RLlib RLModule trained with PPO picks which of the lowest bidders takes each request.

It runs the auction (requests in dependency order, queues, look-ahead, coalitions by the
smallest team) and hands every award that one robot can take to the module: the observation
describes the request and its `CANDIDATES` lowest bidders (how much later each would finish
than the best, travel, queue, learned success rate and duration factor, battery), the action is
which of them wins. Training (`python -m policies.train`) teaches it on simulated episodes
what the cost model's single number leaves out, e.g. how much a likely failure really costs.

Weights travel as `PolicyWeights`: the module's inference state as an `.npz` with its metadata,
the same bytes in a file (a bundled default under `policies/weights/`) and in the store, where
the trainer actor publishes numbered versions and a running coordinator swaps them in.

    policy = make_policy("learned")                  # the bundled weights
    policy.load(PolicyWeights.from_bytes(blob))     # a newer version, between two rounds
"""

from __future__ import annotations

import io
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
from pydantic import BaseModel, Field

from fleet.errors import FleetError
from policies.auction import AuctionPolicy, Choice
from policies.base import register
from policies.cost import Estimates

if TYPE_CHECKING:
    from fleet.store import Store

CANDIDATES = 4  # lowest bidders the module chooses among
CANDIDATE_FEATURES = 7
REQUEST_FEATURES = 3
OBSERVATION_SIZE = CANDIDATES * CANDIDATE_FEATURES + REQUEST_FEATURES
CLIP = 5.0  # relative times are clipped to this many times the request's own duration
BUNDLED = Path(__file__).parent / "weights" / "learned.npz"


class WeightsMeta(BaseModel):
    """What a set of weights is and where it came from."""

    version: int = Field(default=0, ge=0)  # 0 for the bundled weights; the store numbers later ones
    hidden: list[int] = [64, 64]  # the module's layer sizes
    observation_size: int = OBSERVATION_SIZE
    actions: int = CANDIDATES
    trained_at: float = Field(default_factory=time.time)
    iterations: int = 0  # PPO iterations behind these weights, counting earlier versions
    episodes: int = 0
    mean_return: Optional[float] = None  # over the last training iteration
    source: str = ""  # what it was trained on


class PolicyWeights(BaseModel):
    """A module's inference weights and their metadata; `to_bytes` is the stored form."""

    meta: WeightsMeta
    state: dict[str, Any]  # parameter name to numpy array

    model_config = {"arbitrary_types_allowed": True}

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        meta = np.frombuffer(self.meta.model_dump_json().encode(), dtype=np.uint8)
        np.savez(buffer, __meta__=meta, **{k: np.asarray(v) for k, v in self.state.items()})
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "PolicyWeights":
        """Read stored weights; anything unreadable is a FleetError that says so."""
        try:
            with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
                meta = WeightsMeta.model_validate_json(arrays["__meta__"].tobytes().decode())
                state = {k: arrays[k] for k in arrays.files if k != "__meta__"}
        except Exception as err:  # noqa: BLE001 - a bad blob can fail in numpy, zip or pydantic
            raise FleetError(f"policy weights are unreadable: {err}") from err
        if meta.observation_size != OBSERVATION_SIZE or meta.actions != CANDIDATES:
            raise FleetError(
                f"policy weights are for {meta.observation_size} features and {meta.actions} actions; "
                f"this version uses {OBSERVATION_SIZE} and {CANDIDATES}"
            )
        return cls(meta=meta, state=state)

    @classmethod
    def from_file(cls, path: Path | str) -> "PolicyWeights":
        path = Path(path)
        if not path.is_file():
            raise FleetError(f"policy weights file {path} does not exist; train one with `python -m policies.train`")
        return cls.from_bytes(path.read_bytes())

    def save(self, path: Path | str) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.to_bytes())


def observation_space():
    import gymnasium as gym

    return gym.spaces.Box(low=-CLIP, high=CLIP, shape=(OBSERVATION_SIZE,), dtype=np.float32)


def action_space():
    import gymnasium as gym

    return gym.spaces.Discrete(CANDIDATES)


def module_spec(hidden: list[int]):
    """The RLModule both training and inference build: PPO's default MLP for these spaces."""
    from ray.rllib.algorithms.ppo.ppo_catalog import PPOCatalog
    from ray.rllib.algorithms.ppo.torch.default_ppo_torch_rl_module import DefaultPPOTorchRLModule
    from ray.rllib.core.rl_module.default_model_config import DefaultModelConfig
    from ray.rllib.core.rl_module.rl_module import RLModuleSpec

    return RLModuleSpec(
        module_class=DefaultPPOTorchRLModule,
        observation_space=observation_space(),
        action_space=action_space(),
        model_config=DefaultModelConfig(fcnet_hiddens=list(hidden)),
        catalog_class=PPOCatalog,
    )


def observe(choice: Choice, estimates: Estimates, capacity_wh: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """The observation for one choice and the robot rows its actions stand for (lowest bid first).

    Times are relative to the best bidder's own travel and work, so the features mean the same in
    a small room and a large warehouse. Fewer than `CANDIDATES` bidders: the rest repeat the best
    one, marked not real, and choosing them means the best.
    """
    bids, j, request = choice.bids, choice.j, choice.request
    finish = bids.finish_column(j)
    feasible = np.flatnonzero(np.isfinite(finish))
    rows = feasible[np.argsort(finish[feasible], kind="stable")][:CANDIDATES]
    best = finish[rows[0]]
    scale = max(float(bids.rest_s[rows[0], j]), 1.0)
    features = np.zeros((CANDIDATES, CANDIDATE_FEATURES), dtype=np.float32)
    for slot in range(CANDIDATES):
        row = rows[min(slot, len(rows) - 1)]
        robot = choice.robots[row]
        estimate = estimates.get(robot.name, request.skill)
        features[slot] = (
            (finish[row] - best) / scale,
            bids.travel_s[row, j] / scale,
            bids.free_in_s[row] / scale,
            estimate.success,
            math.log(estimate.duration_factor),
            robot.battery_wh / capacity_wh[robot.kind],
            1.0 if slot < len(rows) else 0.0,
        )
    work = request.work_s / scale
    context = np.array([work, request.tail_s / scale, len(feasible) / len(choice.robots)], dtype=np.float32)
    observation = np.clip(np.concatenate([features.ravel(), context]), -CLIP, CLIP).astype(np.float32)
    return observation, rows


class ChoosingAuction(AuctionPolicy):
    """The auction in one order (soonest first) that leaves every single-robot award open to `choose`.

    By itself it takes the lowest bid; the learning environment answers its choices, and
    `LearnedPolicy` answers them with the module.
    """

    asks = True

    def __init__(self, estimates: Optional[Estimates] = None, battery_reserve: float = 0.2, **auction_options: Any):
        auction_options.setdefault("rules", ("soonest",))  # one order: the choices are what vary
        super().__init__(estimates, battery_reserve, **auction_options)
        self.capacity: dict[str, float] = {}  # battery capacity per robot kind, for the features

    def decisions(self, world, requests, robots):
        self.capacity = {name: kind.battery.capacity_wh for name, kind in world.robot_kinds.items()}
        return (yield from super().decisions(world, requests, robots))


@register
class LearnedPolicy(ChoosingAuction):
    """The auction's single-robot awards chosen by a PPO-trained RLModule (`forward_inference`)."""

    name = "learned"

    def __init__(
        self,
        estimates: Optional[Estimates] = None,
        battery_reserve: float = 0.2,
        weights: Optional[PolicyWeights | str | Path] = None,
        **auction_options: Any,
    ):
        super().__init__(estimates, battery_reserve, **auction_options)
        self.module = None
        self.meta: Optional[WeightsMeta] = None
        self.load(weights if isinstance(weights, PolicyWeights) else PolicyWeights.from_file(weights or BUNDLED))

    @property
    def version(self) -> int:
        return self.meta.version if self.meta else -1

    def load(self, weights: PolicyWeights) -> None:
        """Swap in new weights; the next choice uses them (a round in progress finishes on the old ones)."""
        module = module_spec(weights.meta.hidden).build()
        module.set_state(weights.state)
        module.eval()
        self.module, self.meta = module, weights.meta

    def choose(self, choice: Choice) -> int:
        import torch
        from ray.rllib.core.columns import Columns

        observation, rows = observe(choice, self.estimates, self.capacity)
        with torch.no_grad():
            out = self.module.forward_inference({Columns.OBS: torch.from_numpy(observation[None])})
        action = int(torch.argmax(out[Columns.ACTION_DIST_INPUTS][0]))
        return int(rows[min(action, len(rows) - 1)])


def publish(store: "Store", weights: PolicyWeights) -> PolicyWeights:
    """Store weights as the learned policy's next version (numbered by the store); returns them, numbered."""
    version = store.next_policy_version(LearnedPolicy.name)
    weights = weights.model_copy(update={"meta": weights.meta.model_copy(update={"version": version})})
    store.save_policy(LearnedPolicy.name, version, weights.to_bytes())
    return weights


def latest(store: "Store") -> Optional[PolicyWeights]:
    """The newest published weights, or None when none were published."""
    blob = store.load_policy(LearnedPolicy.name)
    return PolicyWeights.from_bytes(blob) if blob else None


def describe(meta: WeightsMeta) -> str:
    """One line for events and logs."""
    figure = "" if meta.mean_return is None else f", mean return {meta.mean_return:.2f}"
    return f"learned policy v{meta.version} ({meta.iterations} iterations{figure}; {meta.source or 'unknown source'})"


__all__ = [
    "BUNDLED",
    "CANDIDATES",
    "ChoosingAuction",
    "LearnedPolicy",
    "OBSERVATION_SIZE",
    "PolicyWeights",
    "WeightsMeta",
    "describe",
    "latest",
    "publish",
    "module_spec",
    "observe",
]
