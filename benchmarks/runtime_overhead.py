"""End-to-end overhead per subtask of the live runtime, with skills that take no time.

Builds a world where every subtask is an instant inspection at the place the robots already
stand, so all the time measured is the runtime's own: the coordinator's dispatch, the robot
actors' travel and work calls, the WorldActor, and the Redis writes. The same plan runs in
the simulation core in the same process as the baseline (pure computation, no Ray, no Redis).

Run:
    .venv/bin/python -m benchmarks.runtime_overhead --json
    .venv/bin/python -m benchmarks.runtime_overhead --subtasks 100 --robots 1 4 --repeats 3 --json

It prints one JSON object: per robot count, the median milliseconds per subtask of the runtime
and of the simulation core, and their difference (the overhead). Expect tens of milliseconds
per subtask on a 2-core machine: a handful of actor calls and Redis writes each.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from typing import Any


def zero_time_world(subtasks: int, robots: int) -> dict[str, Any]:
    """One bay, `subtasks` things to inspect, `robots` inspectors standing in the bay."""
    return {
        "name": "overhead_bay",
        "description": "Instant inspections, for measuring the runtime's own cost.",
        "places": [{"name": "bay", "kind": "area", "xy": [0, 0]}, {"name": "dock", "kind": "charger", "xy": [0, 0]}],
        "objects": [
            {"name": f"item_{i:04d}", "type": "item", "location": "bay", "pickable": False, "states": {"inspected": False}}
            for i in range(subtasks)
        ],
        "robot_kinds": {
            "inspector": {
                "capabilities": ["navigate", "inspect"],
                "speed": 1.0,
                "battery": {"capacity_wh": 1000, "travel_wh_per_m": 0.0, "charge_w": 1000},
            }
        },
        "robots": [{"name": f"inspector_{i}", "kind": "inspector", "start": "bay"} for i in range(robots)],
        "skills": [
            {
                "name": "inspect",
                "capability": "inspect",
                "parameters": {"robot": "robot", "target": {"kind": "object", "has_state": "inspected"}, "place": "place"},
                "preconditions": ["robot_at(robot, place)", "at(target, place)"],
                "effects": ["inspected(target)"],
                "duration_s": 0.0,
            }
        ],
    }


def measure(subtasks: int, robots: int, repeats: int) -> dict[str, Any]:
    import yaml

    from fleet.client import Fleet
    from fleet.planning import plan_goal
    from fleet.sim import Simulation
    from fleet.validate import spread_assignment
    from fleet.world import world_from_dict

    data = zero_time_world(subtasks, robots)
    world = world_from_dict(data)
    goal = [f"inspected(item_{i:04d})" for i in range(subtasks)]
    plan = plan_goal(world, goal)

    sim_ms = []
    for _ in range(repeats):
        started = time.perf_counter()
        Simulation(world).run(plan, spread_assignment(world, plan))
        sim_ms.append((time.perf_counter() - started) * 1000 / subtasks)

    runtime_ms = []
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/world.yaml"
        with open(path, "w") as handle:
            yaml.safe_dump(data, handle)
        for repeat in range(repeats):
            fleet = Fleet.start(path, namespace=f"overhead-{robots}-{repeat}", state_dir=f"{folder}/state-{repeat}",
                                time_scale=1.0, fresh=True, planner="classical")  # explicit plans: no model
            try:
                result = fleet.submit(plan=plan).wait(timeout=600)
                assert result.status.value == "succeeded", result.error
                runtime_ms.append((result.finished_at - result.started_at) * 1000 / subtasks)
            finally:
                fleet.shutdown()
    runtime, sim = statistics.median(runtime_ms), statistics.median(sim_ms)
    return {
        "runtime_ms_per_subtask": round(runtime, 3),
        "sim_core_ms_per_subtask": round(sim, 4),
        "overhead_ms_per_subtask": round(runtime - sim, 3),
        "runtime_subtasks_per_s": round(1000 / runtime, 1),
        "runtime_ms_samples": [round(x, 3) for x in runtime_ms],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subtasks", type=int, default=60)
    parser.add_argument("--robots", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON object (the default output too)")
    args = parser.parse_args()

    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    results = {str(r): measure(args.subtasks, r, args.repeats) for r in args.robots}
    ray.shutdown()
    print(json.dumps({"benchmark": "runtime_overhead", "subtasks": args.subtasks, "repeats": args.repeats,
                      "by_robots": results}, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
