"""Where fleet actors run: edge and planner nodes when the cluster has them, the head node for the rest.

The cluster with edge and planner nodes is tested in tests/test_operations.py (a head started with those resources).
"""

from __future__ import annotations

from fleet.placement import EDGE, HEAD, PLANNER, SHARE, cluster_has, resources_for


def test_an_explicit_resource_is_asked_for_even_before_a_node_has_it():
    # an autoscaler starts a node for it; a world's robot kind may name a narrower set of nodes
    assert resources_for("edge_dock_a", EDGE) == {"edge_dock_a": SHARE}


def test_default_resources_only_when_a_node_of_this_cluster_offers_them(ray_session):
    # the test session's cluster: one node, the head, with no edge or planner resource
    assert cluster_has(HEAD) and not cluster_has(EDGE) and not cluster_has(PLANNER)
    assert resources_for(default=HEAD) == {HEAD: SHARE}
    assert resources_for(default=EDGE) == {} and resources_for(default=PLANNER) == {}
