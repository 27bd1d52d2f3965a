"""tagzsl.experiments.zero_shot_ood_report: protocols sized by mode, tables without NaN, verdicts
that say "tied" inside the uncertainty (issue 23)."""
import numpy as np
import pandas as pd
import pytest

from tagzsl.experiments import zero_shot_ood_report as report


def frame_of(seed=0):
    """Sources 'a' (6 hashtags x 12 tweets), 'b' (3 x 12: not eligible), 'c' (6 x 15: the largest)."""
    rng = np.random.default_rng(seed)
    rows = [("a", f"h{i}") for i in range(6) for _ in range(12)]
    rows += [("b", f"h{i}") for i in (0, 6, 7) for _ in range(12)]
    rows += [("c", f"h{i}") for i in range(2, 8) for _ in range(15)]
    rows = [rows[i] for i in rng.permutation(len(rows))]
    return pd.DataFrame({"source": [s for s, _ in rows], "hashtag": [t for _, t in rows]})


def test_protocols_hold_out_the_largest_sources_and_refuse_one_source():
    frame = frame_of()
    every = report.make_protocols(frame, 1, n_in_domain=0)
    assert [p.source for p in every.out_of_domain] == ["a", "c"] and set(every.skipped) == {"b"}
    one = report.make_protocols(frame, 1, n_sources=1, n_in_domain=0)
    assert [p.source for p in one.out_of_domain] == ["c"] and one.out_of_domain[0].index == 0
    assert "not held out in this run" in one.skipped["a"]
    assert any("skipped b" in line for line in report.describe(one))
    own = frame.assign(source="own")
    with pytest.raises(ValueError, match="at least two sources; this corpus has 1 \\(own\\)"):
        report.make_protocols(own, 1)
    lines = []
    settings = type("S", (), {"ood_sources": 1, "ood_in_domain": 1, "ood_dem_epochs": 1})()
    assert report.section(own, None, settings, 1, log=lines.append) is None
    assert len(lines) == 1 and lines[0].startswith("out of domain skipped: ")


def ranks_with(hit1, n, n_unseen=10, seed=0):
    """Ranks of n tweets of which round(hit1% of n) rank their hashtag first, the rest second or worse."""
    rng = np.random.default_rng(seed)
    ranks = rng.integers(2, n_unseen + 1, n).astype("float64")
    ranks[:int(round(hit1 * n / 100))] = 1
    return ranks


def rows_of(spec, n=1000):
    """One partition per protocol; spec: {(protocol, method, correction): hit@1 %}."""
    out = []
    for (protocol, method, correction), h in spec.items():
        ranks = ranks_with(h, n)
        out.append({"protocol": protocol, "partition": 0, "split": "without x" if protocol == report.OUT else "40/10",
                    "method": method, "correction": correction, "n_unseen": 10, "n_test": n, "ranks": ranks,
                    **{f"hit@{k}": 100 * float(np.mean(ranks <= k)) for k in report.KS},
                    report.HUB: 50.0, "N2 skew": np.nan if method == "random" else 0.5,
                    **({"choice": "normalise"} if correction == "chosen" else {})})
    return pd.DataFrame(out)


def test_verdicts_say_tied_inside_the_interval_and_above_only_when_clear():
    rows = rows_of({(report.OUT, "random", "none"): 10.0, (report.OUT, "ConSE", "none"): 11.0,
                    (report.OUT, "ConSE", "chosen"): 30.0, (report.OUT, "ESZSL", "none"): 3.0,
                    (report.IN, "random", "none"): 10.0, (report.IN, "ConSE", "none"): 11.5,
                    (report.IN, "ConSE", "chosen"): 45.0})
    lines = report.verdicts(rows)
    text = "\n".join(lines)
    line = next(ln for ln in lines if ln.startswith("  ConSE, none:"))
    assert line.endswith("tied with random")                    # 11.0 [9.2, 13.1] holds random's 10
    assert next(ln for ln in lines if ln.startswith("  ConSE, chosen:")).endswith("above random")
    assert next(ln for ln in lines if ln.startswith("  ESZSL, none:")).endswith("below random")
    assert "best at least twice random: yes (30.0 vs 20.0 [" in text
    assert "  ConSE, none: 11.5 in vs 11.0 out: tied" in text
    assert "  ConSE, chosen: 45.0 in vs 30.0 out: lower out of domain" in text
    assert "does not hold" not in text and "nan" not in text.lower()
    near = report.verdicts(rows_of({(report.OUT, "random", "none"): 10.0, (report.OUT, "DEM", "chosen"): 21.0}))
    assert any(ln.startswith("best at least twice random: tied (21.0 vs 20.0") for ln in near)
    assert near[-1] == "in domain vs out of domain: no in-domain partition in this run"


def test_intervals_over_few_partitions_use_students_t():
    """Over 3 partitions the 95% half-width is t(0.975, 2) = 4.30 standard errors, not 1.96: a
    ranker at 12 ± 2 (sd) over 3 partitions is tied with 8, which the normal interval called clear."""
    m, low, high = report.mean_interval([10.0, 12.0, 14.0])
    half = 4.302653 * 2.0 / np.sqrt(3)
    assert m == 12.0 and low == pytest.approx(12.0 - half, abs=1e-4) and high == pytest.approx(12.0 + half, abs=1e-4)
    assert report._judge((m, low, high), (8.0, 8.0, 8.0)) == "tied"          # 1.96 SE gave [9.7, 14.3]: "above"
    m5, low5, high5 = report.mean_interval([10.0, 11.0, 12.0, 13.0, 14.0])
    assert high5 - m5 == pytest.approx(2.776445 * np.std([10, 11, 12, 13, 14], ddof=1) / np.sqrt(5), abs=1e-4)


def test_goals_judge_the_best_with_its_interval_and_say_when_there_is_none():
    rows = rows_of({(report.OUT, "random", "none"): 10.0, (report.OUT, "ConSE", "chosen"): 21.0})
    best = report.goals(rows)[-1]
    assert "tied with (its interval holds 2x chance) the 2x goal" in best and "ConSE" in best
    clear = report.goals(rows_of({(report.OUT, "random", "none"): 10.0, (report.OUT, "ConSE", "chosen"): 40.0}))
    assert "(meets the 2x goal)" in clear[-1]
    none = report.goals(rows_of({(report.OUT, "random", "none"): 10.0, (report.OUT, "ConSE", "none"): 30.0}))
    assert none[-1] == "  no corrected (chosen) ranker in this run: the goals are not judged"
    assert not any("every method above chance" in ln for ln in none)


def test_tables_are_percent_with_dashes_and_no_nan():
    rows = rows_of({(p, m, c): 20.0 for p in (report.IN, report.OUT)
                    for m, c in (("random", "none"), (report.BASELINE, "none"), ("ESZSL", "none"),
                                 ("ESZSL", "centre"), ("ESZSL", "chosen"))})
    tables = [report.hit_table(rows), report.hubness_table(rows), report.chosen_table(rows),
              report.per_source(rows), report.summary(rows)]
    for t in tables:
        assert "nan" not in t.to_string().lower() and "<NA>" not in t.to_string()
    hits = tables[0]
    assert hits.loc[(report.OUT, "random"), ("chosen", "hit@1")] == "–"
    assert hits.loc[(report.OUT, "ESZSL"), ("chosen", "hit@1")].startswith(" 20.0 [")
    assert tables[4].loc[(report.IN, "random", "none"), "N2 skew"] == "–"
    assert tables[2].loc[(report.OUT, "ESZSL")].iloc[0] == "normalise x1"
