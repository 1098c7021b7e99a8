"""Reliability estimators: they converge, follow drift, shrug off outliers, round-trip, and steer every policy."""

from __future__ import annotations

import random
import statistics

import pytest

from fleet.models import Feedback
from policies.base import make_policy
from policies.reliability import ReliabilityConfig, ReliabilityModel


def outcome(robot: str, ok: bool, expected: float = 5.0, actual: float = 5.0, reason: str = "skill_failed") -> Feedback:
    return Feedback(mission="m", subtask="s", attempt_id="a", skill="pick", robots=[robot], expected_s=expected,
                    actual_s=actual, success=ok, reason="" if ok else reason)


def test_success_rate_converges_without_forgetting_and_tracks_with_it():
    rng = random.Random(0)
    steady = ReliabilityModel(ReliabilityConfig(forgetting=1.0))
    tracking = ReliabilityModel()
    seen = []
    for _ in range(2000):
        record = outcome("r", rng.random() < 0.7)
        steady.update(record)
        tracking.update(record)
        seen.append(tracking.success("r", "pick"))
    assert steady.success("r", "pick") == pytest.approx(0.7, abs=0.03)
    assert statistics.fmean(seen[-500:]) == pytest.approx(0.7, abs=0.05)


def test_a_drop_in_reliability_is_learned_within_ten_attempts():
    rng = random.Random(1)
    model = ReliabilityModel()
    for _ in range(100):
        model.update(outcome("r", rng.random() < 0.98))
    assert model.success("r", "pick") > 0.9
    for _ in range(10):
        model.update(outcome("r", rng.random() < 0.4))
    assert model.success("r", "pick") < 0.65


def test_duration_ratio_is_robust_to_outliers_and_only_faults_count_against_a_robot():
    rng = random.Random(2)
    model = ReliabilityModel()
    for i in range(300):
        actual = 7.5 * rng.uniform(0.9, 1.1) * (20.0 if i % 25 == 0 else 1.0)  # 1.5x slower, a few wild readings
        model.update(outcome("r", True, expected=5.0, actual=actual))
    assert model.duration_factor("r", "pick") == pytest.approx(1.5, rel=0.12)
    before = model.success("r", "pick")
    for reason in ("precondition", "battery_low", "cancelled"):
        assert model.update(outcome("r", False, reason=reason)) == []
    assert model.success("r", "pick") == before
    assert model.success("unseen", "pick") == pytest.approx(ReliabilityConfig().prior_success)


def test_the_store_form_round_trips():
    model = ReliabilityModel()
    for ok in (True, False, True):
        model.update(outcome("a", ok, actual=6.0))
    model.update(outcome("b", False))
    again, problems = ReliabilityModel.from_store({robot: model.robot_json(robot) for robot in ("a", "b")})
    assert again.table() == model.table() and len(model.table()) == 2 and problems == []


def test_an_unreadable_saved_state_starts_that_robot_again_and_says_so():
    model = ReliabilityModel()
    model.update(outcome("a", False))
    saved = {"a": model.robot_json("a"), "b": "{not json", "c": '{"pick": {"successes": "many"}}'}
    again, problems = ReliabilityModel.from_store(saved)
    assert again.table() == model.table()  # robot a kept, b and c back to the prior
    assert len(problems) == 2 and "reliability of b unreadable" in problems[0] and "reliability of c" in problems[1]


@pytest.mark.parametrize("policy", ["greedy", "optimal", "auction"])
def test_cost_based_policies_prefer_the_reliable_one_of_two_equal_robots(warehouse, policy):
    from tests.policies.test_policies import request, view

    model = ReliabilityModel()
    for _ in range(6):
        model.update(outcome("manip_1", False))
        model.update(outcome("manip_2", True))
    robots = [view(warehouse, "manip_1", "shelf_a"), view(warehouse, "manip_2", "shelf_a")]
    chosen = make_policy(policy, estimates=model.estimates())
    expected = {"a": ["manip_2"]} if policy != "greedy" else {"a": ["manip_1"]}  # greedy, the baseline: nearest only
    assert chosen.assign(warehouse, [request("a", place="shelf_a")], robots) == expected
