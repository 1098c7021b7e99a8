"""Train the learned dispatch policy with RLlib PPO (new API stack) on the simulation core, on CPU.

Run:
    .venv/bin/python -m policies.train --world warehouse --iterations 30 --out policies/weights/learned.npz
    .venv/bin/python -m policies.train --iterations 3 --out /tmp/quick.npz --checkpoint /tmp/ppo   # a quick look

Training runs in the driver (no env runner processes, one local learner) and takes a few
minutes on two cores. It prints one JSON object: the mean episode return per iteration, the
time taken, where the weights (and the RLlib checkpoint, with `--checkpoint`) went, and an
evaluation on held-out seeds of the trained module against random choices and against always
taking the lowest bid. Returns are minus the makespan in minutes minus one per failed attempt.
`--from` fine-tunes earlier weights instead of starting afresh; `--publish` stores the result
as the next version in the fleet's store, where a running coordinator picks it up.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Callable, Optional

import numpy as np
from pydantic import BaseModel, Field

from fleet.client import ensure_ray
from fleet.errors import FleetError
from policies.cost import Estimates
from policies.env import DispatchEnv, EnvConfig
from policies.learned import CANDIDATES, PolicyWeights, WeightsMeta, module_spec, publish


class TrainConfig(BaseModel):
    """PPO settings sized for a two-core machine."""

    env: EnvConfig = EnvConfig()
    iterations: int = Field(default=30, ge=1)
    batch: int = Field(default=1000, ge=64)  # environment steps per iteration
    minibatch: int = Field(default=128, ge=16)
    epochs: int = Field(default=6, ge=1)
    lr: float = Field(default=1e-3, gt=0)
    entropy: float = Field(default=0.01, ge=0)
    gamma: float = Field(default=0.99, gt=0, le=1)
    gae_lambda: float = Field(default=0.95, ge=0, le=1)  # below 1: less variance from the episodes' randomness
    hidden: list[int] = [64, 64]
    seed: int = 0


class TrainResult(BaseModel):
    """What a training run produced."""

    weights: PolicyWeights
    returns: list[float]  # mean episode return per iteration
    seconds: float
    checkpoint: Optional[str] = None

    model_config = {"arbitrary_types_allowed": True}


def ppo_config(config: TrainConfig):
    """The PPO algorithm config: the environment in the driver, PPO's default MLP."""
    from ray.rllib.algorithms.ppo import PPOConfig

    return (
        PPOConfig()
        .environment(DispatchEnv, env_config=config.env.model_dump())
        .env_runners(num_env_runners=0, rollout_fragment_length="auto")
        .learners(num_learners=0)
        .training(
            train_batch_size_per_learner=config.batch,
            minibatch_size=config.minibatch,
            num_epochs=config.epochs,
            lr=config.lr,
            entropy_coeff=config.entropy,
            gamma=config.gamma,
            lambda_=config.gae_lambda,
        )
        .rl_module(rl_module_spec=module_spec(config.hidden))
        .debugging(seed=config.seed, log_level="ERROR")
        .reporting(metrics_num_episodes_for_smoothing=20)
    )


def train(
    config: TrainConfig,
    initial: Optional[PolicyWeights] = None,
    checkpoint_dir: Optional[str] = None,
    progress: Optional[Callable[[int, float], None]] = None,
) -> TrainResult:
    """Train (or fine-tune `initial`) for `config.iterations` PPO iterations; returns the new weights."""
    from ray.rllib.core import COMPONENT_LEARNER, COMPONENT_LEARNER_GROUP, COMPONENT_RL_MODULE, DEFAULT_MODULE_ID
    from ray.rllib.utils.metrics import ENV_RUNNER_RESULTS, EPISODE_RETURN_MEAN

    if initial is not None and initial.meta.hidden != config.hidden:
        raise FleetError(f"cannot fine-tune weights with layers {initial.meta.hidden} as {config.hidden}")
    ensure_ray(num_cpus=2)  # the cluster in RAY_ADDRESS or a running local one, else Ray here
    # every build registers RLlib's env wrapper again; that is expected here
    warnings.filterwarnings("ignore", message=".*Overriding environment")
    random.seed(config.seed)
    np.random.seed(config.seed)
    started = time.perf_counter()
    algo = ppo_config(config).build_algo()
    try:
        if initial is not None:
            with tempfile.TemporaryDirectory() as folder:
                module = module_spec(config.hidden).build()
                module.set_state(initial.state)
                module.save_to_path(folder)
                component = "/".join([COMPONENT_LEARNER_GROUP, COMPONENT_LEARNER, COMPONENT_RL_MODULE, DEFAULT_MODULE_ID])
                algo.restore_from_path(folder, component=component)
        returns: list[float] = []
        for iteration in range(config.iterations):
            result = algo.train()
            value = result.get(ENV_RUNNER_RESULTS, {}).get(EPISODE_RETURN_MEAN)
            returns.append(round(float(value), 4) if value is not None else float("nan"))
            if progress:
                progress(iteration + 1, returns[-1])
        state = algo.get_module(DEFAULT_MODULE_ID).get_state()
        checkpoint = str(algo.save_to_path(checkpoint_dir)) if checkpoint_dir else None
        episodes = int(algo.metrics.peek((ENV_RUNNER_RESULTS, "num_episodes_lifetime"), default=0))
    finally:
        algo.stop()
    before = initial.meta if initial else WeightsMeta(iterations=0, episodes=0)
    meta = WeightsMeta(
        hidden=config.hidden,
        iterations=before.iterations + config.iterations,
        episodes=before.episodes + episodes,
        mean_return=returns[-1] if returns and np.isfinite(returns[-1]) else None,
        source=f"{config.env.world}, {'calibrated by estimates' if config.env.estimates else 'random faults'}, seed {config.seed}",
    )
    return TrainResult(
        weights=PolicyWeights(meta=meta, state={k: np.asarray(v) for k, v in state.items()}),
        returns=returns,
        seconds=round(time.perf_counter() - started, 1),
        checkpoint=checkpoint,
    )


def fine_tune(initial: PolicyWeights, world: str, estimates: Estimates, iterations: int, batch: int, seed: int) -> TrainResult:
    """A few PPO iterations from `initial` on episodes calibrated by `estimates`: the world's own
    robots, failing each skill as often as they have been seen to."""
    env = EnvConfig(world=world, estimates=estimates)
    return train(TrainConfig(env=env, iterations=iterations, batch=batch, hidden=initial.meta.hidden, seed=seed), initial)


def evaluate(env_config: EnvConfig, choose: Callable[[np.ndarray, np.random.Generator], int], episodes: int, seed: int) -> dict:
    """Mean return, makespan and failures of a way of choosing over seeded episodes (the same for every chooser)."""
    env = DispatchEnv(env_config)
    rng = np.random.default_rng(seed)
    returns, makespans, failures = [], [], []
    for episode in range(episodes):
        observation, _ = env.reset(seed=seed + episode)
        total, done, info = 0.0, False, {}
        while not done:
            observation, reward, done, _, info = env.step(choose(observation, rng))
            total += reward
        returns.append(total)
        makespans.append(info["makespan_s"])
        failures.append(info["failures"])
    return {
        "mean_return": round(statistics.fmean(returns), 4),
        "mean_makespan_s": round(statistics.fmean(makespans), 2),
        "failures_per_episode": round(statistics.fmean(failures), 3),
    }


def module_chooser(weights: PolicyWeights) -> Callable[[np.ndarray, np.random.Generator], int]:
    """The trained module's choice (`forward_inference`, the highest logit) for an observation."""
    import torch
    from ray.rllib.core.columns import Columns

    module = module_spec(weights.meta.hidden).build()
    module.set_state(weights.state)
    module.eval()

    def choose(observation: np.ndarray, rng: np.random.Generator) -> int:
        with torch.no_grad():
            out = module.forward_inference({Columns.OBS: torch.from_numpy(observation[None])})
        return int(torch.argmax(out[Columns.ACTION_DIST_INPUTS][0]))

    return choose


def compare(weights: PolicyWeights, env_config: EnvConfig, episodes: int, seed: int) -> dict[str, dict]:
    """Trained module, random choices and the lowest bid, on the same held-out episodes."""
    return {
        "trained": evaluate(env_config, module_chooser(weights), episodes, seed),
        "random": evaluate(env_config, lambda obs, rng: int(rng.integers(CANDIDATES)), episodes, seed),
        "lowest_bid": evaluate(env_config, lambda obs, rng: 0, episodes, seed),
    }


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policies.train", description=__doc__.splitlines()[0])
    parser.add_argument("--world", default="warehouse", help="a bundled world name or a world YAML path")
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--batch", type=int, default=1000, help="environment steps per iteration")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="learned.npz", help="where to write the weights")
    parser.add_argument("--checkpoint", default=None, help="also save the RLlib checkpoint in this folder")
    parser.add_argument("--from", dest="initial", default=None, help="weights file to fine-tune")
    parser.add_argument("--eval-episodes", type=int, default=50, help="held-out episodes per chooser (0: skip)")
    parser.add_argument("--publish", metavar="REDIS_URL", default=None, help="store the weights as the next version")
    parser.add_argument("--namespace", default="default", help="the fleet's namespace in the store")
    parser.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.batch < 64 or args.eval_episodes < 0:
        parser.error("--iterations must be 1 or more, --batch 64 or more, --eval-episodes 0 or more")
    logging.getLogger("ray").setLevel(logging.ERROR)
    try:
        config = TrainConfig(env=EnvConfig(world=args.world), iterations=args.iterations, batch=args.batch, seed=args.seed)
        DispatchEnv(config.env).reset(seed=0)  # a world that cannot host episodes fails here, before Ray starts
        initial = PolicyWeights.from_file(args.initial) if args.initial else None
        result = train(config, initial, args.checkpoint, progress=lambda i, r: print(f"iteration {i}: mean return {r}", file=sys.stderr))
    except FleetError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    result.weights.save(args.out)
    report = {
        "world": args.world,
        "iterations": args.iterations,
        "returns": result.returns,
        "seconds": result.seconds,
        "weights": str(Path(args.out)),
        "checkpoint": result.checkpoint,
    }
    if args.eval_episodes:
        report["evaluation"] = compare(result.weights, config.env, args.eval_episodes, seed=10_000 + args.seed)
    if args.publish:
        from fleet.store import Store

        report["version"] = publish(Store(args.publish, args.namespace), result.weights).meta.version
    print(json.dumps(report, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
