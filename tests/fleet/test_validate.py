"""Plan validation on hand-made plans: each kind of mistake gives its own typed issue."""

from __future__ import annotations

import pytest

from fleet.goals import parse_goal
from fleet.plan import Plan, Subtask
from fleet.validate import PlanIssueKind, PlanValidationError, check_plan, spread_assignment, validate_plan
from fleet.world import world_from_dict


def st(id: str, skill: str, deps: list[str] | None = None, **args: str) -> Subtask:
    return Subtask(id=id, skill=skill, args=args, dependencies=deps or [])


MILK_TO_TABLE = [
    st("open", "open", target="fridge", place="kitchen"),
    st("take", "pick_from", ["open"], object="milk", receptacle="fridge", place="kitchen"),
    st("put", "place", ["take"], object="milk", place="dining_table"),
    st("shut", "close", ["take"], target="fridge", place="kitchen"),
]


def kinds(world, subtasks, goal=None) -> set[PlanIssueKind]:
    _, issues = validate_plan(world, Plan(subtasks=subtasks), parse_goal(world, goal) if goal else None)
    return {i.kind for i in issues}


def test_valid_plan_resolves_roles_and_chains(household):
    goal = parse_goal(household, ["at(milk, dining_table)", "not open(fridge)"])
    plan = check_plan(household, Plan(subtasks=MILK_TO_TABLE), goal)
    by_id = plan.by_id()
    assert by_id["take"].roles[0].chain == by_id["put"].roles[0].chain  # the same robot carries the milk
    assert by_id["open"].roles[0].chain != by_id["take"].roles[0].chain
    assert by_id["take"].place == "kitchen" and by_id["put"].place == "dining_table"
    assert by_id["take"].roles[0].capabilities == ["grasp"]
    assert by_id["take"].duration_s > household.skills_by_name["pick_from"].duration_s  # grows with the mass


def test_missing_dependency_is_an_ordering_issue(household):
    subtasks = [s.model_copy() for s in MILK_TO_TABLE]
    subtasks[1] = st("take", "pick_from", [], object="milk", receptacle="fridge", place="kitchen")
    assert PlanIssueKind.ORDER in kinds(household, subtasks)


def test_unmet_precondition(household):
    subtasks = [s for s in MILK_TO_TABLE if s.id != "open"]
    subtasks[0] = st("take", "pick_from", [], object="milk", receptacle="fridge", place="kitchen")
    with pytest.raises(PlanValidationError) as err:
        check_plan(household, Plan(subtasks=subtasks))
    assert err.value.kinds == {PlanIssueKind.PRECONDITION}
    assert "open(fridge)" in str(err.value)


def test_goal_not_reached(household):
    assert kinds(household, MILK_TO_TABLE, ["in(milk, cabinet)"]) == {PlanIssueKind.GOAL_NOT_REACHED}


@pytest.mark.parametrize(
    "subtasks, kind, text",
    [
        ([st("a", "open", ["b"], target="fridge", place="kitchen"), st("b", "close", ["a"], target="fridge", place="kitchen")],
         PlanIssueKind.CYCLE, "cycle"),
        ([st("a", "open", ["zz"], target="fridge", place="kitchen")], PlanIssueKind.UNKNOWN_DEPENDENCY, "'zz'"),
        ([st("a", "open", target="fridge", place="kitchen"), st("a", "close", target="fridge", place="kitchen")],
         PlanIssueKind.SCHEMA, "used twice"),
        ([st("a", "juggle", target="fridge")], PlanIssueKind.UNKNOWN_SKILL, "no skill 'juggle'"),
        ([st("a", "open", target="fridge")], PlanIssueKind.BAD_ARGUMENT, "missing argument 'place'"),
        ([st("a", "open", target="kitchen", place="kitchen")], PlanIssueKind.BAD_ARGUMENT, "is a place, expected a object"),
        ([st("a", "open", target="apple", place="kitchen")], PlanIssueKind.BAD_ARGUMENT, "does not fit"),
        ([st("a", "open", target="unicorn", place="kitchen")], PlanIssueKind.BAD_ARGUMENT, "no object of that name"),
        ([st("a", "open", target="fridge", place="kitchen", colour="red")], PlanIssueKind.BAD_ARGUMENT, "unknown argument"),
        ([], PlanIssueKind.SCHEMA, "no subtasks"),
    ],
)
def test_structural_issues(household, subtasks, kind, text):
    with pytest.raises(PlanValidationError) as err:
        check_plan(household, Plan(subtasks=subtasks))
    assert kind in err.value.kinds and text in str(err.value)


def test_no_robot_has_every_capability_a_chain_needs(warehouse):
    # whoever picks at the high rack must fly; whoever enters the packing station must be a ground robot
    plan = Plan(subtasks=[
        st("a", "pick", object="small_parcel", place="high_rack"),
        st("b", "place", ["a"], object="small_parcel", place="packing_station"),
    ])
    with pytest.raises(PlanValidationError) as err:
        check_plan(warehouse, plan)
    assert err.value.kinds == {PlanIssueKind.NO_CAPABLE_ROBOT}
    assert "fly" in str(err.value) and "ground" in str(err.value)


def test_handover_splits_the_work_between_two_chains(warehouse):
    plan = check_plan(warehouse, Plan(subtasks=[
        st("a", "pick", object="small_parcel", place="high_rack"),
        st("b", "handover", ["a"], object="small_parcel", place="transfer_zone"),
        st("c", "place", ["b"], object="small_parcel", place="packing_station"),
    ]), parse_goal(warehouse, ["at(small_parcel, packing_station)"]))
    by_id = plan.by_id()
    giver, receiver = by_id["b"].roles
    assert giver.chain == by_id["a"].roles[0].chain and receiver.chain == by_id["c"].roles[0].chain
    assert "fly" in giver.capabilities and "ground" in receiver.capabilities


def test_heavy_loads_need_a_coalition(warehouse):
    plan = check_plan(warehouse, Plan(subtasks=[
        st("a", "lift", object="pallet_2", place="staging_area"),
        st("b", "lower", ["a"], object="pallet_2", place="loading_dock_a"),
    ]))
    role = plan.by_id()["a"].roles[0]
    assert role.coalition_size == 2 and role.load_kg == 900
    team = spread_assignment(warehouse, plan)[role.chain]
    assert len(team) == 2 and all(warehouse.robots_by_name[r].kind == "amr" for r in team)


def test_too_heavy_for_any_allowed_team(warehouse_data):
    warehouse_data["max_coalition"] = 1
    world = world_from_dict(warehouse_data)
    with pytest.raises(PlanValidationError) as err:
        check_plan(world, Plan(subtasks=[st("a", "lift", object="pallet_2", place="staging_area")]))
    assert err.value.kinds == {PlanIssueKind.PAYLOAD}
    assert "900 kg" in str(err.value) and "max_coalition 1" in str(err.value)


def test_a_named_robot_is_pinned(household):
    plan = check_plan(household, Plan(subtasks=[st("a", "pick", object="remote", place="coffee_table", robot="scout")]))
    assert plan.subtasks[0].roles[0].robot == "scout"
    with pytest.raises(PlanValidationError, match="scout lacks manipulate"):
        check_plan(household, Plan(subtasks=[st("a", "open", target="fridge", place="kitchen", robot="scout")]))
