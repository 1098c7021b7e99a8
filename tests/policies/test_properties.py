"""Property tests: on random fleets and requests, no policy ever gives work to a robot that cannot do it."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleet.allocation import RobotView, TeamRequest, chain_route, team_request
from fleet.costs import nearest_charger
from fleet.scenarios import ScenarioSpec, generate
from policies.base import make_policy

RESERVE = 0.2
SCENARIOS = {seed: generate(ScenarioSpec(robots=7, subtasks=14, seed=seed, heavy_fraction=0.4)) for seed in range(4)}


def requests_of(scenario, draw) -> list[TeamRequest]:
    """A request per chain, some marked not ready, some excluding robots, some naming one."""
    world, plan = scenario.world, scenario.plan
    names = [r.name for r in world.robots]
    requests = []
    for chain, members in plan.chains().items():
        first = plan.by_id()[members[0][0]]
        role = next(r for r in first.roles if r.chain == chain)
        request = team_request(
            world, chain_route(plan, chain, first.id), first, role, key=chain, arrival=len(requests),
        )
        request.excluded = draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
        request.ready_in_s = draw(st.sampled_from([0.0, 0.0, 4.0]))
        if draw(st.integers(0, 9)) == 0:
            request.robot = draw(st.sampled_from(names))
        requests.append(request)
    return requests


def views_of(scenario, draw) -> list[RobotView]:
    """Every robot somewhere it can go, with any charge, idle or busy for a while."""
    world = scenario.world
    views = []
    for robot in world.robots:
        kind = world.robot_kinds[robot.kind]
        places = [p.name for p in world.places if set(p.requires) <= set(kind.capabilities)]
        views.append(RobotView(
            name=robot.name, kind=robot.kind, place=draw(st.sampled_from(places)),
            battery_wh=draw(st.floats(0, kind.battery.capacity_wh)), capabilities=kind.capabilities,
            payload=kind.payload, speed=kind.speed, free_in_s=draw(st.sampled_from([0.0, 0.0, 12.0])),
        ))
    return views


def chain_fits_a_full_battery(world, robot: str, request: TeamRequest) -> bool:
    """Charged at the charger nearest the chain's start, can the robot do it and reach a charger with the reserve?"""
    battery = world.kind_of(robot).battery
    route = request.route
    metres = world.distance(nearest_charger(world, route[0]), route[0])
    metres += sum(world.distance(a, b) for a, b in zip(route, route[1:]))
    metres += world.distance(route[-1], nearest_charger(world, route[-1]))
    return metres * battery.travel_wh_per_m + request.energy_wh <= battery.capacity_wh * (1 - RESERVE) + 1e-9


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(sorted(SCENARIOS)), policy=st.sampled_from(["greedy", "optimal", "auction", "learned"]), data=st.data())
def test_no_policy_assigns_work_a_team_cannot_do(seed, policy, data):
    scenario = SCENARIOS[seed]
    world = scenario.world
    requests = requests_of(scenario, data.draw)
    views = views_of(scenario, data.draw)
    teams = make_policy(policy, battery_reserve=RESERVE).assign(world, requests, views)
    by_key = {q.key: q for q in requests}
    by_name = {v.name: v for v in views}
    used: list[str] = []
    for key, team in teams.items():
        request = by_key[key]
        assert request.ready, f"{policy} handed out {key}, which is not ready"
        assert team and len(set(team)) == len(team) and set(team) <= set(by_name)
        for name in team:
            missing = set(request.capabilities) - set(world.kind_of(name).capabilities)
            assert not missing, f"{policy} gave {key} to {name}, which lacks {missing}"
            assert name not in request.excluded, f"{policy} gave {key} back to {name}, which it excludes"
            assert chain_fits_a_full_battery(world, name, request), f"{policy}: {name} cannot do {key} on a battery"
        assert sum(world.kind_of(n).payload for n in team) >= request.load_kg, f"{policy}: {team} cannot lift {key}"
        assert len(team) >= request.coalition_size
        if request.robot:
            assert request.robot in team
        if policy == "greedy":
            assert all(by_name[n].idle for n in team), "greedy only takes idle robots"
        used += team
    if policy in ("greedy", "optimal"):
        assert len(used) == len(set(used)), f"{policy} gave one robot two jobs in one round"
