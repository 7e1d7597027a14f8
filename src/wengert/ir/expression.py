"""Formulas typed by a user, turned into functions without ever evaluating the text.

:func:`parse_expression` reads a formula such as ``ln(x1) + x1*x2 - sin(x2)``
with :mod:`ast` and accepts only an allowlist: numbers, variable names,
``+ - * / **``, unary minus and plus, parentheses, and calls of a fixed set
of named functions.  Everything else (attributes, indexing, imports, dunder
names, lambdas, keyword arguments, huge exponents, very long or deeply
nested input) is refused with :class:`ExpressionError` before anything runs.
The accepted tree is compiled into nested closures over ``wengert.numpy``;
``eval``/``exec`` are never used.
"""

from __future__ import annotations

import ast
import inspect
import math
import re
from collections.abc import Callable
from typing import Any

from .. import numpy as wnp

MAX_LENGTH = 1000
MAX_DEPTH = 60
MAX_EXPONENT = 100
MAX_NUMBER = 1e300


def _sigmoid(x: Any) -> Any:
    return 1.0 / (1.0 + wnp.exp(-x))


FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "sin": wnp.sin, "cos": wnp.cos, "tan": wnp.tan, "exp": wnp.exp, "log": wnp.log,
    "ln": wnp.log, "log2": wnp.log2, "log10": wnp.log10, "log1p": wnp.log1p,
    "expm1": wnp.expm1, "sqrt": wnp.sqrt, "tanh": wnp.tanh, "sinh": wnp.sinh,
    "cosh": wnp.cosh, "asin": wnp.arcsin, "acos": wnp.arccos, "atan": wnp.arctan,
    "arcsin": wnp.arcsin, "arccos": wnp.arccos, "arctan": wnp.arctan, "abs": wnp.absolute,
    "square": wnp.square, "sigmoid": _sigmoid,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
ALLOWED = (
    "Allowed: numbers, variable names (letters, digits and _, not starting with _), "
    "+ - * / ** and unary minus, parentheses, the constants pi and e, and the functions "
    + ", ".join(sorted(FUNCTIONS)) + f" (one argument each). Exponents must be at most "
    f"{MAX_EXPONENT} in size and not themselves powers; at most {MAX_LENGTH} characters."
)
_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: wnp.add, ast.Sub: wnp.subtract, ast.Mult: wnp.multiply,
    ast.Div: wnp.divide, ast.Pow: wnp.power,
}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_REFUSED = {
    ast.Attribute: "attribute access (a.b)", ast.Subscript: "indexing (a[b])",
    ast.Lambda: "lambda", ast.Compare: "comparisons", ast.BoolOp: "and/or",
    ast.IfExp: "if-else", ast.Starred: "*arguments", ast.JoinedStr: "f-strings",
}


class ExpressionError(ValueError):
    """A formula outside the allowlist; the message says what is allowed."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem}. {ALLOWED}")
        self.problem = problem


class Expression:
    """A checked formula: its variables (in order of appearance) and a function of them."""

    def __init__(self, text: str, tree: ast.expr) -> None:
        self.text = text
        self.variables: list[str] = []
        self._fn = self._compile(tree)

    def function(self, order: list[str] | None = None, name: str = "f") -> Callable[..., Any]:
        """A function of the variables (in ``order``) with a real signature,
        so a trace names its inputs after them."""
        order = list(order or self.variables)
        missing = [v for v in self.variables if v not in order]
        if missing:
            raise ValueError(f"no value for {', '.join(missing)}")
        body = self._fn

        def f(*args: Any) -> Any:
            return body(dict(zip(order, args)))

        f.__name__ = name
        f.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(v, inspect.Parameter.POSITIONAL_OR_KEYWORD) for v in order])
        return f

    def __call__(self, **values: Any) -> Any:
        return self._fn(values)

    # -- compiling the checked tree into closures ----------------------------------------
    def _compile(self, node: ast.expr) -> Callable[[dict], Any]:
        if isinstance(node, ast.Constant):
            c = float(node.value)  # type: ignore[arg-type]  # checked to be a number
            return lambda env: c
        if isinstance(node, ast.Name):
            if node.id in CONSTANTS:
                c = CONSTANTS[node.id]
                return lambda env: c
            if node.id not in self.variables:
                self.variables.append(node.id)
            name = node.id
            return lambda env: env[name]
        if isinstance(node, ast.UnaryOp):
            inner = self._compile(node.operand)
            if isinstance(node.op, ast.USub):
                return lambda env: wnp.negative(inner(env))
            return inner
        if isinstance(node, ast.BinOp):
            left, right = self._compile(node.left), self._compile(node.right)
            op = _BINOPS[type(node.op)]
            return lambda env: op(left(env), right(env))
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        fn, arg = FUNCTIONS[node.func.id], self._compile(node.args[0])
        return lambda env: fn(arg(env))


def parse_expression(text: str) -> Expression:
    """Check ``text`` against the allowlist and compile it (nothing is evaluated)."""
    if not isinstance(text, str):
        raise ExpressionError("the expression must be text")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is too long ({len(text)} characters)")
    if not text.strip():
        raise ExpressionError("the expression is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as err:
        raise ExpressionError(f"not a valid formula ({type(err).__name__}: "
                              f"{getattr(err, 'msg', err)})") from None
    _check(tree.body, 0)
    return Expression(text, tree.body)


def _check(node: ast.AST, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ExpressionError(f"the formula is nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, ast.Constant):
        _check_number(node.value)
    elif isinstance(node, ast.Name):
        _check_name(node.id, called=False)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise ExpressionError(f"the operator {type(node.op).__name__} is not allowed")
        _check(node.operand, depth + 1)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            raise ExpressionError(f"the operator {_op_name(node.op)} is not allowed")
        if isinstance(node.op, ast.Pow):
            _check_exponent(node.right)
        _check(node.left, depth + 1)
        _check(node.right, depth + 1)
    elif isinstance(node, ast.Call):
        _check_call(node, depth)
    else:
        what = _REFUSED.get(type(node), f"{type(node).__name__} syntax")
        raise ExpressionError(f"{what} is not allowed")


def _check_number(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ExpressionError(f"the constant {value!r} is not a number")
    if isinstance(value, int) and value.bit_length() > 1000 or abs(value) > MAX_NUMBER:
        raise ExpressionError("a number in the formula is too large")


def _check_name(name: str, called: bool) -> None:
    if name.startswith("_") or not _NAME.fullmatch(name):
        raise ExpressionError(f"the name {name!r} is not allowed (no leading underscore, "
                              f"no dunder names)")
    if called and name not in FUNCTIONS:
        raise ExpressionError(f"{name!r} is not one of the allowed functions")
    if not called and name in FUNCTIONS:
        raise ExpressionError(f"{name!r} is a function: call it, as in {name}(x)")


def _check_call(node: ast.Call, depth: int) -> None:
    if not isinstance(node.func, ast.Name):
        raise ExpressionError("only the named functions can be called (no attribute calls)")
    _check_name(node.func.id, called=True)
    if node.keywords:
        raise ExpressionError("keyword arguments are not allowed")
    if len(node.args) != 1:
        raise ExpressionError(f"{node.func.id} takes exactly one argument")
    _check(node.args[0], depth + 1)


def _check_exponent(node: ast.AST) -> None:
    for sub in ast.walk(node):
        if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Pow):
            raise ExpressionError("nested powers such as 9**9**9 are not allowed")
    value = node.operand if isinstance(node, ast.UnaryOp) else node
    if isinstance(value, ast.Constant) and isinstance(value.value, (int, float)) and \
            not isinstance(value.value, bool) and abs(value.value) > MAX_EXPONENT:
        raise ExpressionError(f"the exponent {value.value!r} is too large "
                              f"(at most {MAX_EXPONENT} in size)")


def _op_name(op: ast.AST) -> str:
    names: dict[type, str] = {
        ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitXor: "^",
        ast.BitAnd: "&", ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>"}
    return names.get(type(op), type(op).__name__)
