"""Fleet.start refuses bad settings before anything starts (no Ray needed for these)."""

from __future__ import annotations

import pytest

from fleet.client import Fleet
from fleet.errors import FleetError, WorldError


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"time_scale": 0}, "invalid fleet settings"),
        ({"faults": {"rates": "often"}}, "invalid fleet settings"),
        ({"max_attempts": 0}, "invalid fleet settings"),
        ({"policy": "psychic"}, "unknown policy 'psychic'"),
        ({"planner": "oracle"}, "unknown planner 'oracle'"),
        ({"driver": "ros9"}, "unknown driver 'ros9'"),
        ({"planner_config": {"mode": "telepathy"}}, "invalid fleet settings"),
        ({"planner_config": {"llm": {"backend": "llamacpp"}}}, "unknown planner backend 'llamacpp'"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(FleetError, match=message):
        Fleet.start("household", namespace="never-started", **kwargs)


def test_unknown_world_is_refused():
    with pytest.raises(WorldError, match="no bundled world named 'atlantis'"):
        Fleet.start("atlantis")
