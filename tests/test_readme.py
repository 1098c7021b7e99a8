"""The README's examples work: its world file loads, plans and simulates; its skill is the library's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from fleet.skills import SkillSpec, load_skill_library
from fleet.world import world_from_dict

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
YAML_BLOCKS = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", README, re.S)]


def test_readme_starts_with_the_two_commands():
    first_block = re.search(r"```bash\n(.*?)```", README, re.S).group(1)
    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()] == ["make demo", "make test"]


@pytest.mark.integration
def test_readme_world_loads_plans_and_runs():
    from fleet.planning import plan_goal
    from fleet.sim import Simulation
    from fleet.validate import spread_assignment

    world = world_from_dict(next(b for b in YAML_BLOCKS if "places" in b), "README.md")
    plan = plan_goal(world, ["sliced(apple)", "in(apple, fridge)", "not open(fridge)"])
    assert Simulation(world).run(plan, spread_assignment(world, plan)).succeeded
    assert "loft" not in {s.place for s in plan.subtasks}


def test_readme_skill_matches_the_standard_library():
    (documented,) = next(b for b in YAML_BLOCKS if "skills" in b)["skills"]
    library = {s.name: s for s in load_skill_library("standard")}
    assert SkillSpec.model_validate(documented) == library[documented["name"]]
