"""Execute the numbered notebooks in one of three modes, in order, failing loudly; keep their
outputs clean.

Every notebook has one cell tagged ``parameters``::

    MODE = "full"          # "full" | "lesson" | "quick"  (see tagzsl.experiments)
    SEED = 2019
    DATA_ROOT = None       # None: $TAGZSL_DATA, else download into the cache
    FIGURES_DIR = "../figures"

:func:`run` writes the run's values INTO that cell (no extra injected cell; a stale
``injected-parameters`` cell is dropped) and executes the notebook with nbclient, in the
folder it is written to. So an executed notebook can be re-run by hand as it is, and a
person who edits the cell and runs all gets what the cell says. ``FIGURES_DIR`` is stored
relative to the notebook when both sit in the repository (or the figures folder is inside
the output folder); a data root given to :func:`run` reaches the kernel as
``$TAGZSL_DATA``, so no machine path is written into a notebook.

Modes: ``full`` rewrites ``notebooks/`` and ``figures/`` (the committed results);
``lesson`` and ``quick`` write ``runs/<mode>/`` and ``runs/<mode>/figures/``.

A person's own posts (``data_files``, ``tagzsl reproduce --files``): each notebook's
``DATA_FILES`` parameter gets the files (relative to the output folder), checked before any
notebook runs; such a run writes ``runs/<mode>-own/`` in every mode, never the committed notebooks.

Clean outputs: the kernel runs with ``TF_CPP_MIN_LOG_LEVEL=3`` and its own stderr is not
echoed; from the executed notebook :func:`clean_outputs` removes TensorFlow's log lines and
Python warnings and replaces machine paths (repository, output folder, data roots, home)
by relative or symbolic ones. :func:`check_outputs` lists what is still wrong.
"""
from __future__ import annotations

import ast
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

from tagzsl import config, folders

#: the checkout this module runs from (editable installs); an installed package has no notebooks
#: beside it, and :func:`notebooks_folder` looks in the current folder instead
REPO = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
MODES = ("full", "lesson", "quick")

#: notebooks executed by :func:`run` in this process, newest last (``{"notebook", "output",
#: "figures", "problems", ...}``); lets a test session check outputs without executing again.
executed: list[dict] = []

#: TensorFlow's C++ runtime log lines (absl format, e.g. "I0000 00:00:17.95 5975 cudart_stub.cc:31] ...")
#: and absl's note that precedes them.
STARTUP_NOISE = re.compile(r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
                           r"|[IWEF]\d{4} \d\d:\d\d:[\d.]+\s+\d+ \w+\.cc:\d+\] .*)\n?$")
#: the first line of a Python warning ("path:12: UserWarning: ...") or of a Python log record
#: from TensorFlow/absl ("WARNING:tensorflow:..."); indented lines after it belong to it.
WARNING_LINE = re.compile(r"^(\S.*:\d+: \w*Warning: .*|(WARNING|INFO|ERROR|DEBUG):(absl|tensorflow|root|py\.warnings):.*)\n?$")
#: TensorFlow's Python log records, which absl may write to stdout (e.g. tf.function retracing)
TF_LOG_RECORD = re.compile(r"^(WARNING|INFO|ERROR|DEBUG):(absl|tensorflow):.*\n?$")
#: absolute paths that name one machine
MACHINE_PATH = re.compile(r"(?<![\w.~$])(/work/|/home/|/root/|/Users/|/tmp/|/private/|/var/folders/|[A-Z]:\\\\Users)")
_TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex")
_PNG_LITERAL = re.compile(r"""["'/]([\w.-]+\.png)["']""")  # "x.png" or f"{DIR}/x.png" in code


class NotebookFailed(RuntimeError):
    """A notebook raised; the message names it and the executed copy holds the traceback."""


def notebooks_folder(notebooks_dir=None) -> pathlib.Path:
    """Where the numbered notebooks are: ``notebooks_dir``, else the checkout's ``notebooks/``,
    else ``./notebooks``; a :class:`ValueError` saying what to do when there are none."""
    candidates = [pathlib.Path(notebooks_dir).expanduser()] if notebooks_dir else [NOTEBOOKS, pathlib.Path("notebooks")]
    for folder in candidates:
        if any(folder.glob("[0-9][0-9]_*.ipynb")):
            return folder.resolve()
    where = candidates[0] if notebooks_dir else "./notebooks"
    raise ValueError(f"no numbered notebooks (NN_name.ipynb) in {where}; run from the repository's root "
                     "folder or pass --notebooks DIR")


def notebooks(only=None, notebooks_dir=None) -> list[pathlib.Path]:
    """The numbered notebooks (``NN_name.ipynb``), optionally only those whose name contains ``only``.

    Without ``only``: the papers' notebooks, not the live demo (``05_demo`` starts a web app;
    run it with ``--only 05`` or ``tagzsl demo``).
    """
    folder = notebooks_folder(notebooks_dir)
    found = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if only is None:
        return [p for p in found if not p.stem.endswith("_demo")]
    wanted = [o.strip() for o in (only if isinstance(only, (list, tuple)) else [only])]
    if not wanted or not all(wanted):
        raise ValueError("an empty --only selects nothing; give part of a notebook's name, e.g. 01")
    chosen = [p for p in found if any(w in p.stem for w in wanted)]
    if not chosen:
        raise ValueError(f"no notebook matches {wanted}; have {[p.stem for p in found]}")
    return chosen


# ----------------------------------------------------------------------- parameters
def _literal(value) -> str:
    return json.dumps(value) if isinstance(value, str) else repr(value)


def set_parameters(nb, values: dict) -> None:
    """Write ``values`` into the notebook's ``parameters`` cell (in place, comments kept).

    A name the cell assigns at top level gets the new value; a name it lacks is appended.
    ``injected-parameters`` cells and papermill's metadata are removed.
    """
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.get("metadata", {}).pop("papermill", None)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"expected one cell tagged 'parameters', found {len(cells)}")
    cell = cells[0]
    lines = cell.source.splitlines()
    spans = {}
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            spans[node.targets[0].id] = node.value
    # replace from the bottom up so earlier offsets stay valid
    for name in sorted((n for n in values if n in spans), key=lambda n: -spans[n].lineno):
        v = spans[name]
        first, last = v.lineno - 1, v.end_lineno - 1
        head = lines[first][:v.col_offset]
        tail = lines[last][v.end_col_offset:]
        lines[first:last + 1] = [head + _literal(values[name]) + tail]
    lines += [f"{name} = {_literal(value)}" for name, value in values.items() if name not in spans]
    cell.source = "\n".join(lines)


def parameters(nb) -> dict:
    """The literal values the notebook's ``parameters`` cell assigns."""
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            out = {}
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                    try:
                        out[node.targets[0].id] = ast.literal_eval(node.value)
                    except ValueError:
                        pass
            return out
    return {}


# ----------------------------------------------------------------------- clean outputs
def _strip_lines(text: str, stderr: bool = True) -> tuple[str, int]:
    kept, removed, in_warning = [], 0, False
    for line in text.splitlines(keepends=True):
        if (STARTUP_NOISE.match(line) or WARNING_LINE.match(line)) if stderr else TF_LOG_RECORD.match(line):
            in_warning, removed = True, removed + 1
        elif in_warning and line[:1] in (" ", "\t"):
            removed += 1
        else:
            in_warning = False
            kept.append(line)
    return "".join(kept), removed


def clean_outputs(nb, replacements=()) -> int:
    """Remove TensorFlow log lines and Python warnings from the stderr outputs of ``nb`` and
    TensorFlow's Python log records ("WARNING:tensorflow:...") from stdout (an output left
    empty is dropped); apply ``replacements`` (``[(machine path, shown as)]``) to every text
    output. Returns how many lines were removed."""
    removed = 0
    for cell in nb.cells:
        if "outputs" not in cell:
            continue
        kept_outputs = []
        for output in cell["outputs"]:
            if output.get("output_type") == "stream":
                output["text"], n = _strip_lines(output["text"], stderr=output.get("name") == "stderr")
                removed += n
                if not output["text"]:
                    continue
            if "text" in output:
                output["text"] = _replace(output["text"], replacements)
            for kind in _TEXT_TYPES:
                if kind in output.get("data", {}):
                    value = output["data"][kind]
                    value = "".join(value) if isinstance(value, list) else value
                    output["data"][kind] = _replace(value, replacements)
            kept_outputs.append(output)
        cell["outputs"] = kept_outputs
    return removed


def _replace(text: str, replacements) -> str:
    for path, shown in replacements:
        text = text.replace(path, shown)
    return text


def machine_paths(out_dir, env=None, root=None) -> list[tuple[str, str]]:
    """``[(absolute path, how to show it)]``, longest first: the output folder and the repository
    (``root``, default :data:`REPO`; relative to the notebook), data roots from ``env``
    (``$TAGZSL_DATA`` ...), home (``~``)."""
    out_dir = pathlib.Path(out_dir).resolve()
    root = pathlib.Path(root or REPO)
    env = os.environ if env is None else env
    pairs = {str(out_dir): "."}
    pairs[str(root)] = os.path.relpath(root, out_dir) if out_dir.is_relative_to(root) else "$TAGZSL_REPO"
    for var in ("TAGZSL_DATA", "NLTK_DATA", "TAGZSL_CACHE"):
        for part in filter(None, env.get(var, "").split(os.pathsep)):
            pairs.setdefault(str(pathlib.Path(part).expanduser().resolve()), f"${var}")
    pairs.setdefault(sys.prefix, "$PYTHON")
    pairs.setdefault(str(pathlib.Path.home()), "~")
    out = []
    for path, shown in sorted(pairs.items(), key=lambda kv: -len(kv[0])):
        if len(path) > 1:
            out += [(path + os.sep, shown + "/"), (path, shown)]
    return out


def strip_startup_noise(path) -> int:
    """Remove TensorFlow's log lines and Python warnings from a notebook file's stderr outputs
    (rewritten atomically when anything was removed); returns how many lines went."""
    import nbformat

    path = pathlib.Path(path)
    nb = nbformat.read(path, as_version=4)
    removed = clean_outputs(nb)
    if removed:
        config.atomic_write_bytes(path, nbformat.writes(nb).encode("utf-8") + b"\n")
    return removed


# ----------------------------------------------------------------------- checks
def check_outputs(nb_path, figures=None) -> list[str]:
    """Problems in an executed notebook, one line each (an empty list: clean).

    Looks for warnings, TensorFlow log lines, tracebacks and error outputs, machine paths
    (in outputs and cell sources), ``injected-parameters`` cells, and compares the images
    shown with the figures the notebook names: ``figures`` is their number (or names); by default, the
    distinct ``"*.png"`` names in the code cells (written or read, e.g. the demo's screenshot)."""
    import nbformat

    nb = nbformat.read(pathlib.Path(nb_path), as_version=4)
    name, problems = pathlib.Path(nb_path).name, []
    images = 0
    for i, cell in enumerate(nb.cells):
        where = f"{name} cell {i}"
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            problems.append(f"{where}: an injected-parameters cell")
        if MACHINE_PATH.search(cell.source):
            problems.append(f"{where}: machine path in the source: {_snippet(cell.source, MACHINE_PATH)}")
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "error":
                problems.append(f"{where}: error output {output.get('ename')}: {output.get('evalue')}")
                continue
            data = output.get("data", {})
            images += "image/png" in data
            texts = [output.get("text", "")] + [data[k] for k in _TEXT_TYPES if k in data]
            text = "".join("".join(t) if isinstance(t, list) else t for t in texts)
            for line in text.splitlines():
                if STARTUP_NOISE.match(line):
                    problems.append(f"{where}: TensorFlow log line: {line[:100]}")
                elif WARNING_LINE.match(line) or re.search(r"\b\w*Warning: ", line):
                    problems.append(f"{where}: warning: {line[:100]}")
                elif line.startswith("Traceback (most recent call last)"):
                    problems.append(f"{where}: traceback in the output")
            if MACHINE_PATH.search(text):
                problems.append(f"{where}: machine path in the output: {_snippet(text, MACHINE_PATH)}")
    if figures is None:
        figures = {m for c in nb.cells if c.cell_type == "code" for m in _PNG_LITERAL.findall(c.source)}
    n_figures = figures if isinstance(figures, int) else len(set(figures))
    if images != n_figures:
        problems.append(f"{name}: shows {images} image(s) but writes {n_figures} figure(s)")
    return problems


def _snippet(text: str, pattern: re.Pattern) -> str:
    m = pattern.search(text)
    return text[max(0, m.start() - 20):m.end() + 40].replace("\n", " ")


# ----------------------------------------------------------------------- run
def check_data_files(data_files) -> list[pathlib.Path]:
    """The own-data files, absolute, each checked (exists, readable, known format, a CSV/TSV ``text``
    column); else a :class:`tagzsl.data.user_files.DataError` in one line."""
    from tagzsl.data import user_files

    try:
        checked = user_files.check([data_files] if isinstance(data_files, (str, pathlib.Path)) else list(data_files))
    except user_files.DataError as err:
        text = str(err).replace("pass --text-column NAME", "the notebooks read the column named 'text': rename yours")
        raise user_files.DataError(text.replace("pass --data FILE [FILE ...]", "pass --files FILE [FILE ...]")) from None
    return [path.resolve() for path, _ in checked]


def _relative(path: pathlib.Path, folder: pathlib.Path) -> str:
    try:
        return os.path.relpath(path, folder)
    except ValueError:   # another drive
        return str(path)


def run(only=None, quick: bool = False, mode: str | None = None, seed: int = config.DEFAULT_SEED,
        data_root=None, out_dir=None, figures_dir=None, log=print, timeout=None,
        notebooks_dir=None, data_files=None) -> list[dict]:
    """Execute the notebooks in ``mode`` ("full", "lesson" or "quick"; ``quick=True`` means
    "quick"); returns ``[{"notebook", "output", "seconds", "mode", "figures", "problems"}]``.

    Raises :class:`NotebookFailed` on the first notebook that fails (its executed copy,
    with the traceback, is kept as ``<name>.failed.ipynb``); Ctrl-C or SIGTERM raise
    :class:`tagzsl.folders.Interrupted`. ``log`` gets one line per notebook. The notebooks come
    from :func:`notebooks_folder`; ``runs/`` and ``figures/`` are beside that folder.

    ``data_files``: a person's own files (:func:`check_data_files`, before any notebook runs),
    written into each notebook's ``DATA_FILES`` parameter; the default output folder is then
    ``runs/<mode>-own/`` in every mode (the committed notebooks are never overwritten).
    """
    import nbclient
    import nbformat

    mode = mode or ("quick" if quick else "full")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    todo = notebooks(only, notebooks_dir)
    own_files = check_data_files(data_files) if data_files is not None else None
    if own_files is not None:
        unable = [p.name for p in todo if "DATA_FILES" not in parameters(nbformat.read(p, as_version=4))]
        if unable:
            raise ValueError(f"{', '.join(unable)} take(s) no DATA_FILES parameter, so cannot run on your own "
                             f"files; choose others with --only (e.g. --only 01 --only 02)")
    source_dir = todo[0].parent
    root = source_dir.parent
    in_place = mode == "full" and own_files is None
    default_out = source_dir if in_place else root / "runs" / (f"{mode}-own" if own_files is not None else mode)
    out_dir = pathlib.Path(out_dir or default_out).resolve()
    if own_files is not None and out_dir == source_dir.resolve():
        raise ValueError(f"a run on your own files does not write into {source_dir} (the committed notebooks); "
                         "pass another --out or none (runs/<mode>-own/)")
    figures_dir = pathlib.Path(figures_dir or (root / "figures" if in_place else out_dir / "figures")).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    figures_dir.mkdir(parents=True, exist_ok=True)
    env = kernel_env(data_root)
    shown_figures = (os.path.relpath(figures_dir, out_dir)
                     if figures_dir.is_relative_to(out_dir) or (out_dir.is_relative_to(root) and figures_dir.is_relative_to(root))
                     else str(figures_dir))
    replacements = machine_paths(out_dir, env, root)
    results = []
    for i, source in enumerate(todo, 1):
        out = out_dir / source.name
        start = time.perf_counter()
        nb = nbformat.read(source, as_version=4)
        values = {"MODE": mode, "SEED": int(seed), "DATA_ROOT": None, "FIGURES_DIR": shown_figures}
        if own_files is not None:
            values["DATA_FILES"] = [_relative(p, out_dir) for p in own_files]
        set_parameters(nb, values)
        nb.metadata["tagzsl"] = {"mode": mode, "seed": int(seed)}  # how this copy was executed
        if own_files is not None:
            nb.metadata["tagzsl"]["data"] = "own files"
        before = _pngs(figures_dir)
        client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                                         resources={"metadata": {"path": str(out_dir)}})
        try:
            with folders.interrupts():
                client.execute(env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        except KeyboardInterrupt:
            raise
        except Exception as err:
            # nbclient handles SIGINT/SIGTERM itself (it stops the kernel, and the cell then fails
            # with a kernel error): a signal, not a failing notebook
            if folders.received or getattr(client, "_async_cleanup_kernel_future", None) is not None:
                raise folders.Interrupted(folders.received or signal.SIGINT) from None
            failed = out.with_name(out.stem + ".failed.ipynb")
            clean_outputs(nb, replacements)
            config.atomic_write_bytes(failed, nbformat.writes(nb).encode("utf-8") + b"\n")
            detail = f"{getattr(err, 'ename', type(err).__name__)}: {getattr(err, 'evalue', '') or _last_line(err)}"
            raise NotebookFailed(f"{source.name} failed: {detail}\nexecuted copy with the traceback: {failed}") from None
        clean_outputs(nb, replacements)
        config.atomic_write_bytes(out, nbformat.writes(nb).encode("utf-8") + b"\n")
        # PNGs this notebook names and (re)wrote: another run may share the figures folder
        own = {m for c in nb.cells if c.cell_type == "code" for m in _PNG_LITERAL.findall(c.source)}
        written = sorted(name for name, stamp in _pngs(figures_dir).items()
                         if before.get(name) != stamp and (not own or name in own))
        seconds = time.perf_counter() - start
        result = {"notebook": source.name, "output": str(out), "seconds": seconds, "mode": mode,
                  "figures": written, "problems": check_outputs(out)}
        shown = os.path.relpath(out, pathlib.Path.cwd()) if out.is_relative_to(pathlib.Path.cwd()) else str(out)
        note = f", {len(result['problems'])} output problem(s)" if result["problems"] else ""
        log(f"[{i}/{len(todo)}] {source.name}: {mode} mode, {seconds:.0f} s, "
            f"{len(written)} figure(s){note} -> {shown}")
        results.append(result)
        executed.append(result)
    return results


def kernel_env(data_root=None) -> dict:
    """The kernel's environment: ours, TensorFlow's C++ log off, data roots made absolute
    (the kernel runs in the output folder) and ``data_root`` as ``$TAGZSL_DATA``."""
    env = dict(os.environ)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    for var in ("TAGZSL_DATA", "NLTK_DATA", "TAGZSL_CACHE"):
        if env.get(var):
            env[var] = os.pathsep.join(str(pathlib.Path(v).expanduser().resolve()) for v in env[var].split(os.pathsep))
    if data_root:
        env["TAGZSL_DATA"] = str(pathlib.Path(data_root).expanduser().resolve())
    return env


def _pngs(folder: pathlib.Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.glob("*.png")}


def _last_line(err) -> str:
    text = str(err).strip()
    return text.splitlines()[-1] if text else ""
