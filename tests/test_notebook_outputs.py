"""Notebook outputs a class can read: no warnings, TensorFlow log lines, tracebacks, machine
paths or injected cells, and every figure written is shown inline (reproduce.check_outputs).

The notebooks executed in quick mode by tests/test_notebook_0N.py earlier in the session are
checked here without executing them again (reproduce.executed records them). A notebook not
yet converted to the MODE parameters cell is skipped with the reason. Every committed notebook
must be a full-mode run of `tagzsl reproduce` (stamped in its metadata).
"""
import os
import pathlib

import nbformat
import pytest

from tagzsl import reproduce

REPO = pathlib.Path(__file__).resolve().parents[1]


def _converted(path) -> bool:
    """The notebook's parameters cell sets MODE (the convention every notebook moves to)."""
    return "MODE" in reproduce.parameters(nbformat.read(path, as_version=4))


def test_notebooks_executed_this_session_have_clean_outputs():
    runs = [r for r in reproduce.executed if (reproduce.NOTEBOOKS / r["notebook"]).exists()]
    if not runs:
        pytest.skip("no notebook executed in this test session (they are run by tests/test_notebook_0N.py)")
    checked = [r for r in runs if _converted(reproduce.NOTEBOOKS / r["notebook"])]
    if not checked:
        pytest.skip(f"none of {[r['notebook'] for r in runs]} is converted to MODE yet")
    problems = [p for r in checked for p in reproduce.check_outputs(r["output"], figures=r["figures"])]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("path", sorted(reproduce.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_committed_notebook_is_a_full_run_with_clean_outputs(path):
    """A committed notebook was executed by `tagzsl reproduce` in full mode (stamped in its
    metadata), its parameters cell says so, and its outputs are clean."""
    nb = nbformat.read(path, as_version=4)
    stamp = nb.metadata.get("tagzsl")
    assert stamp is not None, (f"{path.name} was not executed by tagzsl reproduce: run "
                               f"`tagzsl reproduce --only {path.stem[:2]}` (full mode) and commit it")
    assert stamp["mode"] == "full", (f"{path.name} was committed from a {stamp['mode']} run: run "
                                     f"`tagzsl reproduce --only {path.stem[:2]}` (full mode) and commit it")
    assert reproduce.parameters(nb).get("MODE") == stamp["mode"], \
        f"{path.name}: its parameters cell does not say the mode it was run in ({stamp['mode']})"
    problems = reproduce.check_outputs(path)
    assert problems == [], "\n".join(problems)


def _quick_candidate():
    for stem in ("01", "04"):
        found = [p for p in reproduce.notebooks() if p.name.startswith(stem)]
        if found and _converted(found[0]):
            return found[0]
    return None


@pytest.mark.notebook
@pytest.mark.skipif(not os.environ.get("TAGZSL_DATA"), reason="needs TAGZSL_DATA (the shared corpus copy)")
def test_editing_the_parameters_cell_to_quick_runs_quick_with_plain_nbclient(tmp_path):
    """What a teacher does: open the notebook, set MODE = "quick" in the parameters cell, run all."""
    import nbclient

    source = _quick_candidate()
    if source is None:
        pytest.skip("notebooks 01 and 04 are not converted to the MODE parameters cell yet")
    nb = nbformat.read(source, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    edited = cell.source.replace('MODE = "full"', 'MODE = "quick"')
    assert edited != cell.source, 'the parameters cell has no line MODE = "full" to edit'
    cell.source = edited
    # the check: the settings object S the notebook used is its module's QUICK instance
    nb.cells.append(nbformat.v4.new_code_cell(
        "import sys as _sys\n"
        "_quick = _sys.modules[type(S).__module__].QUICK\n"
        "print('SETTINGS-CHECK', MODE, S == _quick)"))
    work = tmp_path / "notebooks"
    work.mkdir()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    for var in ("TAGZSL_DATA", "NLTK_DATA"):
        if env.get(var):
            env[var] = str(pathlib.Path(env[var]).resolve())
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(work)}}).execute(env=env)
    last = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert "SETTINGS-CHECK quick True" in last, last
    assert any((tmp_path / "figures").glob("*.png")), "the quick run wrote no figure to ../figures"
    on_disk = next(c for c in nbformat.read(source, as_version=4).cells if "parameters" in c.metadata.get("tags", []))
    assert 'MODE = "full"' in on_disk.source  # the committed notebook is untouched
