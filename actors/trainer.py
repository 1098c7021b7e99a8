"""PolicyTrainer: reads the feedback stream, fine-tunes the learned policy on calibrated episodes, publishes versions.

The trainer follows the store's `feedback` stream with its own `ReliabilityModel`. Once
`every_attempts` new attempts have come in, it fine-tunes the newest published weights (the
bundled ones at first) with a few PPO iterations on simulated episodes calibrated with what the
stream says: the fleet's own robots, failing each skill as often as they have been seen to. The
result is stored as the next numbered version; the coordinator swaps it in between two
dispatch rounds and says so in an event (`policy_version`). Training runs on the actor's own
thread, so `status()` answers meanwhile.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Optional

import ray
from pydantic import BaseModel

from fleet.config import FleetConfig
from fleet.models import Event
from fleet.store import Store

TRAINER_NAME = "policy-trainer"


class TrainerStatus(BaseModel):
    """What the trainer has done so far."""

    version: int  # the newest published version (0: only the bundled weights)
    attempts_seen: int  # feedback records read
    pending: int  # records since the last fine-tuning
    trainings: int
    last_training_s: Optional[float] = None
    last_mean_return: Optional[float] = None
    error: Optional[str] = None


@ray.remote(num_cpus=0, max_concurrency=2)
class PolicyTrainer:
    """Fine-tunes the learned policy from execution feedback on a schedule; one per fleet."""

    def __init__(self, config: dict[str, Any], store_url: str):
        from policies.reliability import ReliabilityModel

        self.config = FleetConfig.model_validate(config)
        self.settings = self.config.trainer
        self.store = Store(store_url, self.config.namespace)
        self.reliability = ReliabilityModel()
        self.last_entry = "0-0"
        self.seen = 0
        self.pending = 0
        self.trainings = 0
        self.last_training_s: Optional[float] = None
        self.last_mean_return: Optional[float] = None
        self.error: Optional[str] = None
        self.lock = threading.Lock()  # one fine-tuning at a time (the loop, or train_now)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="policy-trainer", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stopping.wait(self.settings.poll_s):
            try:
                self.step()
            except Exception as err:  # noqa: BLE001 - keep following the stream; say what went wrong
                self.error = repr(err)
                self.store.add_event(Event(kind="trainer_error", message=self.error))

    def _read(self) -> None:
        """Take in the feedback that arrived since the last read."""
        for entry, record in self.store.feedback_after(self.last_entry):
            self.reliability.update(record)
            self.last_entry = entry
            self.seen += 1
            self.pending += 1

    def step(self, force: bool = False) -> Optional[int]:
        """Read new feedback; fine-tune and publish when enough came in (or `force`). Returns the new version."""
        with self.lock:
            self._read()
            if not force and self.pending < self.settings.every_attempts:
                return None
            return self._fine_tune()

    def _fine_tune(self) -> int:
        """A few PPO iterations from the newest weights on episodes calibrated by the stream; publish."""
        from policies.learned import BUNDLED, PolicyWeights, describe, latest, publish
        from policies.train import fine_tune

        started = time.perf_counter()
        initial = latest(self.store) or PolicyWeights.from_file(BUNDLED)
        settings = self.settings
        result = fine_tune(
            initial,
            self.config.world,
            self.reliability.estimates(),
            settings.iterations,
            settings.batch,
            seed=settings.seed + self.trainings,
        )
        published = publish(self.store, result.weights)
        self.pending = 0
        self.trainings += 1
        self.last_training_s = round(time.perf_counter() - started, 1)
        self.last_mean_return = result.weights.meta.mean_return
        self.error = None
        self.store.add_event(Event(kind="policy_published", message=f"{describe(published.meta)}, from {self.seen} attempts"))
        return published.meta.version

    def train_now(self) -> int:
        """Fine-tune and publish now, whatever the schedule says; returns the version."""
        with self.lock:
            self._read()
            return self._fine_tune()

    def status(self) -> TrainerStatus:
        return TrainerStatus(
            version=self.store.policy_version("learned"),
            attempts_seen=self.seen,
            pending=self.pending,
            trainings=self.trainings,
            last_training_s=self.last_training_s,
            last_mean_return=self.last_mean_return,
            error=self.error,
        )

    def stop(self) -> None:
        self.stopping.set()
