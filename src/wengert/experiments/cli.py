"""``wengert experiment <name>``: rerun the forward-gradient paper's experiments.

Subcommands: ``beale``, ``rosenbrock``, ``mlp-timing``, ``digits``,
``linear-model``.  Each prints a Markdown table; plots go to ``--out``.
``--quick`` shrinks every experiment to a few seconds (a smoke test).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

import numpy as np

from . import digits, linear_model, mlp_timing, toy


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(t) for t in text.replace("-", ",").split(",") if t)


def _out(args: argparse.Namespace, name: str) -> str | None:
    if args.no_plot:
        return None
    os.makedirs(args.out, exist_ok=True)
    return os.path.join(args.out, name)


def _toy(args: argparse.Namespace) -> dict:
    seeds, max_iter = (2, 2500) if args.quick else (args.seeds, args.max_iter)
    r = toy.compare(args.command, seeds=seeds, max_iter=max_iter, tol=args.tol, lr=args.lr,
                    plot=_out(args, f"{args.command}.png"))
    print(f"{args.command}: start {r['start']}, lr {r['lr']:g}, minimum reached when "
          f"f - f* < {r['tol']:g}, at most {r['max_iter']} iterations\n")
    print("| method | runs reaching the minimum | diverged | iterations (median) "
          "| time (s, median) | µs per iteration |")
    print("|---|---|---|---|---|---|")
    for name, s in (("gradient descent", r["backprop"]), ("forward gradient", r["forward"])):
        its = "-" if s["iterations"] is None else f"{s['iterations']:.0f}"
        sec = "-" if s["seconds"] is None else f"{s['seconds']:.3f}"
        print(f"| {name} | {s['reached']}/{s['runs']} | {s['diverged']} | {its} | {sec} | "
              f"{s['us_per_iter']:.0f} |")
    return r


def _mlp_timing(args: argparse.Namespace) -> dict:
    sizes, batch, repeats = ((64, 128, 128, 10), 16, 5) if args.quick else (
        args.sizes, args.batch, args.repeats)
    r = mlp_timing.run(sizes=sizes, batch=batch, repeats=repeats, dtype=np.dtype(args.dtype),
                       torch=not args.no_torch, memory=not args.no_memory,
                       threads=args.threads or None)
    print(mlp_timing.format_table(r))
    return r


def _digits(args: argparse.Namespace) -> dict:
    hidden, epochs, steps = ((32,), 2, 20) if args.quick else (args.hidden, args.epochs,
                                                              args.steps)
    r = digits.run(hidden=hidden, epochs=epochs, samples=args.samples, steps=steps,
                   fg_lr=args.fg_lr, fg_schedule=args.fg_schedule,
                   fg_lr_scaling=args.fg_lr_scaling, lr=args.lr,
                   distribution=args.distribution,
                   plot=_out(args, "digits.png"), progress=None if args.progress else False)
    print(digits.format_table(r))
    return r


def _linear(args: argparse.Namespace) -> dict:
    r = linear_model.run()
    print(linear_model.format_report(r))
    return r


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="wengert experiment",
        description="Rerun the experiments of 'Gradients without Backpropagation' "
                    "(Baydin et al., 2022) with forward gradients and backprop.")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--out", default="experiment-output", help="folder for plots")
        sp.add_argument("--no-plot", action="store_true", help="skip the PNG")
        sp.add_argument("--quick", action="store_true", help="tiny sizes, a few seconds")
        sp.add_argument("--json", help="also write the results to this JSON file")

    for name in ("beale", "rosenbrock"):
        sp = sub.add_parser(name, help=f"forward gradient vs gradient descent on {name}")
        common(sp)
        sp.add_argument("--seeds", type=int, default=8, help="forward-gradient runs")
        sp.add_argument("--max-iter", type=int, default=20000)
        sp.add_argument("--tol", type=float, default=1e-4, help="f - f* counted as reached")
        sp.add_argument("--lr", type=float, default=None, help="default: the problem's own")
        sp.set_defaults(run=_toy)

    sp = sub.add_parser("mlp-timing", help="R_f and R_b of the 784-1024-1024-10 MLP")
    common(sp)
    sp.add_argument("--sizes", type=_ints, default=(784, 1024, 1024, 10))
    sp.add_argument("--batch", type=int, default=64)
    sp.add_argument("--repeats", type=int, default=50)
    sp.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    sp.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    sp.add_argument("--no-memory", action="store_true", help="skip the memory probes")
    sp.add_argument("--threads", type=int, default=1,
                    help="BLAS/OpenMP threads per implementation (0: library default)")
    sp.set_defaults(run=_mlp_timing)

    sp = sub.add_parser("digits", help="train on the 8x8 digits, backprop vs forward gradient")
    common(sp)
    sp.add_argument("--hidden", type=_ints, default=(1024, 1024))
    sp.add_argument("--epochs", type=int, default=10, help="backprop epochs")
    sp.add_argument("--lr", type=float, default=1e-3, help="Adam's, for backprop")
    sp.add_argument("--samples", type=_ints, default=(1, 4, 16), help="n_samples to try")
    sp.add_argument("--steps", type=int, default=400, help="forward-gradient steps per run")
    sp.add_argument("--fg-lr", type=float, default=5e-5,
                    help="SGD's peak rate for forward gradients with n_samples=1")
    sp.add_argument("--fg-schedule", default="cosine", choices=["cosine", "constant"])
    sp.add_argument("--fg-lr-scaling", default="linear", choices=["linear", "constant"],
                    help="linear: n_samples=k trains with k·fg_lr")
    sp.add_argument("--distribution", default="normal", choices=["normal", "rademacher"])
    sp.add_argument("--progress", action="store_true", help="tqdm bars")
    sp.set_defaults(run=_digits)

    sp = sub.add_parser("linear-model", help="the lecture's h(x) = w·x + b example")
    sp.add_argument("--json", help="also write the results to this JSON file")
    sp.set_defaults(run=_linear)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run one experiment; returns the process exit status."""
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        result = args.run(args)
    except ImportError as e:  # an optional extra is missing: say which
        print(f"error: {e}", file=sys.stderr)
        return 1
    if getattr(args, "json", None):
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2, default=str)
    if result.get("plot"):
        print(f"\nplot: {result['plot']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
