"""Fast Downward engines for unified-planning that keep every file of a run in its own folder.

Fast Downward's driver writes its translator output (`output.sas`) to the working directory, so
two planners started from one directory at once (the coordinator and a planner replica, two
benchmark processes) overwrite each other's task and read back a plan for another world. These
subclasses put that file beside the run's PDDL files, in the private temporary folder
unified-planning makes for each run.
"""

from __future__ import annotations

import os

from up_fast_downward import FastDownwardOptimalPDDLPlanner, FastDownwardPDDLPlanner

SATISFICING = "fleet-fast-downward"
OPTIMAL = "fleet-fast-downward-opt"


class _PrivateSasFile:
    def _base_cmd(self, plan_filename: str) -> list[str]:
        sas_file = os.path.join(os.path.dirname(plan_filename), "output.sas")
        return super()._base_cmd(plan_filename) + ["--sas-file", sas_file]  # type: ignore[misc]


class SatisficingPlanner(_PrivateSasFile, FastDownwardPDDLPlanner):
    """Fast Downward's satisficing searches (the search configuration is a parameter)."""


class OptimalPlanner(_PrivateSasFile, FastDownwardOptimalPDDLPlanner):
    """Fast Downward's optimal search: A* with LM-cut, or another admissible search given as
    `fast_downward_search_config` (LM-cut does not take conditional effects; h^max does)."""

    def __init__(self, log_level: str = "info", fast_downward_search_config: str = "astar(lmcut())"):
        super().__init__(log_level)
        self._fd_search_config = fast_downward_search_config


def register() -> None:
    """Make both engines known to unified-planning's factory (once per process)."""
    import unified_planning.shortcuts as up

    factory = up.get_environment().factory
    known = set(factory.engines)
    if SATISFICING not in known:
        factory.add_engine(SATISFICING, __name__, "SatisficingPlanner")
    if OPTIMAL not in known:
        factory.add_engine(OPTIMAL, __name__, "OptimalPlanner")
