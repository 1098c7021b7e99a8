"""Ray actors: robots, the coordinator, the simulated world and trainers (the runtime)."""
