"""Where fleet actors run: edge and planner nodes when the cluster has them, the head node for the rest."""

from __future__ import annotations

import pytest

from fleet import placement
from fleet.placement import EDGE, HEAD, PLANNER, SHARE, resources_for


@pytest.fixture
def cluster(monkeypatch):
    """Pretend cluster resources (pure unit tests of the choice, no Ray)."""
    import ray

    offered: dict[str, float] = {}
    monkeypatch.setattr(ray, "is_initialized", lambda: True)
    monkeypatch.setattr(ray, "cluster_resources", lambda: dict(offered))
    return offered


def test_default_resources_only_when_a_node_offers_them(cluster):
    assert resources_for(default=EDGE) == {} and resources_for(default=PLANNER) == {}
    cluster.update({"CPU": 8.0, EDGE: 2.0, PLANNER: 1.0})
    assert resources_for(default=EDGE) == {EDGE: SHARE}
    assert resources_for(default=PLANNER) == {PLANNER: SHARE}


def test_an_explicit_resource_is_asked_for_even_before_a_node_has_it(cluster):
    # an autoscaler starts a node for it; a world's robot kind may name a narrower set of nodes
    assert resources_for("edge_dock_a", EDGE) == {"edge_dock_a": SHARE}


def test_without_ray_nothing_is_asked_for(monkeypatch):
    import ray

    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    assert not placement.cluster_has(HEAD) and resources_for(default=EDGE) == {}
