"""Labels on scatter plots that never overlap: adjustText first, then a deterministic step apart
(:func:`place_labels`); :func:`overlapping_labels` checks a drawn figure (tests use it)."""
from __future__ import annotations

import numpy as np

#: adjustText settings tried in turn until no two labels overlap
LABEL_ATTEMPTS = ({"expand": (1.2, 1.6), "force_text": (0.5, 1.0)},
                  {"expand": (1.3, 1.8), "force_text": (0.6, 1.2), "force_explode": (0.3, 1.0),
                   "iter_lim": 1000})


def place_labels(ax, texts, xy) -> None:
    """Move ``texts`` (one per point of ``xy``) so that no two overlap: adjustText first, then
    any pair it left overlapping is separated by stepping a label up or down; a grey line
    joins a moved label to its point."""
    from adjustText import adjust_text

    xy = np.asarray(xy, dtype="float64")
    pad = 0.08 * (xy.max(axis=0) - xy.min(axis=0) + 1e-9)
    ax.set_xlim(xy[:, 0].min() - pad[0], xy[:, 0].max() + pad[0])
    ax.set_ylim(xy[:, 1].min() - pad[1], xy[:, 1].max() + pad[1])
    for settings in LABEL_ATTEMPTS:
        for text, (x, y) in zip(texts, xy):
            text.set_position((x, y))
        adjust_text(texts, x=xy[:, 0], y=xy[:, 1], ax=ax, **settings)
        if not overlapping_labels(ax.figure, texts):
            break
    separate_labels(ax, texts)
    for text, (x, y) in zip(texts, xy):
        tx, ty = text.get_position()
        if np.hypot(*(ax.transData.transform((tx, ty)) - ax.transData.transform((x, y)))) > 6:
            ax.plot([x, tx], [y, ty], color="0.6", lw=0.5, zorder=1)


def separate_labels(ax, texts) -> None:
    """Step each label that overlaps an earlier one up or down (by half its height) until free."""
    fig = ax.figure
    overlapping_labels(fig, texts[:1])  # makes sure the figure has a renderer and is drawn
    renderer = fig.canvas.get_renderer()
    placed = []
    to_data = ax.transData.inverted()
    for text in texts:
        box = text.get_window_extent(renderer)
        if any(box.overlaps(b) for b in placed):
            x0, y0 = ax.transData.transform(text.get_position())
            for step in range(1, 200):
                dy = (step + 1) // 2 * (1 if step % 2 else -1) * box.height * 0.5
                moved = box.translated(0, dy)
                if not any(moved.overlaps(b) for b in placed):
                    text.set_position(to_data.transform((x0, y0 + dy)))
                    box = moved
                    break
        placed.append(box)


def overlapping_labels(fig, texts) -> list[tuple[str, str]]:
    """Pairs of ``texts`` whose drawn bounding boxes overlap (for tests and checks)."""
    if not hasattr(fig.canvas, "get_renderer"):  # a closed figure keeps a bare canvas
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    return [(a, c) for i, (a, b) in enumerate(boxes) for c, d in boxes[i + 1:] if b.overlaps(d)]
