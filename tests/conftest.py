"""Shared fixtures: bundled worlds loaded once, and their raw YAML for tests that edit worlds."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from fleet.world import WORLDS_DIR, World, load_world


@pytest.fixture(scope="session")
def warehouse() -> World:
    return load_world("warehouse")


@pytest.fixture(scope="session")
def household() -> World:
    return load_world("household")


@pytest.fixture(scope="session")
def _raw_worlds() -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text()) for p in Path(WORLDS_DIR).glob("*.yaml")}


@pytest.fixture
def warehouse_data(_raw_worlds) -> dict:
    """The warehouse world as plain data, a fresh copy per test to edit freely."""
    return copy.deepcopy(_raw_worlds["warehouse"])


@pytest.fixture
def household_data(_raw_worlds) -> dict:
    return copy.deepcopy(_raw_worlds["household"])
