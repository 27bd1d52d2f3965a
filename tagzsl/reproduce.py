"""Execute the numbered notebooks with papermill, in order, failing loudly.

Every notebook has one cell tagged ``parameters`` that defines ``QUICK``, ``SEED``,
``DATA_ROOT`` and ``FIGURES_DIR``. A full run executes the notebooks in place (their
committed outputs) and writes figures to ``figures/``; a quick run writes the executed
copies and figures under ``runs/quick/`` so the committed full-run outputs are never
overwritten by smoke results.
"""
from __future__ import annotations

import pathlib
import re
import time

from tagzsl import config

REPO = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"


#: TensorFlow's C++ runtime log lines (absl format, e.g. "I0000 00:00:17.95 5975 cudart_stub.cc:31] ...")
#: and absl's note that precedes them: written to stderr at import and graph build whatever
#: TF_CPP_MIN_LOG_LEVEL says; they say nothing about the run.
STARTUP_NOISE = re.compile(r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
                           r"|[IWEF]\d{4} \d\d:\d\d:[\d.]+\s+\d+ \w+\.cc:\d+\] .*)\n?$")


def strip_startup_noise(path) -> int:
    """Remove TensorFlow's start-up log lines from the stderr outputs of an executed notebook.

    Other stderr text is kept; an output left empty is dropped. Rewrites ``path`` atomically
    and returns how many lines were removed.
    """
    import nbformat

    path = pathlib.Path(path)
    nb = nbformat.read(path, as_version=4)
    removed = 0
    for cell in nb.cells:
        kept_outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                lines = output["text"].splitlines(keepends=True)
                kept = [line for line in lines if not STARTUP_NOISE.match(line)]
                removed += len(lines) - len(kept)
                if not kept:
                    continue
                output["text"] = "".join(kept)
            kept_outputs.append(output)
        if "outputs" in cell:
            cell["outputs"] = kept_outputs
    if removed:
        config.atomic_write_bytes(path, nbformat.writes(nb).encode("utf-8") + b"\n")
    return removed


class NotebookFailed(RuntimeError):
    """A notebook raised; the message names it and the executed copy holds the traceback."""


def notebooks(only=None) -> list[pathlib.Path]:
    """The numbered notebooks (``NN_name.ipynb``), optionally only those whose name contains ``only``."""
    found = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if only:
        wanted = [o.strip() for o in (only if isinstance(only, (list, tuple)) else [only])]
        found = [p for p in found if any(w in p.stem for w in wanted)]
        if not found:
            raise ValueError(f"no notebook matches {wanted}; have "
                             f"{[p.stem for p in sorted(NOTEBOOKS.glob('[0-9][0-9]_*.ipynb'))]}")
    return found


def run(only=None, quick: bool = False, mode: str | None = None, seed: int = config.DEFAULT_SEED, data_root=None,
        out_dir=None, figures_dir=None, log=print) -> list[dict]:
    """Execute the notebooks; returns ``[{"notebook", "output", "seconds"}]``.

    Raises :class:`NotebookFailed` on the first notebook that fails.
    """
    import os

    import papermill

    mode = mode or ("quick" if quick else "full")
    quick = mode == "quick"
    # The kernels run in notebooks/: make relative corpus paths absolute before they start.
    for var in ("TAGZSL_DATA", "NLTK_DATA", "TAGZSL_CACHE"):
        if os.environ.get(var):
            os.environ[var] = os.pathsep.join(str(pathlib.Path(v).expanduser().resolve())
                                              for v in os.environ[var].split(os.pathsep))
    if data_root:
        data_root = pathlib.Path(data_root).expanduser().resolve()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # keep TensorFlow's C++ log out of the outputs
    if out_dir is None:
        out_dir = REPO / "runs" / "quick" if quick else NOTEBOOKS
    out_dir = pathlib.Path(out_dir).resolve()
    if figures_dir is None:
        figures_dir = out_dir / "figures" if quick else REPO / "figures"
    figures_dir = pathlib.Path(figures_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    figures_dir.mkdir(parents=True, exist_ok=True)
    todo = notebooks(only)
    results = []
    for i, nb in enumerate(todo, 1):
        out = out_dir / nb.name
        log(f"[{i}/{len(todo)}] {nb.name} ({'quick' if quick else 'full'} mode, seed {seed}) ...")
        start = time.perf_counter()
        params = {"MODE": mode, "QUICK": mode == "quick", "SEED": int(seed), "FIGURES_DIR": str(figures_dir),
                  "DATA_ROOT": str(data_root) if data_root else None}
        tmp = out.with_name(f".{out.stem}.running.ipynb")
        try:
            papermill.execute_notebook(str(nb), str(tmp), parameters=params, cwd=str(NOTEBOOKS),
                                       kernel_name="python3", progress_bar=False)
        except Exception as err:
            failed = out.with_name(out.stem + ".failed.ipynb")
            if tmp.exists():
                tmp.replace(failed)
            raise NotebookFailed(f"{nb.name} failed: {type(err).__name__}: "
                                 f"{str(err).strip().splitlines()[-1] if str(err).strip() else ''}\n"
                                 f"executed copy with the traceback: {failed}") from err
        strip_startup_noise(tmp)
        tmp.replace(out)
        seconds = time.perf_counter() - start
        log(f"[{i}/{len(todo)}] {nb.name} done in {seconds:.0f} s -> {out}")
        results.append({"notebook": nb.name, "output": str(out), "seconds": seconds})
    return results
