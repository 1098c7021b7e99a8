"""Plugin registries: classes registered under a name and looked up by it (policies, drivers, backends)."""

from __future__ import annotations

from typing import Callable, Generic, TypeVar

from fleet.errors import FleetError

T = TypeVar("T")


class Registry(Generic[T]):
    """Named plugin classes of one kind; an unknown name is an error that lists the known ones."""

    def __init__(self, kind: str):
        self.kind = kind  # "policy", "driver", ...: used in error messages
        self._classes: dict[str, type[T]] = {}

    def register(self, name: str) -> Callable[[type[T]], type[T]]:
        """Class decorator: make the class available under `name`."""

        def add(cls: type[T]) -> type[T]:
            self._classes[name] = cls
            return cls

        return add

    def get(self, name: str) -> type[T]:
        if name not in self._classes:
            raise FleetError(f"unknown {self.kind} {name!r}; known: {', '.join(self.names())}")
        return self._classes[name]

    def names(self) -> list[str]:
        return sorted(self._classes)

    def __contains__(self, name: object) -> bool:
        return name in self._classes
