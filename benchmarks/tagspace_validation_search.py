"""Validation-only search for TagSpace/WSABIE settings at d = 64 (the test split is never scored).

Usage: nice python benchmarks/tagspace_validation_search.py [--wsabie-epochs 16] CONFIG...
where each CONFIG is ``name:key=value,key=value`` of ``tagzsl.tagspace.train`` TagSpace arguments
(e.g. ``base:learning_rate=0.001`` or ``tok:token_dropout=0.4,epochs=16``) over notebook 04's full
settings (``tagzsl.experiments.tagspace.FULL``). Prints, per model, the best validation epoch and
its P@1 / R@10 (percent) / mean rank. Seed ``config.DEFAULT_SEED`` unless ``--seed``, the notebook's
corpus; the WSABIE that initialises every TagSpace is trained first (``--wsabie-*`` options,
default the settings picked on validation).
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from tagzsl import corpus as corpus_mod, tagspace as ts  # noqa: E402
from tagzsl.config import DEFAULT_SEED, data_root  # noqa: E402
from tagzsl.experiments import tagspace as xt  # noqa: E402

S = xt.FULL


def best(history):
    r = ts.best_epoch(history)
    return (f"best epoch {r['epoch']}/{len(history)}  val P@1 {r['P@1']:.2f}  R@10 {r['R@10']:.2f}  "
            f"mean rank {r['mean_rank']:.1f}  sum {r['score']:.2f}")


def parse(value):
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return {"True": True, "False": False}.get(value, value)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("configs", nargs="*")
    ap.add_argument("--dim", type=int, default=S.dims[0])
    ap.add_argument("--wsabie-epochs", type=int, default=S.wsabie_epochs)
    ap.add_argument("--wsabie-lr", type=float, default=S.wsabie_lr)
    ap.add_argument("--wsabie-token-dropout", type=float, default=S.wsabie_token_dropout)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args()
    prep = corpus_mod.prepare(root=data_root(), seed=DEFAULT_SEED)
    corpus = xt.build_corpus(prep.clean, min_count=S.min_count, seed=DEFAULT_SEED)
    encoder = ts.Encoder().fit(corpus.train["tokens"], corpus.tags)
    common = dict(encoder=encoder, seed=args.seed)
    wsabie = ts.train("wsabie", corpus, S.training("wsabie", args.dim, learning_rate=args.wsabie_lr,
                                                   token_dropout=args.wsabie_token_dropout,
                                                   epochs=args.wsabie_epochs), **common)
    print(f"WSABIE d={args.dim} lr={args.wsabie_lr} token_dropout={args.wsabie_token_dropout} seed={args.seed}: "
          f"{best(wsabie.history)}  ({wsabie.seconds:.0f} s)", flush=True)
    print("  per epoch:", [(r["epoch"], round(r["score"], 2)) for r in wsabie.history], flush=True)
    for spec in args.configs:
        name, _, rest = spec.partition(":")
        kw = {k: parse(v) for k, v in (item.split("=") for item in rest.split(",") if item)}
        start = time.perf_counter()
        t = ts.train("tagspace", corpus, S.training("tagspace", args.dim, **kw), init_from=wsabie, **common)
        print(f"TagSpace {name} {kw}: {best(t.history)}  ({time.perf_counter() - start:.0f} s)", flush=True)
        print("  per epoch:", [(r["epoch"], round(r["score"], 2)) for r in t.history], flush=True)


if __name__ == "__main__":
    main()
