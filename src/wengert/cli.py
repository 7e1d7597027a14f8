"""The ``wengert`` command: see automatic differentiation at work.

    wengert demo
    wengert trace "ln(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5 --mode forward --wrt x1
    wengert trace "ln(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5 --mode reverse --graph out.svg
    wengert trace "x1*x2 + x2 - ln(x1)" --at x1=3 x2=-4 --mode reverse --style blog
    wengert trace "tanh(w*x + b)" --at w=0.5 x=2 b=0.1 --source
    wengert fd "cos(x)" --at x=2 --plot out.png
    wengert swell --layers 5 --plot swell.png
    wengert experiment ...

Formulas are parsed against an allowlist (:mod:`wengert.ir.expression`) and
never evaluated as Python.  Bad usage exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PROG = "wengert"
SEED = "ln(x1) + x1*x2 - sin(x2)"
SEED_AT = {"x1": 2.0, "x2": 5.0}


# -- argument parsing --------------------------------------------------------------------
def _assignment(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        return name.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number (in {text!r})") from None


def _add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("text", "markdown", "html"), default="text",
                   help="output format (default: text)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="See automatic differentiation at work: evaluation traces, "
        "tables, graphs, derivative source code, finite-difference and swell studies.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    demo = sub.add_parser("demo", help="the seed example in both modes, with its graph",
                          description=f"Differentiate f(x1, x2) = {SEED} at x1 = 2, x2 = 5 in "
                          "forward and reverse mode: value, gradient, tables and graph.")
    demo.add_argument("--graph", default="wengert-demo.svg", metavar="PATH",
                      help="where to draw the graph (.svg, .png, .pdf or .dot; "
                      "default: wengert-demo.svg)")
    demo.add_argument("--no-graph", action="store_true", help="do not draw the graph")
    demo.add_argument("--ascii", action="store_true", help="ASCII instead of Unicode")
    demo.add_argument("--notebook", metavar="DIR", help="instead, copy the five lesson "
                      "notebooks into DIR (kept if already there), to open with Jupyter")
    _add_format(demo)

    tr = sub.add_parser("trace", help="evaluation trace, tables, graph and source of a formula",
                        description="Record a formula's evaluation trace (Wengert list) and "
                        "show it as tables, a graph, or the derivative's source code.")
    tr.add_argument("expression", help=f'a formula such as "{SEED}"')
    tr.add_argument("--at", nargs="+", type=_assignment, required=True, metavar="NAME=VALUE",
                    help="the point, one NAME=VALUE per variable (inputs are numbered in "
                    "this order)")
    tr.add_argument("--mode", choices=("primal", "forward", "reverse"), default="primal",
                    help="primal trace only, or with the tangent / adjoint trace")
    tr.add_argument("--wrt", metavar="NAME", help="forward mode: the input whose tangent is 1")
    tr.add_argument("--tangent", nargs="+", type=_assignment, metavar="NAME=VALUE",
                    help="forward mode: a tangent for every input instead of --wrt")
    tr.add_argument("--style", choices=("slides", "blog"), default="slides",
                    help="slides: one adjoint contribution per line (v̄ += …); blog: the "
                    "numbers written into each formula, one adjoint row per variable")
    tr.add_argument("--order", choices=("depth", "program"), default="depth",
                    help="number equations by distance from the inputs, as the literature "
                    "does (default), or in Python's evaluation order")
    tr.add_argument("--graph", metavar="PATH", help="also draw the graph (.svg/.png/.pdf/.dot)")
    tr.add_argument("--source", action="store_true",
                    help="print the derivative as NumPy source code (reverse unless "
                    "--mode forward)")
    tr.add_argument("--ascii", action="store_true", help="ASCII instead of Unicode")
    tr.add_argument("--jit", action="store_true",
                    help="also print the program wengert.jit optimises and generates from "
                    "the trace (of the derivative too, with --mode forward/reverse)")
    _add_format(tr)

    fd = sub.add_parser("fd", help="finite-difference errors against the AD derivative",
                        description="Tabulate forward and central difference errors over "
                        "steps 1e-1 … 1e-12 in float32 and float64 against AD.")
    fd.add_argument("expression", help='a formula such as "cos(x)"')
    fd.add_argument("--at", nargs="+", type=_assignment, required=True, metavar="NAME=VALUE")
    fd.add_argument("--wrt", metavar="NAME", help="the variable to differentiate "
                    "(default: the first)")
    fd.add_argument("--plot", metavar="PATH", help="log-log error plot (needs matplotlib)")
    fd.add_argument("--plot-secants", metavar="PATH",
                    help="the function with its tangent and secant lines (h = 0.5, float32)")
    _add_format(fd)

    sw = sub.add_parser("swell", help="expression swell: SymPy derivative vs AD trace sizes",
                        description="Compare the size of SymPy's unsimplified derivatives "
                        "with the AD trace for nested tanh(w*x + b) layers (needs sympy).")
    sw.add_argument("--layers", type=int, default=5, help="up to this many layers (1–8)")
    sw.add_argument("--activation", choices=("tanh", "exp"), default="tanh",
                    help="tanh, or tanh written with exponentials as in the blog")
    sw.add_argument("--plot", metavar="PATH", help="plot the sizes (needs matplotlib)")
    _add_format(sw)

    sub.add_parser("experiment", add_help=False, help="run experiments "
                   "(wengert experiment --help)")
    for p in (demo, tr, fd, sw):
        p.set_defaults(subparser=p)
    return parser


# -- commands ----------------------------------------------------------------------------
def _function(parser: argparse.ArgumentParser, text: str, at: list[tuple[str, float]]
              ) -> tuple[Any, list[float]]:
    from .ir.expression import ExpressionError, parse_expression
    try:
        expr = parse_expression(text)
    except ExpressionError as err:
        parser.error(str(err))
    names = [n for n, _ in at]
    if len(set(names)) != len(names):
        parser.error("--at names a variable twice")
    missing = [v for v in expr.variables if v not in names]
    extra = [n for n in names if n not in expr.variables]
    if missing or extra:
        parser.error(f"--at must give exactly the formula's variables "
                     f"({', '.join(expr.variables) or 'none'}); "
                     + (f"missing {', '.join(missing)}" if missing else f"unknown "
                        f"{', '.join(extra)}"))
    return expr.function(names), [v for _, v in at]


def _draw(t: Any, path: str) -> int:
    from .ir.graph import GraphvizNotFoundError
    try:
        t.render(path)
    except GraphvizNotFoundError as err:
        print(f"{PROG}: {err}", file=sys.stderr)
        return 1
    print(f"graph written to {path}", file=sys.stderr)
    return 0


def _show(table: Any, args: argparse.Namespace) -> None:
    print(table.render(args.format, unicode=False if args.ascii else None))


def cmd_trace(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from .ir import trace
    f, point = _function(parser, args.expression, args.at)
    t = trace(f, *point)
    if args.order == "depth":
        t = t.sorted_by_depth()
    if args.mode != "forward" and (args.wrt or args.tangent):
        parser.error("--wrt and --tangent go with --mode forward")
    if args.wrt and args.tangent:
        parser.error("give --wrt or --tangent, not both")
    if args.format == "text":
        print(f"f({', '.join(str(v.label) for v in t.inputs)}) = {args.expression}\n")
    if args.mode == "primal":
        table = t.primal_table(style=args.style)
    elif args.mode == "forward":
        table = t.forward_table(**_direction(parser, t, args), style=args.style)
    else:
        table = t.reverse_table(style=args.style)
    _show(table, args)
    if args.source:
        print()
        print(t.source(mode="forward" if args.mode == "forward" else "reverse"))
    if args.jit:
        from .transforms.jit import jit_report
        direction = _direction(parser, t, args) if args.mode == "forward" else {}
        print()
        print(jit_report(f, point, args.mode, _tangents(t, direction)))
    return _draw(t, args.graph) if args.graph else 0


def _tangents(t: Any, direction: dict) -> tuple | None:
    """--wrt/--tangent as one tangent per input (None: the first input's)."""
    if "tangent" in direction:
        return tuple(direction["tangent"])
    if "wrt" in direction:
        return tuple(1.0 if v is t.input(direction["wrt"]) else 0.0 for v in t.inputs)
    return None


def _direction(parser: argparse.ArgumentParser, t: Any, args: argparse.Namespace) -> dict:
    labels = [v.label for v in t.inputs]
    if args.tangent:
        given = dict(args.tangent)
        if sorted(given) != sorted(labels):
            parser.error(f"--tangent needs one value for each of {', '.join(labels)}")
        return {"tangent": tuple(given[n] for n in labels)}
    wrt = args.wrt or labels[0]
    if wrt not in labels:
        parser.error(f"--wrt {wrt}: not a variable of the formula ({', '.join(labels)})")
    return {"wrt": wrt}


def cmd_fd(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from .explain.fd import fd_study
    f, point = _function(parser, args.expression, args.at)
    names = [n for n, _ in args.at]
    wrt = args.wrt or names[0]
    if wrt not in names:
        parser.error(f"--wrt {wrt}: not a variable of the formula ({', '.join(names)})")
    study = fd_study(f, *point, wrt=names.index(wrt), name=args.expression)
    print(study.to_text() if args.format == "text" else study.to_markdown()
          if args.format == "markdown" else study.to_html())
    return _plots([(study.plot, args.plot), (study.plot_secants, args.plot_secants)])


def _plots(jobs: list) -> int:
    jobs = [(fn, path) for fn, path in jobs if path]
    if not jobs:
        return 0
    try:
        import matplotlib
        matplotlib.use("Agg")  # files only: never open a window
    except ImportError:
        print(f"{PROG}: plots need matplotlib: pip install matplotlib", file=sys.stderr)
        return 1
    for fn, path in jobs:
        fn(path)
        print(f"plot written to {path}", file=sys.stderr)
    return 0


def cmd_swell(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if not 1 <= args.layers <= 8 or (args.activation == "exp" and args.layers > 5):
        parser.error("--layers must be 1–8 (1–5 with --activation exp, whose symbolic "
                     "derivative grows too fast beyond that)")
    try:
        from .explain.swell import swell_study
        study = swell_study(args.layers, args.activation)
    except ImportError as err:
        print(f"{PROG} swell: {err}", file=sys.stderr)
        return 1
    print(study.to_text() if args.format == "text" else study.to_markdown()
          if args.format == "markdown" else study.to_html())
    return _plots([(study.plot, args.plot)])


def cmd_demo(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.notebook:
        return _copy_notebooks(parser, args.notebook)
    import numpy as np

    from . import numpy as wnp
    from .ir import trace
    from .transforms import grad, jvp

    def f(x1: Any, x2: Any) -> Any:
        return wnp.log(x1) + x1 * x2 - wnp.sin(x2)

    x = (SEED_AT["x1"], SEED_AT["x2"])
    value, g = f(*x), grad(f, argnums=(0, 1))(*x)
    fwd = [jvp(f, x, tuple(np.eye(2)[i]))[1] for i in range(2)]
    print(f"f(x1, x2) = {SEED}   at x1 = 2, x2 = 5\n")
    print(f"value                                      {float(value):.6f}")
    print(f"gradient, reverse mode (one sweep)         ({float(g[0]):.6f}, {float(g[1]):.6f})")
    print(f"gradient, forward mode (a sweep per input) ({float(fwd[0]):.6f}, "
          f"{float(fwd[1]):.6f})\n")
    t = trace(f, *x).sorted_by_depth()
    _show(t.forward_table(wrt="x1"), args)
    print()
    _show(t.reverse_table(), args)
    print()
    print(t.source(mode="reverse"))
    if args.no_graph:
        return 0
    if _draw(t, args.graph) != 0:  # no Graphviz: leave the DOT text instead
        path = str(Path(args.graph).with_suffix(".dot"))
        t.render(path)
        print(f"wrote the graph's DOT text to {path} instead", file=sys.stderr)
    return 0


def _copy_notebooks(parser: argparse.ArgumentParser, dest: str) -> int:
    from .lessons import copy_notebooks
    try:
        copied = copy_notebooks(dest)
    except NotADirectoryError as err:
        parser.error(f"--notebook: {err}")
    except OSError as err:  # no notebooks installed, no permission, disk full ...
        print(f"{PROG} demo --notebook: {err}", file=sys.stderr)
        return 1
    for path, new in copied:
        print(f"{'copied' if new else 'kept (already there)':22} {path}")
    print(f"\nopen them with:  jupyter lab {dest}   (or: jupyter notebook {dest})")
    return 0


def cmd_experiment(argv: list[str]) -> int:
    try:
        mod = importlib.import_module("wengert.experiments.cli")
    except ModuleNotFoundError as err:
        if err.name not in ("wengert.experiments", "wengert.experiments.cli"):
            raise
        print(f"{PROG} experiment: the experiments module (wengert.experiments.cli) is not "
              f"available in this installation of wengert", file=sys.stderr)
        return 1
    return int(mod.main(argv) or 0)


COMMANDS = {"trace": cmd_trace, "fd": cmd_fd, "swell": cmd_swell, "demo": cmd_demo}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wengert`` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "experiment":
        return cmd_experiment(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    return COMMANDS[args.command](args.subparser, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
