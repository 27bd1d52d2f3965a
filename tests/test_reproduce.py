"""reproduce: values written into the parameters cell, three modes, quiet runs, clean outputs."""
import nbformat
import pytest

from tagzsl import reproduce

PARAMS = ('# Parameters\n'
          'MODE = "full"          # "full" | "lesson" | "quick"\n'
          'SEED = 2019\n'
          'DATA_ROOT = None       # None: $TAGZSL_DATA\n'
          'FIGURES_DIR = "../figures"  # where "#figures" go')


def _notebook(*sources, params=PARAMS):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["papermill"] = {"parameters": {}}
    nb.cells = [nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell('QUICK = False\nFIGURES_DIR = "/work/main/figures"',
                                          metadata={"tags": ["injected-parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_set_parameters_writes_values_into_the_cell_and_drops_injected_cells():
    nb = _notebook("print(MODE)")
    reproduce.set_parameters(nb, {"MODE": "quick", "SEED": 7, "FIGURES_DIR": "figures", "EXTRA": True})
    assert len(nb.cells) == 2 and "papermill" not in nb.metadata
    source = nb.cells[0].source
    assert 'MODE = "quick"          # "full" | "lesson" | "quick"' in source
    assert 'FIGURES_DIR = "figures"  # where "#figures" go' in source
    assert "SEED = 7\n" in source and source.endswith("EXTRA = True")
    assert reproduce.parameters(nb) == {"MODE": "quick", "SEED": 7, "DATA_ROOT": None,
                                        "FIGURES_DIR": "figures", "EXTRA": True}


def test_set_parameters_needs_one_parameters_cell():
    nb = _notebook()
    nb.cells[0].metadata["tags"] = []
    with pytest.raises(ValueError, match="one cell tagged 'parameters'"):
        reproduce.set_parameters(nb, {"MODE": "quick"})


def test_clean_outputs_removes_warnings_and_log_lines_and_machine_paths(tmp_path):
    nb = _notebook("x")
    noise = ("I0000 00:00:1795423416.233474    5975 cudart_stub.cc:31] Could not find cuda drivers.\n"
             "/work/main/.venv/lib/python3.11/site-packages/keras/src/layers/core/input_layer.py:27: "
             "UserWarning: Argument `input_shape` is deprecated.\n"
             "  warnings.warn(\n"
             "WARNING:tensorflow:5 out of the last 5 calls triggered tf.function retracing.\n")
    own = f"skipped {tmp_path}/data/x.txt (missing)\n"
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stderr", text=noise + own),
                           nbformat.v4.new_output("stream", name="stderr", text=noise),
                           nbformat.v4.new_output("stream", name="stdout", text=noise.splitlines(True)[-1]),
                           nbformat.v4.new_output("execute_result", data={"text/plain": f"{tmp_path}/fig.png"},
                                                  execution_count=1)]
    removed = reproduce.clean_outputs(nb, reproduce.machine_paths(tmp_path, env={}))
    assert removed == 9  # incl. TensorFlow's retracing record, which absl writes to stdout
    outputs = nb.cells[2].outputs
    assert [o.output_type for o in outputs] == ["stream", "execute_result"]
    assert outputs[0].text == "skipped ./data/x.txt (missing)\n"
    assert outputs[1].data["text/plain"] == "./fig.png"


def test_check_outputs_lists_every_kind_of_problem(tmp_path):
    nb = _notebook('fig.savefig(FIGURES / "a.png")', "y")
    nb.cells[2].outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="/x.py:3: UserWarning: careful\n"),
        nbformat.v4.new_output("stream", name="stderr", text="W0000 00:00:1.5 12 op.cc:7] noise\n"),
        nbformat.v4.new_output("stream", name="stdout", text="saved to /home/ann/figures/a.png\n")]
    nb.cells[3].outputs = [nbformat.v4.new_output("error", ename="ValueError", evalue="bad", traceback=[])]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    problems = "\n".join(reproduce.check_outputs(path))
    for expected in ("injected-parameters", "machine path in the source", "warning: /x.py:3",
                     "TensorFlow log line", "machine path in the output", "error output ValueError: bad",
                     "shows 0 image(s) but writes 1 figure(s)"):
        assert expected in problems, expected
    clean = _notebook()
    clean.cells = clean.cells[:1]
    nbformat.write(clean, path)
    assert reproduce.check_outputs(path) == []


def test_unknown_mode_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown mode 'fast'"):
        reproduce.run(mode="fast")


def test_lesson_run_writes_runs_lesson_with_values_in_the_cell_quietly(tmp_path, monkeypatch, capfd):
    code = ("import os, pathlib, sys, warnings\n"
            "import pandas as pd\n"
            "from tagzsl import plots\n"
            "warnings.warn('careful')\n"
            "os.write(2, b'raw line on the kernel fd 2\\n')\n"
            "print('cwd', os.getcwd())\n"
            "fig = plots.learning_curve(pd.DataFrame({'model': ['A'], 'n_train': [1], 'accuracy': [0.5]}),\n"
            "                           pathlib.Path(FIGURES_DIR) / 'curve.png')\n"
            "plots.show(fig)\n"
            "print('mode', MODE, SEED)")
    (tmp_path / "notebooks").mkdir()
    nbformat.write(_notebook(code), tmp_path / "notebooks" / "07_tiny.ipynb")
    monkeypatch.setattr(reproduce, "REPO", tmp_path)
    monkeypatch.setattr(reproduce, "NOTEBOOKS", tmp_path / "notebooks")
    lines = []
    results = reproduce.run(mode="lesson", seed=7, log=lines.append, timeout=120)
    out = tmp_path / "runs" / "lesson" / "07_tiny.ipynb"
    assert results[0]["output"] == str(out) and results[0]["figures"] == ["curve.png"]
    assert (tmp_path / "runs" / "lesson" / "figures" / "curve.png").is_file()
    assert len(lines) == 1 and "07_tiny.ipynb: lesson mode" in lines[0]
    nb = nbformat.read(out, as_version=4)
    assert reproduce.parameters(nb) == {"MODE": "lesson", "SEED": 7, "DATA_ROOT": None, "FIGURES_DIR": "figures"}
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    assert nb.metadata["tagzsl"] == {"mode": "lesson", "seed": 7} and "papermill" not in nb.metadata
    text = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    assert "mode lesson 7" in text and "cwd .\n" in text  # kernel ran in the output folder, path hidden
    assert "careful" not in text
    assert results[0]["problems"] == [] and reproduce.executed[-1] is results[0]
    captured = capfd.readouterr()
    assert "Kernel" not in captured.err + captured.out and "raw line" not in captured.err
    # the committed source notebook is untouched
    assert "injected-parameters" in (tmp_path / "notebooks" / "07_tiny.ipynb").read_text()


def test_notebooks_are_found_from_an_installed_package(tmp_path, monkeypatch):
    """An installed tagzsl has no notebooks beside it: ./notebooks or --notebooks DIR, else one clear line."""
    monkeypatch.setattr(reproduce, "NOTEBOOKS", tmp_path / "site-packages" / "notebooks")  # not there
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=r"no numbered notebooks \(NN_name.ipynb\) in ./notebooks; run from the "
                                         "repository's root folder or pass --notebooks DIR"):
        reproduce.notebooks()
    (tmp_path / "notebooks").mkdir()
    nbformat.write(_notebook("1"), tmp_path / "notebooks" / "01_a.ipynb")
    nbformat.write(_notebook("1"), tmp_path / "notebooks" / "05_demo.ipynb")
    assert reproduce.notebooks() == [tmp_path / "notebooks" / "01_a.ipynb"]
    other = tmp_path / "elsewhere"
    other.mkdir()
    nbformat.write(_notebook("1"), other / "02_b.ipynb")
    assert reproduce.notebooks(notebooks_dir=other) == [other / "02_b.ipynb"]
    for empty in ("", [""], []):
        with pytest.raises(ValueError, match="an empty --only selects nothing"):
            reproduce.notebooks(only=empty)


def test_ctrl_c_during_a_notebook_is_interrupted_not_a_kernel_error(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    started = tmp_path / "started"
    (tmp_path / "notebooks").mkdir()
    nbformat.write(_notebook(f"import pathlib, time\npathlib.Path({str(started)!r}).touch()\ntime.sleep(120)"),
                   tmp_path / "notebooks" / "01_slow.ipynb")

    def defaults():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)

    proc = subprocess.Popen([sys.executable, "-m", "tagzsl.cli", "reproduce", "--lesson", "--notebooks",
                             str(tmp_path / "notebooks")], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=defaults)
    deadline = time.time() + 120
    while not started.exists():
        assert time.time() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert [l for l in err.splitlines() if l.startswith("tagzsl")] == ["tagzsl reproduce: interrupted"]
    assert "DeadKernelError" not in err and "Traceback" not in err
