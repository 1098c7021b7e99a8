"""The example notebooks execute top to bottom on the embedded defaults, in the test session's Ray cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "examples" / "notebooks"


def _outputs(notebook) -> list[dict]:
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]


@pytest.mark.integration
@pytest.mark.parametrize(
    "name, plots, tables",
    [
        ("quickstart", 2, 5),  # map, Gantt | robots twice, the mission result, reliability, events
        ("learning", 2, 2),  # two adaptation curves | picks of the failing robot, policy versions
    ],
)
def test_notebook_executes(name, plots, tables, ray_session, planner_app, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    # the kernel joins this session's cluster (and its planner app) and keeps its Redis files here
    monkeypatch.setenv("RAY_ADDRESS", ray_session.get_runtime_context().gcs_address)
    monkeypatch.setenv("FLEET_STATE_DIR", str(tmp_path / "state"))
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()

    outputs = _outputs(notebook)
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "<table" in o.get("data", {}).get("text/html", "")]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == plots
    assert len(html) == tables
    if name == "quickstart":
        assert any("succeeded" in table and "at(red_box, loading_dock_b)" in table for table in html)
