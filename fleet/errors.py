"""Errors the package raises on purpose: each names what was wrong and where."""

from __future__ import annotations

from dataclasses import dataclass


class FleetError(Exception):
    """Base of every error Fleet raises for bad input or an impossible request."""


class FleetBusy(FleetError):
    """A mission refused because the fleet already has as many in progress as it takes: submit it
    again after `retry_after_s` seconds (HTTP answers 429 with that Retry-After)."""

    def __init__(self, message: str, retry_after_s: float):
        super().__init__(message)
        self.retry_after_s = retry_after_s

    def __reduce__(self):  # keeps retry_after_s when Ray carries the error to the caller
        return (FleetBusy, (str(self), self.retry_after_s))


@dataclass(frozen=True)
class Issue:
    """One problem found in a file or a document: where it is and what was expected."""

    path: str  # field path inside the document, such as "objects[3].location"
    message: str

    def render(self, source: str | None = None) -> str:
        where = f"{source}: " if source else ""
        return f"{where}{self.path}: {self.message}" if self.path else f"{where}{self.message}"


class WorldError(FleetError):
    """A world or skill file is malformed; `issues` lists every problem found."""

    def __init__(self, issues: list[Issue], source: str | None = None):
        self.issues = list(issues)
        self.source = source
        super().__init__("\n".join(issue.render(source) for issue in self.issues))


class GoalError(FleetError, ValueError):
    """A goal literal does not parse, or names a predicate, thing or state the world lacks."""


class PlanningError(FleetError):
    """The classical planner found no plan; the message says why."""
