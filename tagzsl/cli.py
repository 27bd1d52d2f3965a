"""The ``tagzsl`` command line: ``reproduce`` (run the notebooks), ``train`` and ``recommend``."""
from __future__ import annotations

import argparse
import sys

from tagzsl import config


def cmd_reproduce(args) -> int:
    from tagzsl import reproduce

    try:
        results = reproduce.run(only=args.only, quick=args.quick, seed=args.seed,
                                data_root=args.data, out_dir=args.out)
    except (reproduce.NotebookFailed, ValueError) as err:
        print(f"tagzsl reproduce: {err}", file=sys.stderr)
        return 1
    total = sum(r["seconds"] for r in results)
    print(f"{len(results)} notebook(s) executed in {total:.0f} s")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tagzsl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser("reproduce", help="execute the numbered notebooks in order")
    rep.add_argument("--quick", action="store_true",
                     help="smoke run: small models, few epochs; outputs go to runs/quick/")
    rep.add_argument("--only", action="append",
                     help="run only notebooks whose name contains this (repeatable), e.g. 01")
    rep.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    rep.add_argument("--data", help="local corpus root (default: $TAGZSL_DATA, else download)")
    rep.add_argument("--out", help="where executed notebooks go (default: in place, or runs/quick/)")
    rep.set_defaults(func=cmd_reproduce)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
