"""Command line: `python -m fleet worlds | describe-world | check-world | plan | simulate | demo`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Optional

from fleet.errors import FleetError, WorldError
from fleet.goals import parse_goal
from fleet.plan import Plan
from fleet.sim import FailureRate, FaultModel, SimResult, Simulation
from fleet.validate import PlanValidationError, spread_assignment
from fleet.world import bundled_worlds, load_world

DEMO_GOAL = [
    "at(red_box, loading_dock_b)",
    "at(blue_box, loading_dock_b)",
    "at(small_parcel, packing_station)",
    "at(pallet_2, loading_dock_a)",
    "inspected(fire_extinguisher)",
    "switched_on(conveyor)",
]


def _print_json(data: object) -> None:
    print(json.dumps(data, indent=2, sort_keys=False))


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _plan_rows(plan: Plan) -> list[list[str]]:
    return [
        [
            s.id,
            s.skill,
            ", ".join(f"{k}={v}" for k, v in s.args.items()),
            ", ".join(s.dependencies) or "-",
            " + ".join(f"{r.param}:{r.chain}" + (f"x{r.coalition_size}" if r.coalition_size > 1 else "") for r in s.roles),
        ]
        for s in plan.subtasks
    ]


def cmd_worlds(args: argparse.Namespace) -> int:
    names = bundled_worlds()
    if args.json:
        _print_json({"worlds": names})
    else:
        for name in names:
            world = load_world(name)
            print(f"{name:12s} {world.description}")
    return 0


def cmd_describe_world(args: argparse.Namespace) -> int:
    world = load_world(args.world)
    if args.json:
        _print_json(world.describe())
        return 0
    print(f"{world.name}: {world.description}")
    print(f"\nplaces ({len(world.places)}):")
    print(_table([[p.name, p.kind, f"{p.xy[0]:g},{p.xy[1]:g}", ",".join(p.requires) or "-"] for p in world.places],
                 ["name", "kind", "xy", "requires"]))
    print(f"\nobjects ({len(world.objects)}):")
    print(_table(
        [[o.name, o.type, o.location, f"{o.mass:g}", ",".join(f"{k}={v}" for k, v in o.states.items()) or "-"] for o in world.objects],
        ["name", "type", "location", "kg", "states"],
    ))
    print(f"\nrobots ({len(world.robots)}):")
    print(_table(
        [[r.name, r.kind, r.start, ",".join(world.kind_of(r.name).capabilities), f"{world.kind_of(r.name).payload:g}"] for r in world.robots],
        ["name", "kind", "start", "capabilities", "payload kg"],
    ))
    print("\nskills: " + ", ".join(s.name for s in world.skill_list))
    return 0


def cmd_check_world(args: argparse.Namespace) -> int:
    try:
        world = load_world(args.file)
    except WorldError as err:
        print(str(err), file=sys.stderr)
        print(f"{len(err.issues)} problem(s) found", file=sys.stderr)
        return 1
    print(f"ok: {args.file}: {len(world.places)} places, {len(world.objects)} objects, "
          f"{len(world.robots)} robots, {len(world.skill_list)} skills")
    return 0


def _plan_from_args(args: argparse.Namespace):
    from fleet.planning import plan_goal  # imports unified-planning only when planning

    world = load_world(args.world)
    goal = parse_goal(world, args.goal)
    return world, goal, plan_goal(world, goal, timeout_s=args.timeout)


def cmd_plan(args: argparse.Namespace) -> int:
    _, goal, plan = _plan_from_args(args)
    if args.json:
        _print_json(plan.to_json_dict())
    else:
        print(f"goal: {', '.join(map(str, goal))}")
        print(_table(_plan_rows(plan), ["id", "skill", "args", "after", "roles"]))
    return 0


def _simulate(args: argparse.Namespace) -> tuple[Plan, SimResult]:
    world, goal, plan = _plan_from_args(args)
    faults = FaultModel(rates=[FailureRate(probability=args.failure_rate)])
    result = Simulation(world, faults, seed=args.seed).run(plan, spread_assignment(world, plan), goal)
    return plan, result


def _print_sim(plan: Plan, result: SimResult) -> None:
    by_id = plan.by_id()
    rows = [
        [
            r.id,
            r.skill,
            ", ".join(by_id[r.id].args.values()),
            ", ".join(r.robots),
            f"{r.start_s:.1f}" if r.start_s is not None else "-",
            f"{r.end_s:.1f}" if r.end_s is not None else "-",
            str(r.attempts),
            r.status.value,
        ]
        for r in result.subtasks
    ]
    print(_table(rows, ["id", "skill", "args", "robots", "start s", "end s", "tries", "status"]))
    outcome = "succeeded" if result.succeeded else "FAILED"
    print(f"\n{outcome}: makespan {result.makespan_s:.1f} s, travel {result.travel_m:.0f} m, "
          f"energy {result.energy_wh:.1f} Wh, {result.charges} charging stop(s)")


def cmd_simulate(args: argparse.Namespace) -> int:
    plan, result = _simulate(args)
    if args.json:
        _print_json({"plan": plan.to_json_dict(), "result": result.model_dump(mode="json")})
    else:
        _print_sim(plan, result)
    return 0 if result.succeeded else 1


def cmd_demo(args: argparse.Namespace) -> int:
    print("Fleet demo: the warehouse's morning shift, planned by Fast Downward and run in the")
    print("simulation core (virtual time) with a 10% failure rate per skill execution.\n")
    print("goal:\n  " + "\n  ".join(DEMO_GOAL) + "\n")
    args.world, args.goal, args.failure_rate = "warehouse", json.dumps(DEMO_GOAL), 0.1
    plan, result = _simulate(args)
    _print_sim(plan, result)
    return 0 if result.succeeded else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fleet", description="Run a robot fleet from missions.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("worlds", help="list the bundled worlds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_worlds)

    p = sub.add_parser("describe-world", help="print a world's vocabulary")
    p.add_argument("world", help="bundled world name or YAML path")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_describe_world)

    p = sub.add_parser("check-world", help="check a world file; exit 1 and list every problem")
    p.add_argument("file")
    p.set_defaults(func=cmd_check_world)

    for name, func, text in (
        ("plan", cmd_plan, "plan a goal into a dependency graph of subtasks"),
        ("simulate", cmd_simulate, "plan a goal and run it in the simulation core"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--world", required=True, help="bundled world name or YAML path")
        p.add_argument("--goal", required=True, help='JSON list of literals, e.g. \'["in(apple, fridge)"]\'')
        p.add_argument("--timeout", type=float, default=60.0, help="planner time limit in seconds")
        p.add_argument("--json", action="store_true")
        if name == "simulate":
            p.add_argument("--seed", type=int, default=0)
            p.add_argument("--failure-rate", type=float, default=0.0, help="failure probability per skill execution")
        p.set_defaults(func=func)

    p = sub.add_parser("demo", help="run the warehouse demo in the simulation core")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=60.0)
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PlanValidationError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except FleetError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
