"""Where actors run: the custom resources of `cluster.yaml`'s node types, asked for only when the cluster has them."""

from __future__ import annotations

from typing import Any, Optional

HEAD = "node:__internal_head__"  # Ray's own mark of the head node: the coordinator, world, store and trainer stay there
EDGE = "edge"  # nodes next to the robots: robot actors go there
PLANNER = "planner"  # GPU nodes: the language planner's replicas go there
SHARE = 0.001  # what one actor asks of a node's resource: a marker, so any number of actors fit


def cluster_has(resource: str) -> bool:
    """Whether some node of the running Ray cluster offers this custom resource."""
    import ray

    return ray.is_initialized() and resource in ray.cluster_resources()


def resources_for(explicit: Optional[str] = None, default: Optional[str] = None) -> dict[str, Any]:
    """Ray `resources` for an actor: an explicit resource always (the world or config asked for it;
    an autoscaler can start a node for it), the default one only when a node has it."""
    if explicit:
        return {explicit: SHARE}
    if default and cluster_has(default):
        return {default: SHARE}
    return {}
