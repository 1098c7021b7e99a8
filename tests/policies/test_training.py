"""Real RLlib PPO training on the simulation core: a short run beats random choices; fine-tuning starts from given weights."""

from __future__ import annotations

import numpy as np
import pytest

from policies.env import EnvConfig
from policies.train import TrainConfig, compare, train

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def trained(ray_session):
    return train(TrainConfig(iterations=8, seed=0))


def test_a_short_training_run_beats_random_choices(trained):
    assert len(trained.returns) == 8 and all(np.isfinite(trained.returns))
    assert trained.weights.meta.iterations == 8 and trained.weights.meta.episodes > 0
    scores = compare(trained.weights, EnvConfig(), episodes=30, seed=10_000)  # episodes it never trained on
    # returns are minus the makespan in minutes minus one per failed attempt
    assert scores["trained"]["mean_return"] > scores["random"]["mean_return"] + 0.3, scores
    assert scores["trained"]["mean_makespan_s"] < scores["random"]["mean_makespan_s"], scores


def test_fine_tuning_starts_from_the_given_weights(trained, tmp_path):
    still = train(TrainConfig(iterations=1, batch=64, minibatch=16, lr=1e-12, seed=1), initial=trained.weights, checkpoint_dir=str(tmp_path / "ppo"))
    assert still.weights.meta.iterations == 9
    for name, values in trained.weights.state.items():
        np.testing.assert_allclose(still.weights.state[name], values, atol=1e-5, err_msg=name)
    assert (tmp_path / "ppo").is_dir() and still.checkpoint
