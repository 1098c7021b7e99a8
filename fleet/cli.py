"""Command line: `python -m fleet worlds | describe-world | check-world | plan | simulate | run | demo`."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Optional

from pydantic import ValidationError

from fleet.client import PLANNERS
from fleet.config import BUNDLED_MODEL, LLMConfig, PlanMode, PlannerConfig, PlannerTrainingConfig
from fleet.errors import FleetError, WorldError
from fleet.goals import parse_goal
from fleet.plan import Plan
from fleet.sim import FailureRate, FaultModel, SimResult, Simulation
from fleet.validate import PlanValidationError
from fleet.world import bundled_worlds, load_world

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


def _planner_config(args: argparse.Namespace) -> PlannerConfig:
    return PlannerConfig(llm=LLMConfig(model=args.model), mode=PlanMode(args.mode))


def cmd_plan(args: argparse.Namespace) -> int:
    if args.mission is not None:
        from serve_apps.planner import plan_text_locally, response_json

        response = plan_text_locally(args.mission, load_world(args.world), _planner_config(args))
        if args.json:
            _print_json(response_json(response))
        elif response.ok and response.plan is not None:
            print(f"goal: {', '.join(response.goal)}")
            if response.left_undone:  # "dry it with the tea towel": said, but no skill here does it
                print(f"left undone (nothing here can do it): {'; '.join(response.left_undone)}")
            print(_table(_plan_rows(response.plan), ["id", "skill", "args", "after", "roles"]))
        else:
            print(f"refused: {response.reason}", file=sys.stderr)
        return 0 if response.ok else 1
    _, goal, plan = _plan_from_args(args)
    if args.json:
        _print_json(plan.to_json_dict())
    else:
        print(f"goal: {', '.join(map(str, goal))}")
        print(_table(_plan_rows(plan), ["id", "skill", "args", "after", "roles"]))
    return 0


def _simulate(args: argparse.Namespace) -> tuple[Plan, SimResult]:
    world, goal, plan = _plan_from_args(args)
    from policies.base import make_policy

    policy = make_policy(args.policy)
    faults = FaultModel(rates=[FailureRate(probability=args.failure_rate)])
    simulation = Simulation(world, faults, seed=args.seed)
    result = simulation.dispatch(plan, lambda requests, robots: policy.assign(world, requests, robots), goal)
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


DEMO_MISSIONS = [  # read by the language planner on the bundled model
    "Bring the red box from shelf A to loading dock B.",
    "Move pallet 2 from the staging area to loading dock A.",
    "Get the small parcel from the high rack to the packing station.",
    "Inspect the fire extinguisher.",
    "Send the green box to the packing station and start the conveyor.",
]


def _load_missions_file(path: str, world_name: str, use_text: bool) -> list[dict]:
    """Missions from a mission-set YAML file (see examples/missions/), checked against the world."""
    from fleet.missions import load_mission_set

    entries = load_mission_set(path, load_world(world_name)).missions
    with_state = [entry.id or str(i) for i, entry in enumerate(entries) if entry.state]
    if with_state:  # a live fleet has one world; a mission cannot rewind it
        raise FleetError(
            f"{path}: missions {', '.join(with_state)} set their own starting state (state:), which only "
            "`python -m benchmarks.plan_execution` and the simulation core can give them; a live fleet starts from its world"
        )
    return [entry.spec(use_text) for entry in entries]


def _run_missions(args: argparse.Namespace, specs: list[dict]) -> tuple[list, float]:
    """Start a fleet, run the missions concurrently to the end, shut the fleet down (unless --keep)."""
    import tempfile

    from fleet.client import Fleet

    faults = FaultModel(rates=[FailureRate(probability=args.failure_rate)]) if args.failure_rate else None
    keep = getattr(args, "keep", False)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fleet-state-") as state_dir:
        fleet = Fleet.start(
            args.world,
            policy=args.policy,
            planner=args.planner,
            planner_config=_planner_config(args),
            time_scale=args.time_scale,
            namespace=args.namespace or ("fleet" if keep else f"run-{os.getpid()}"),
            # a fleet left running keeps its state where a later Fleet.start finds it
            state_dir=args.state_dir or (None if keep else state_dir),
            faults=faults,
            fresh=True,
            http_port=args.http_port,
        )
        try:
            handles = [fleet.submit(spec) for spec in specs]
            results = [h.wait(timeout=args.timeout) for h in handles]
            robots = fleet.robots()
        finally:
            if keep:
                print(f"the fleet keeps running in namespace {fleet.config.namespace!r}: "
                      f"Fleet.connect({fleet.config.namespace!r}) from any driver on this cluster", file=sys.stderr)
            else:
                fleet.shutdown()
    return [results, robots], time.monotonic() - started


def _print_missions(results: list, robots: list) -> None:
    rows = [
        [
            r.id,
            r.spec.summary()[:60],
            ", ".join(r.goal)[:70] if r.spec.text else "",
            r.status.value,
            str(sum(1 for s in r.subtasks if s.status.value == "succeeded")),
            ", ".join(sorted({n for s in r.subtasks for n in s.robots})) or "-",
            f"{r.makespan_s:.1f}" if r.makespan_s is not None else "-",
        ]
        for r in results
    ]
    print(_table(rows, ["mission", "asked", "understood", "status", "done", "robots", "makespan s"]))
    for r in results:
        if r.error:
            print(f"  {r.id}: {r.error}")
    print()
    print(_table(
        [[s.name, s.kind, s.place, f"{s.battery_fraction:.0%}", ", ".join(s.holding) or "-", "yes" if s.alive else "no"] for s in robots],
        ["robot", "kind", "place", "battery", "holding", "alive"],
    ))


def cmd_run(args: argparse.Namespace) -> int:
    if args.planner is None:  # the language planner only when there is text to read
        args.planner = "llm" if args.mission else "classical"
    specs = [{"goal": json.loads(g) if g.strip().startswith("[") else [g]} for g in args.goal or []]
    specs += [{"text": text} for text in args.mission or []]
    if args.missions_file:
        specs += _load_missions_file(args.missions_file, args.world, use_text=args.planner == "llm")
    if not specs:
        raise FleetError("give at least one --goal, --mission or a --missions-file")
    load_world(args.world)  # a bad world fails before Ray starts
    (results, robots), wall_s = _run_missions(args, specs)
    if args.json:
        _print_json({"world": args.world, "wall_s": round(wall_s, 3), "missions": [r.summary() for r in results]})
    else:
        _print_missions(results, robots)
    return 0 if all(r.status.value == "succeeded" for r in results) else 1


def cmd_demo(args: argparse.Namespace) -> int:
    print("Fleet demo: five missions in plain words at once in the warehouse. The bundled language")
    print("model reads each into goal conditions (on Ray Serve), Fast Downward plans them, robot")
    print("actors run them with Redis state; 5% of skill executions fail and are retried.\n")
    args.world, args.failure_rate, args.json = "warehouse", 0.05, False
    args.planner = args.planner or "llm"
    (results, robots), wall_s = _run_missions(args, [{"text": text} for text in DEMO_MISSIONS])
    _print_missions(results, robots)
    print(f"\nwall time {wall_s:.1f} s at time_scale {args.time_scale:g}")
    return 0 if all(r.status.value == "succeeded" for r in results) else 1


def cmd_train_planner(args: argparse.Namespace) -> int:
    """Fine-tune the planner's model on the worlds' synthetic requests; print the new version's card."""
    from serve_apps.tuning import train_planner

    settings = {
        "worlds": args.world,
        "model_dir": args.model_dir,
        "base": args.base,
        "examples_per_world": args.examples,
        "held_out_per_world": args.held_out,
        "steps": args.steps,
        "batch_size": args.batch_size,
        "learning_rate": args.lr,
        "trainable_layers": args.layers,
        "seed": args.seed,
        "threads": args.threads,
        "paraphraser": {"backend": "openai", "base_url": args.paraphrase_url, "model": args.paraphrase_model}
        if args.paraphrase_url
        else ({"model": args.paraphrase_model} if args.paraphrase_model else None),
    }
    try:
        config = PlannerTrainingConfig.model_validate({k: v for k, v in settings.items() if v is not None})
    except ValidationError as err:
        raise FleetError(f"bad training settings: {err}") from None
    progress = (lambda line: None) if args.json else (lambda line: print(line, flush=True))
    path, card = train_planner(config, progress=progress)
    if args.json:
        print(json.dumps({"path": path, **card.model_dump()}))
    else:
        print(f"saved {path}: held-out goal exact {card.score:.3f}; serve it with --model {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fleet", description="Run a robot fleet from missions.")
    sub = parser.add_subparsers(dest="command", required=True)

    def planner_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--mode", choices=[m.value for m in PlanMode], default="goal", help="language planner mode")
        p.add_argument("--model", default=BUNDLED_MODEL, help="planner model: bundled:smollm2, a Hugging Face id or a path")

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
        what = p.add_mutually_exclusive_group(required=True) if name == "plan" else p
        what.add_argument("--goal", required=name != "plan", help='JSON list of literals, e.g. \'["in(apple, fridge)"]\'')
        p.add_argument("--timeout", type=float, default=60.0, help="planner time limit in seconds")
        p.add_argument("--json", action="store_true")
        if name == "plan":
            what.add_argument("--mission", help="a mission in plain words, read by the language planner")
            planner_options(p)
        if name == "simulate":
            p.add_argument("--seed", type=int, default=0)
            p.add_argument("--failure-rate", type=float, default=0.0, help="failure probability per skill execution")
            p.add_argument("--policy", default="auction", help="allocation policy: auction (default), optimal, greedy or learned")
        p.set_defaults(func=func)

    def runtime_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--policy", default="auction", help="allocation policy: auction (default), optimal, greedy or learned")
        p.add_argument("--planner", choices=PLANNERS, default=None,
                       help="llm: read text missions with the language model (default when there is text)")
        planner_options(p)
        p.add_argument("--time-scale", type=float, default=100.0, help="simulated seconds per wall second")
        p.add_argument("--namespace", default=None, help="Ray namespace (default: one per run)")
        p.add_argument("--state-dir", default=None, help="where the embedded Redis keeps its files")
        p.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for each mission")
        p.add_argument("--http-port", type=int, default=8000, help="Serve's HTTP port, when this starts Serve")

    p = sub.add_parser("run", help="run missions concurrently on a live fleet (Ray actors, Redis)")
    p.add_argument("--mission", action="append", help="a mission in plain words; repeat for more")
    p.add_argument("--world", required=True)
    p.add_argument("--goal", action="append", help="JSON list of literals; repeat for more missions")
    p.add_argument("--missions-file", help="YAML file with a 'missions' list")
    p.add_argument("--failure-rate", type=float, default=0.0)
    p.add_argument("--json", action="store_true")
    p.add_argument("--keep", action="store_true", help="leave the fleet running afterwards (Fleet.connect finds it)")
    runtime_options(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="run several warehouse missions at once on a live fleet")
    runtime_options(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("train-planner", help="fine-tune the planner's model on the worlds' own vocabulary")
    p.add_argument("--world", action="append", required=True, help="bundled world name or YAML path; repeat for more")
    p.add_argument("--model-dir", help="where versions go (default ~/.fleet/models/planner)")
    p.add_argument("--base", help="model to start from: bundled:smollm2 (default), a Hugging Face id or a checkpoint")
    p.add_argument("--examples", type=int, help="synthetic training requests per world (default 1000)")
    p.add_argument("--held-out", type=int, help="held-out requests per world for the evaluation (default 100)")
    p.add_argument("--steps", type=int, help="optimizer steps (default: one pass over the data)")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float, help="learning rate (default 2e-4)")
    p.add_argument("--layers", type=int, help="top transformer blocks to train (default 15)")
    p.add_argument("--seed", type=int)
    p.add_argument("--threads", type=int, help="torch threads (default: every core)")
    p.add_argument("--paraphrase-model", help="a larger model that rewords a fifth of the requests (local path or served name)")
    p.add_argument("--paraphrase-url", help="an OpenAI-compatible server for --paraphrase-model, e.g. http://host:8000/v1")
    p.add_argument("--json", action="store_true", help="print only the new version's card as JSON")
    p.set_defaults(func=cmd_train_planner)

    # `train` is handed to policies.train whole (see main); listed here for --help
    sub.add_parser("train", help="train the learned dispatch policy with PPO (python -m fleet train --help)")
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["train"]:  # every option belongs to the trainer, --help included
        from policies.train import main as train_main

        return train_main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PlanValidationError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except (FleetError, TimeoutError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
