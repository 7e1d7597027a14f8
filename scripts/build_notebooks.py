"""Write the five lesson notebooks in docs/notebooks/ from the cells below.

    python scripts/build_notebooks.py           # (re)write docs/notebooks/*.ipynb
    python scripts/build_notebooks.py --check   # exit 1 if a committed notebook differs

This file is the notebooks' source: edit a lesson here and rerun it.  The
notebooks are written without outputs or execution counts, with fixed cell
ids, so their diffs stay readable; tests/notebooks/ checks that the committed
files are what this script writes, and runs every one of them on a real
Jupyter kernel.  Each lesson takes its facts and numbers from one of the seed
documents (lecture, slides, blog post, textbook chapter, paper summary); its
``assert`` cells check those numbers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "notebooks"

def setup(display: str = "display_svg", pyplot: bool = False, numpy_api: bool = True) -> str:
    """The first code cell: the imports a lesson uses (and inline plots)."""
    lines = ["%matplotlib inline"]
    if pyplot:
        lines.append("import matplotlib.pyplot as plt")
    lines += ["import numpy as np", f"from IPython.display import {display}", "",
              "import wengert"]
    if numpy_api:
        lines.append("import wengert.numpy as wnp")
    return "\n".join(lines)


def md(text: str) -> tuple[str, str]:
    return ("markdown", text.strip("\n"))


def code(text: str) -> tuple[str, str]:
    return ("code", text.strip("\n"))


# -- 1. the lecture: gradients ---------------------------------------------------------------
GRADIENTS = [
    md("""
# 1. Gradients: forward and reverse mode

A gradient tells us how a number we care about (a loss) changes when we nudge the numbers
we control (the parameters). In this notebook wengert computes gradients step by step:

1. a linear model, its computational graph with every value and adjoint, and one step of
   gradient descent;
2. why there are two modes, forward and reverse, and when each one is cheaper;
3. a small neural network as a chain of Jacobians.

Run the cells from top to bottom. Cells that start with `assert` check a number from the
worked example; if one ever fails, the lesson and the library disagree.
"""),
    code(setup(pyplot=True)),
    md("""
## A linear model, by hand and by wengert

The model is `h(x) = w·x + b`. We have one measurement, `x = 1` with target `y = 7`, and
we start from `w = 2`, `b = 3`. The loss is the squared error. Written one operation per
line, with a name for every intermediate value:

* `α = x·w`, `β = α + b`, `γ = β − y`, `L = γ²`.
"""),
    code("""
x, y = 1.0, 7.0

def loss(w, b):
    alpha = x * w
    beta = alpha + b
    gamma = beta - y
    return gamma ** 2

loss(2.0, 3.0)
"""),
    md("""
`wengert.trace` runs the function once and records each operation as a numbered
variable: the *Wengert list*. Inputs get the numbers `v₋₁, v₀`; `v₁ … v₄` are `α, β, γ`
and `L`. The table below is the forward (primal) pass.
"""),
    code("""
t = wengert.trace(loss, 2.0, 3.0)
t.primal_table()
"""),
    code("""
alpha, beta, gamma, L = (float(v.value) for v in t.intermediates)
assert (alpha, beta, gamma, L) == (2.0, 5.0, -2.0, 4.0)
"""),
    md("""
Reverse mode now walks the list backwards. It starts from `∂L/∂L = 1` and multiplies by
one local derivative per step: `∂L/∂γ = 2γ = −4`, and since `β − y`, `α + b` and `x·w`
(with `x = 1`) pass that number on unchanged, every adjoint down to `w` and `b` is `−4`.
The adjoint of a variable is written with a bar: `v̄`.
"""),
    code("""
t.reverse_table()
"""),
    code("""
sweep = t.reverse()
adjoints = [float(sweep.adjoint(v)) for v in t.variables]
assert adjoints == [-4.0, -4.0, -4.0, -4.0, -4.0, 1.0]   # w, b, α, β, γ, L
"""),
    md("""
The same trace drawn as a graph: each node shows the operation, its value (black) and,
after the reverse sweep, its adjoint (red). (Drawing needs Graphviz's `dot` program; without
it the cell shows nothing, and `t.to_dot()` still gives the graph as text.)
"""),
    code("""
display_svg(t)
"""),
    md("""
### One step of gradient descent

In practice we do not read adjoints off a table: `wengert.value_and_grad` returns the loss
and the gradient, by the same reverse sweep. A step of size 0.1 against the gradient
moves `(w, b)` from `(2, 3)` to `(2.4, 3.4)`.
"""),
    code("""
value, (dw, db) = wengert.value_and_grad(loss, argnums=(0, 1))(2.0, 3.0)
w1, b1 = 2.0 - 0.1 * dw, 3.0 - 0.1 * db
print(f"L = {value}, gradient = ({dw}, {db}), after one step: w = {w1:.1f}, b = {b1:.1f}")
"""),
    code("""
assert value == 4.0 and (dw, db) == (-4.0, -4.0)
assert np.allclose((w1, b1), (2.4, 3.4))
"""),
    md("""
The tensor API does the same thing the way PyTorch users write it: mark the parameters,
call `.backward()` on the loss, read `.grad`, update without recording.
"""),
    code("""
w = wengert.tensor(2.0, requires_grad=True)
b = wengert.tensor(3.0, requires_grad=True)
loss(w, b).backward()
with wengert.no_grad():
    w -= 0.1 * w.grad
    b -= 0.1 * b.grad
assert np.allclose((w.item(), b.item()), (2.4, 3.4))
(w.item(), b.item())
"""),
    md("""
## Forward or reverse: who pays for what

Take a function `f: ℝⁿ → ℝᵐ` and its `m × n` Jacobian.

* **Forward mode** pushes one tangent through the program alongside the values. Each pass
  gives one *column* of the Jacobian (a Jacobian-vector product), so the full Jacobian
  costs `n` passes.
* **Reverse mode** records the program once and sweeps adjoints backwards. Each sweep gives
  one *row* (a vector-Jacobian product), so the full Jacobian costs `m` sweeps.

A loss is a single number (`m = 1`) of many parameters (`n` large): one reverse sweep
gives the whole gradient. That is why training uses reverse mode.

We can count the passes: built from `jvp`, the Jacobian calls the function once per input;
built from `vjp`, it records the function once and sweeps once per output. (`wengert.jacfwd`
and `jacrev` push those `n` tangents or `m` cotangents through the program together, as one
batched pass with `vmap`: the function runs once, but the work still grows with `n` or `m`.)
"""),
    code("""
rng = np.random.default_rng(0)

def layer(n, m):
    W = rng.standard_normal((m, n)) / np.sqrt(n)
    calls = []
    def f(x):
        calls.append(1)
        h = wnp.tanh(W @ x)
        return h * wnp.sin(h)
    return f, calls

f, calls = layer(n=6, m=2)
x0 = rng.standard_normal(6)
columns = [wengert.jvp(f, (x0,), (e,))[1] for e in np.eye(6)]   # one pass per input
fwd_calls = len(calls)
calls.clear()
y0, pullback = wengert.vjp(f, x0)                                # one recording ...
rows = [pullback(e)[0] for e in np.eye(2)]                       # ... one sweep per output
rev_calls = len(calls)
J_fwd, J_rev = np.stack(columns, axis=1), np.stack(rows)
print(J_fwd.shape, "forward-mode calls:", fwd_calls, " reverse-mode calls:", rev_calls)
"""),
    code("""
assert J_fwd.shape == (2, 6) and np.allclose(J_fwd, J_rev)
assert fwd_calls == 6 and rev_calls == 1
assert np.allclose(J_fwd, wengert.jacfwd(f)(x0)) and np.allclose(J_rev, wengert.jacrev(f)(x0))
"""),
    md("""
Now the cost itself. We time both on a small `tanh` layer: first with few outputs and a
growing number of inputs, then the other way round. (Timings are live, so they wobble a
little from run to run; the trend is what matters.)
"""),
    code("""
import time


def seconds(jac, f, x, repeats=3):
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        jac(f)(x)
        best = min(best, time.perf_counter() - t0)
    return best

sizes = [1, 2, 4, 8, 16, 32]
by_n = {name: [seconds(jac, layer(n, 2)[0], np.ones(n)) for n in sizes]
        for name, jac in (("jacfwd", wengert.jacfwd), ("jacrev", wengert.jacrev))}
by_m = {name: [seconds(jac, layer(2, m)[0], np.ones(2)) for m in sizes]
        for name, jac in (("jacfwd", wengert.jacfwd), ("jacrev", wengert.jacrev))}
"""),
    code("""
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
for ax, data, label in ((axes[0], by_n, "n inputs (m = 2 outputs)"),
                        (axes[1], by_m, "m outputs (n = 2 inputs)")):
    for name, ts in data.items():
        ax.plot(sizes, [1e3 * s for s in ts], "o-", label=name)
    ax.set_xlabel(label)
    ax.grid(alpha=0.3)
    ax.legend()
axes[0].set_ylabel("time for the full Jacobian (ms)")
fig.suptitle("Forward mode pays per input, reverse mode per output")
fig.tight_layout()
"""),
    md("""
## A network is a chain of Jacobians

A feed-forward network is a composition `o = f₄(f₃(f₂(f₁(x))))`. By the chain rule its
Jacobian is the product of the layers' Jacobians, each taken at that layer's input:

`J_f(x) = J_f₄(x₄) · J_f₃(x₃) · J_f₂(x₂) · J_f₁(x)`.

Below: four layers from `ℝ³` to `ℝ²`, with hidden width 5.
"""),
    code("""
widths = [3, 5, 5, 5, 2]
Ws = [rng.standard_normal((m, n)) / np.sqrt(n) for n, m in zip(widths[:-1], widths[1:])]
layers = [lambda h, W=W: wnp.tanh(W @ h) for W in Ws[:-1]] + [lambda h: Ws[-1] @ h]

def network(x):
    for f_k in layers:
        x = f_k(x)
    return x

x_in = rng.standard_normal(3)
inputs = [x_in]
for f_k in layers[:-1]:
    inputs.append(f_k(inputs[-1]))          # x₂, x₃, x₄
jacobians = [wengert.jacobian(f_k)(x_k) for f_k, x_k in zip(layers, inputs)]
[J.shape for J in jacobians]
"""),
    code("""
J1, J2, J3, J4 = jacobians
chain = J4 @ J3 @ J2 @ J1
assert chain.shape == (2, 3)
assert np.allclose(chain, wengert.jacobian(network)(x_in))
"""),
    md("""
Nobody multiplies these matrices out in practice: they would be huge. Forward mode
multiplies from the right by a vector (`J v`, a column when `v` is a unit vector); reverse
mode multiplies from the left (`uᵀ J`, a row). Neither ever builds `J`.
"""),
    code("""
e = np.eye(3)[1]                        # second input direction
u = np.eye(2)[0]                        # first output
_, column = wengert.jvp(network, (x_in,), (e,))
_, pullback = wengert.vjp(network, x_in)
(row,) = pullback(u)
assert np.allclose(column, chain[:, 1]) and np.allclose(row, chain[0, :])
"""),
    md("""
Training adds a loss on top, `L = ½‖o − y‖²`, a single number. One reverse sweep gives
the gradient for every weight matrix at once: here we check one entry of it against a
finite difference.
"""),
    code("""
target = np.array([0.5, -1.0])

def mlp_loss(weights, x):
    h = x
    for W in weights[:-1]:
        h = wnp.tanh(W @ h)
    o = weights[-1] @ h
    return 0.5 * wnp.sum((o - target) ** 2)

grads = wengert.grad(mlp_loss)(Ws, x_in)
bumped = [W.copy() for W in Ws]
bumped[0][2, 1] += 1e-6
fd = (mlp_loss(bumped, x_in) - mlp_loss(Ws, x_in)) / 1e-6
print([g.shape for g in grads], float(grads[0][2, 1]), float(fd))
assert abs(grads[0][2, 1] - fd) < 1e-5
"""),
    md("""
**What to take away.** Reverse mode costs one sweep per output, forward mode one pass per
input; a loss has one output, so backpropagation is reverse mode. Next: notebook 2 looks
at the tables behind both modes in detail.
"""),
]

# -- 2. the slides: automatic differentiation ------------------------------------------------
AUTODIFF = [
    md("""
# 2. Automatic differentiation, one elementary operation at a time

There are three ways to get a derivative out of a computer: finite differences (numbers
only, approximate), symbolic differentiation (formulas, exact but they grow), and
automatic differentiation (AD), which applies the derivative rules to each elementary
operation *and keeps the intermediate numbers*. This notebook follows one example through
all three:

`f(x₁, x₂) = ln(x₁) + x₁·x₂ − sin(x₂)` at `(x₁, x₂) = (2, 5)`.
"""),
    code(setup()),
    code("""
def f(x1, x2):
    return wnp.log(x1) + x1 * x2 - wnp.sin(x2)

f(2.0, 5.0)
"""),
    code("""
assert abs(f(2.0, 5.0) - 11.652) < 5e-4
"""),
    md("""
## The evaluation trace

AD breaks `f` into elementary steps `v₁ … v₅`. `sorted_by_depth()` numbers them the way
textbooks do: first the operations that read only the inputs (`ln`, `×`, `sin`), then the
sums.
"""),
    code("""
t = wengert.trace(f, 2.0, 5.0).sorted_by_depth()
t.primal_table()
"""),
    code("""
values = [float(v.value) for v in t.intermediates]
assert np.allclose(values, [np.log(2), 10, np.sin(5), 10.693, 11.652], atol=5e-4)
"""),
    md("""
## Forward mode: tangents in lockstep

Give every variable a *tangent* `v̇ = ∂v/∂x₁`: start with `ẋ₁ = 1, ẋ₂ = 0` and apply the
derivative of each step as it runs (`ln` gives `v̇₋₁/v₋₁`, the product rule gives
`v̇₋₁v₀ + v̇₀v₋₁`, …). The last tangent is `∂y/∂x₁ = 5.5`. For `∂y/∂x₂` we would need a
second pass with `ẋ₂ = 1`.
"""),
    code("""
t.forward_table(wrt="x1")
"""),
    code("""
tangent_pass = t.forward(wrt="x1")
tangents = [float(tangent_pass.tangent(v)) for v in t.variables]
assert np.allclose(tangents, [1, 0, 0.5, 5, 0, 5.5, 5.5])
"""),
    md("""
## Reverse mode: adjoints, backwards

Reverse mode runs the program forward once, remembering the values, then gives every
variable an *adjoint* `v̄ = ∂y/∂v`, starting from `ȳ = 1` and going from the output back
to the inputs. The table lists one contribution per line and is read from the bottom up.
Where a variable feeds two operations (`x₁` feeds `ln` and `×`), its contributions add up.
One sweep gives **both** partial derivatives: `x̄₁ = 5.5`, `x̄₂ = 1.716`.
"""),
    code("""
t.reverse_table()
"""),
    code("""
sweep = t.reverse()
x1_bar, x2_bar = (float(sweep.adjoint(v)) for v in t.inputs)
assert x1_bar == 5.5 and abs(x2_bar - 1.716) < 5e-4
contributions = sorted(round(float(s.value), 3) for s in sweep.steps if s.kind == "contrib")
assert -0.284 in contributions and 5.0 in contributions
"""),
    md("""
The graph after the reverse sweep: values in black, adjoints in red. (The forward pass
above also left its tangents on the nodes, in blue.)
"""),
    code("""
display_svg(t)
"""),
    md("""
The tables are for reading. In code, `jvp` is forward mode and `grad` is reverse mode:
"""),
    code("""
y, y_dot = wengert.jvp(f, (2.0, 5.0), (1.0, 0.0))
g1, g2 = wengert.grad(f, argnums=(0, 1))(2.0, 5.0)
print(y, y_dot, (g1, g2))
assert abs(y - 11.652) < 5e-4 and y_dot == 5.5
assert g1 == 5.5 and abs(g2 - 1.716) < 5e-4
"""),
    md("""
## The derivative as a program

Because every step is recorded, wengert can also write the reverse sweep out as plain
NumPy code: the forward sweep, then one line per adjoint contribution. This is what a
*source transformation* tool would generate.
"""),
    code("""
src = wengert.source(f, 2.0, 5.0)
src
"""),
    code("""
f_grad = src.compile()
assert np.allclose(f_grad(2.0, 5.0), (5.5, 1.716), atol=5e-4)
assert np.allclose(f_grad(1.5, -0.5), wengert.grad(f, argnums=(0, 1))(1.5, -0.5))
"""),
    md("""
## Finite differences: two errors pulling in opposite directions

The oldest way: `(f(x + h) − f(x)) / h`. A large step `h` makes a *truncation* error (the
secant is not the tangent); a tiny step makes a *round-off* error (subtracting two nearly
equal floating-point numbers). Central differences `(f(x + h) − f(x − h)) / 2h` truncate
less. Here are the errors against the exact AD derivative `∂f/∂x₁ = 5.5`, in 32- and
64-bit floats:
"""),
    code("""
from wengert.explain import fd_study

study = fd_study(f, 2.0, 5.0, wrt=0)
study
"""),
    code("""
fig = study.plot()
"""),
    code("""
assert study.exact == 5.5
h, err = study.best("float64", "central")
assert err < 1e-9                                   # far better than float32 can do
assert study.best("float32", "central")[1] > 1e-6
big, tiny = study.errors("float64", "forward")[[0, -1]]
assert big > 1e-2 and tiny > 1e-5                   # both ends are bad: truncation, round-off
"""),
    md("""
Finite differences also need a separate evaluation per input (`n` of them for a gradient),
and even at the best step they lose digits: about 11 of float64's 16 are right here, and 5
of float32's 7.

## Symbolic differentiation and expression swell

A computer algebra system differentiates the formula instead. wengert can hand its trace
to SymPy:
"""),
    code("""
import sympy as sp

expr = t.to_sympy()
x1, x2 = sp.symbols("x1 x2")
d_expr = sp.diff(expr, x1), sp.diff(expr, x2)
expr, d_expr
"""),
    code("""
assert float(d_expr[0].subs({x1: 2, x2: 5})) == 5.5
assert abs(float(d_expr[1].subs({x1: 2, x2: 5})) - 1.716) < 5e-4
"""),
    md("""
Exact, and here the result is small. But the derivative of a composition repeats its inner
parts in every factor of the chain rule. For `k` nested layers `tanh(w·x + b)`, the
unsimplified symbolic partial derivatives grow much faster than `k`, while the AD trace of
the gradient grows by the same few operations per layer:
"""),
    code("""
from wengert.explain import swell_study

swell = swell_study(max_layers=5)
swell
"""),
    code("""
fig = swell.plot()
"""),
    code("""
rows = swell.rows
symbolic_growth = rows[-1].df_nodes / rows[0].df_nodes
ad_growth = rows[-1].grad_ops / rows[0].grad_ops
assert symbolic_growth > 3 * ad_growth                # here about 32× against 5.6×
assert all(b.grad_ops - a.grad_ops == rows[1].grad_ops - rows[0].grad_ops
           for a, b in zip(rows, rows[1:]))             # AD: linear in the layers
"""),
    md("""
**What to take away.** AD is exact (up to rounding) like symbolic differentiation and
cheap like evaluating the function, because it differentiates one elementary step at a time
and keeps the numbers instead of the formulas. Notebook 3 looks at how AD libraries are built.
"""),
]

# -- 3. the blog: what's AD? -------------------------------------------------------------------
WHATS_AD = [
    md("""
# 3. What's automatic differentiation? Inside an AD library

This notebook looks at AD from the implementer's side: how the evaluation trace, the
forward and reverse modes and the Jacobian fit together, how a library can hook into
ordinary Python code, and why ordinary Python (an `if`) is a problem for symbolic tools but
not for AD.
"""),
    code(setup()),
    md("""
## The evaluation trace, tangents and adjoints

Our function: `y = x₁x₂ + x₂ − ln(x₁)`. First just the values, at `(2, 4)`:
"""),
    code("""
def f(x1, x2):
    return x1 * x2 + x2 - wnp.log(x1)

wengert.trace(f, 2.0, 4.0).primal_table(style="blog")
"""),
    code("""
assert abs(f(2.0, 4.0) - 11.307) < 5e-4
"""),
    md("""
At `(3, −4)`, forward mode with the tangent of `x₂` set to 1 gives `∂y/∂x₂`. The `blog`
style writes the numbers into each formula:
"""),
    code("""
t = wengert.trace(f, 3.0, -4.0)
t.forward_table(wrt="x2", style="blog")
"""),
    md("""
Reverse mode, with one row per variable summing everything that flows into it: `x₁` and
`x₂` are used twice each, so their adjoints have two terms.
"""),
    code("""
t.reverse_table(style="blog")
"""),
    code("""
y, dy_dx2 = wengert.jvp(f, (3.0, -4.0), (0.0, 1.0))
g1, g2 = wengert.grad(f, argnums=(0, 1))(3.0, -4.0)
assert abs(y - (-17.10)) < 5e-3 and dy_dx2 == 4.0
assert abs(g1 - (-4.33)) < 5e-3 and g2 == 4.0
"""),
    md("""
## Operator overloading

How does `wengert.grad` see inside `f`, a plain Python function? It calls `f` with
stand-in objects ("boxes") instead of floats. Each box overloads `+`, `*`, `log`, … so
that, besides computing the value, it records the operation (reverse mode) or carries a
tangent along (forward mode). Let's look at what `f` actually receives:
"""),
    code("""
seen = []

def spy(a):
    seen.append(type(a).__name__)
    return a * a

wengert.grad(spy)(3.0)
wengert.jvp(spy, (3.0,), (1.0,))
wengert.trace(spy, 3.0)
seen
"""),
    code("""
assert seen == ["VJPBox", "JVPBox", "TraceBox"]
"""),
    md("""
Three interpreters, one function: the reverse-mode box records a graph, the forward-mode
box carries a tangent, and the trace box writes the Wengert list these notebooks display.

### Operator overloading, tested

Two small functions, differentiated in both modes. In forward mode we choose one input's
tangent; in reverse mode we get every input's adjoint at once.
"""),
    code("""
def mul_add(a, b, c):
    return a * b + c * a

def div_sub(a, b, c):
    return a / b - c

abc = (25.0, 4.0, -5.0)
print(wengert.jvp(mul_add, abc, (1.0, 0.0, 0.0)), wengert.jvp(div_sub, abc, (0.0, 1.0, 0.0)))
print(wengert.grad(mul_add, argnums=(0, 1, 2))(*abc),
      wengert.grad(div_sub, argnums=(0, 1, 2))(*abc))
"""),
    code("""
assert wengert.jvp(mul_add, abc, (1.0, 0.0, 0.0)) == (-25.0, -1.0)
assert wengert.jvp(div_sub, abc, (0.0, 1.0, 0.0)) == (11.25, -1.5625)
assert wengert.grad(mul_add, argnums=(0, 1, 2))(*abc) == (-1.0, 25.0, 25.0)
assert wengert.grad(div_sub, argnums=(0, 1, 2))(*abc) == (0.25, -1.5625, -1.0)
"""),
    md("""
With the PyTorch-style tensor API, gradients *accumulate* in `.grad` across `backward()`
calls. Forget to zero them, and the second function's gradient is added to the first's:
"""),
    code("""
a, b, c = (wengert.tensor(v, requires_grad=True) for v in abc)
mul_add(a, b, c).backward()
div_sub(a, b, c).backward()                 # no zero_grad() in between
accumulated = (a.grad.item(), b.grad.item(), c.grad.item())
assert accumulated == (-1.0 + 0.25, 25.0 - 1.5625, 25.0 - 1.0)
accumulated
"""),
    md("""
## Source transformation

The other way to build AD is to transform the program's *text*: read `f`, write a new
function `df` that computes the derivative. Tools such as Tangent do this for Python.
wengert is an operator-overloading library, but it can write out the derivative program of
the path it recorded:
"""),
    code("""
def g(x):
    a = x * x
    b = x * a
    c = a + b
    return c

src = wengert.source(g, 3.0)
src
"""),
    code("""
g_grad = src.compile()
for x in (-2.0, 0.5, 3.0):
    assert np.isclose(g_grad(x), 2 * x + 3 * x * x)       # d/dx (x² + x³)
"""),
    md("""
The generated code has the same shape a source transformer produces: a forward sweep, a
seed `ȳ = 1`, then the reverse of each line, in reverse order, adding a contribution to
`x_bar` for each of the three places `x` is used. One difference: wengert writes the code
for the path taken at the traced point, while a true source transformer also transforms
the `if`s and loops.

## The Jacobian: columns in forward mode, rows in reverse

For `f: ℝⁿ → ℝᵐ`, one forward pass with the tangent `eᵢ` (the `i`-th unit vector) gives
column `i` of the Jacobian; one reverse sweep with the cotangent `eⱼ` gives row `j`. Here is
`a·b + c` for vectors `a, b` and a scalar `c`, differentiated in `b`:
"""),
    code("""
a = np.array([1.0, 2.0, 3.0, 4.0])
b = np.array([5.0, 6.0, 7.0, 8.0])
c = 1.0

def fn(b):
    return a * b + c

out = fn(b)
columns = [wengert.jvp(fn, (b,), (e_i,))[1] for e_i in np.eye(4)]
J_forward = np.stack(columns, axis=1)
_, pullback = wengert.vjp(fn, b)
J_reverse = np.stack([pullback(e_j)[0] for e_j in np.eye(4)])
out, J_forward
"""),
    code("""
assert np.array_equal(out, [6.0, 13.0, 22.0, 33.0])
assert np.array_equal(J_forward, np.diag(a)) and np.array_equal(J_reverse, np.diag(a))
assert np.array_equal(wengert.jacfwd(fn)(b), np.diag(a))
"""),
    md("""
## Numeric and symbolic differentiation, and where they stop

Finite differences: the derivative of `cos` at `x = 2` with a big step `h = 0.5`, in
32-bit floats. The central difference comes closer to the true slope `−sin 2` than the
forward and backward ones:
"""),
    code("""
from wengert.explain import fd_study

study = fd_study(wnp.cos, 2.0, steps=[0.5], dtypes=["float32"],
                 methods=["forward", "backward", "central"], name="cos")
fig = study.plot_secants(h=0.5, dtype="float32")
"""),
    code("""
errors = {m: float(study.errors("float32", m)[0]) for m in ("forward", "backward", "central")}
assert errors["central"] < errors["forward"] and errors["central"] < errors["backward"]
assert np.isclose(study.exact, -np.sin(2.0))
errors
"""),
    md("""
Symbolic differentiation works on formulas. A function with an `if` on its input is not a
formula: SymPy cannot decide `x > 2` for a symbol `x` and gives up.
"""),
    code("""
import sympy as sp


def h(x):
    if x > 2:
        return x * 2 + 5
    return x / 2 + 5

try:
    sp.diff(h(sp.Symbol("x")))
    sympy_error = None
except TypeError as err:
    sympy_error = str(err)
sympy_error
"""),
    code("""
assert sympy_error is not None and "truth value" in sympy_error
"""),
    md("""
AD runs the function on numbers, so the `if` just takes one branch, and the derivative is
the derivative of that branch:
"""),
    code("""
slopes = {x: wengert.grad(h)(x) for x in (1.0, 3.0)}
assert slopes == {1.0: 0.5, 3.0: 2.0}
slopes
"""),
    md("""
The trace shows the path taken, including the comparison (drawn dashed: it has no
derivative):
"""),
    code("""
display_svg(wengert.trace(h, 3.0))
"""),
    md("""
**What to take away.** An AD library is a set of elementary operations with known
derivatives plus a way to run user code on them: overloaded operators (wengert, PyTorch,
autograd) or a program transformation (Tangent). Notebook 4 uses that to differentiate
through loops and to cut the graph on purpose.
"""),
]

# -- 4. the textbook: control flow and detach -------------------------------------------------
CONTROL_FLOW = [
    md("""
# 4. AD with control flow, detached values and non-scalar outputs

Deep learning code is not one formula: it has loops, branches, values we want to treat as
constants, and outputs that are vectors. This notebook shows how reverse-mode AD handles
each of them.
"""),
    code(setup()),
    md("""
## A first gradient

`y = 2 x·x` for `x = (1, 2, 3, 4)`. Its gradient is `4x`; the gradient of `sum(x)` is all
ones.
"""),
    code("""
x = np.arange(1.0, 5.0)
grad_dot = wengert.grad(lambda x: 2 * wnp.dot(x, x))(x)
grad_sum = wengert.grad(wnp.sum)(x)
grad_dot, grad_sum
"""),
    code("""
assert np.array_equal(grad_dot, 4 * x) and np.array_equal(grad_dot, [4, 8, 12, 16])
assert np.array_equal(grad_sum, np.ones(4))
"""),
    md("""
## Non-scalar outputs

`y = x * x` is a vector. Its derivative is a Jacobian (here diagonal), but in training we
usually want something the shape of `x`: the sum over outputs of their gradients, i.e. the
gradient of `sum(y)`. That is a vector-Jacobian product with a vector of ones, which is
what `elementwise_grad` and PyTorch's `backward(gradient=ones)` compute.
"""),
    code("""
square = lambda x: x * x
J = wengert.jacobian(square)(x)
summed = wengert.elementwise_grad(square)(x)
J, summed
"""),
    code("""
assert np.array_equal(J, np.diag(2 * x))
assert np.array_equal(summed, 2 * x) and np.array_equal(summed, J.sum(axis=0))
assert np.array_equal(wengert.grad(lambda x: wnp.sum(x * x))(x), 2 * x)
"""),
    code("""
xt = wengert.tensor(x, requires_grad=True)
(xt * xt).backward(gradient=np.ones(4))
assert np.array_equal(xt.grad.numpy(), 2 * x)
xt.grad.numpy()
"""),
    md("""
## Detaching: treating a value as a constant

Let `y = x * x` and `z = x * y = x³`. Its derivative is `3x²`. Suppose we want only the
*direct* influence of `x` on `z`, treating `y` as a given number `u`. `stop_gradient`
(PyTorch: `.detach()`) gives a value with the same numbers and no history; derivatives do
not flow through it. Then `∂z/∂x = u = x²`.
"""),
    code("""
def z(x):
    u = wengert.stop_gradient(x * x)
    return x * u

dz = wengert.grad(lambda x: wnp.sum(z(x)))(x)
dz
"""),
    code("""
assert np.array_equal(dz, x * x)              # u, not 3x²
assert not np.array_equal(dz, 3 * x * x)
"""),
    md("""
In the graph at a single point `x = 2`, the detached node is drawn dashed, and its
adjoint stays 0: the gradient is `u = 4`, not `3·2² = 12`.
"""),
    code("""
t = wengert.trace(z, 2.0)
t.reverse()
display_svg(t)
"""),
    code("""
(dz_at_2,) = t.reverse().gradient
assert float(dz_at_2) == 4.0
"""),
    md("""
The same with tensors. Detaching `y` cuts only the path from `z` back through `y`; the
graph that computed `y` is still there, so we can still ask for `∂y/∂x = 2x`.
"""),
    code("""
xt = wengert.tensor(x, requires_grad=True)
y = xt * xt
u = y.detach()
(xt * u).sum().backward()
after_detach = xt.grad.numpy().copy()
xt.zero_grad()
y.sum().backward()
assert np.array_equal(after_detach, x * x) and np.array_equal(xt.grad.numpy(), 2 * x)
after_detach, xt.grad.numpy()
"""),
    md("""
## Control flow

Here the number of loop iterations and the branch both depend on the input `a`:
double `b = 2a` until it is at least 1000 in size, then keep it if positive, else
multiply by 100. Whatever path is taken, `f(a) = k·a` for some constant `k`, so the
derivative must be `f(a)/a`.
"""),
    code("""
def f(a):
    b = 2 * a
    while wnp.abs(b) < 1000:
        b = 2 * b
    c = b if b > 0 else 100 * b
    return c

rng = np.random.default_rng(0)
points = rng.standard_normal(6)
[(float(a), float(f(a)), float(wengert.grad(f)(a))) for a in points[:3]]
"""),
    code("""
for a in points:
    assert np.isclose(wengert.grad(f)(a), f(a) / a, rtol=1e-14)
    assert np.isclose(wengert.jvp(f, (a,), (1.0,))[1], f(a) / a, rtol=1e-14)
"""),
    md("""
AD never sees the loop: it sees the operations the loop happened to run. The trace at
one point lists them, including each comparison the loop made (comparisons have no
derivative, shown as 0):
"""),
    code("""
t = wengert.trace(f, 150.0)
print(len(t), "recorded operations")
t.forward_table()
"""),
    code("""
doublings = sum(1 for e in t if e.prim.name == "multiply")
assert 2 * 150 * 2 ** (doublings - 1) >= 1000 > 2 * 150 * 2 ** (doublings - 2)
assert float(t.forward().output_tangents[0]) == float(f(150.0) / 150.0)
"""),
    md("""
**What to take away.** Reverse-mode AD differentiates the path a program actually took,
so loops and branches cost nothing extra to support; `stop_gradient`/`detach` cuts the
graph on purpose; and for vector outputs `grad` of the sum gives the summed gradients.
Notebook 5 asks whether we need the reverse pass at all.
"""),
]

# -- 5. the paper: gradients without backpropagation ----------------------------------------
FORWARD_GRADIENTS = [
    md("""
# 5. Gradients without backpropagation

Reverse mode gives the whole gradient of a loss in one sweep, but it has to store the
forward pass and run a second, backward one. Forward mode needs neither, yet it gives only
a *directional* derivative `∇f·v` per pass. The *forward gradient* (Baydin et al., 2022)
turns that single number into a gradient estimate:

`g(θ) = (∇f(θ)·v) v`, with a random direction `v ~ N(0, I)`.

Because `E[v vᵀ] = I`, the average of `g` is exactly `∇f`: an unbiased estimate from one
forward pass. This notebook tests the idea on two classic test functions, measures what it
costs on the paper's network, and trains a small classifier both ways.
"""),
    code(setup("Markdown, display", pyplot=True, numpy_api=False)),
    md("""
## One forward pass, one directional derivative

Set the inputs' tangents to a direction `v` and a single forward pass carries `∇f·v` to the
output. Here is that pass for Rosenbrock's function `f(x, y) = (1 − x)² + 100(y − x²)²` at
`(−0.5, 0.8)`, with `v = (0.3, −1.2)`:
"""),
    code("""
def rosen(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2

t = wengert.trace(rosen, -0.5, 0.8)
v = (0.3, -1.2)
t.forward_table(tangent=v)
"""),
    code("""
directional = float(t.forward(tangent=v).output_tangents[0])
gx, gy = wengert.grad(rosen, argnums=(0, 1))(-0.5, 0.8)
assert np.allclose((gx, gy), (107, 110))
assert np.isclose(directional, gx * v[0] + gy * v[1]) and np.isclose(directional, -99.9)
"""),
    md("""
As a program, that pass is straight-line code: each value is followed by its tangent, and
nothing has to be kept for a backward sweep.
"""),
    code("""
wengert.source(rosen, -0.5, 0.8, mode="forward")
"""),
    md("""
## An unbiased estimate

Multiplying `∇f·v` by `v` gives one forward gradient. Average many of them at the same point
and compare with the true gradient from reverse mode:
"""),
    code("""
from wengert.experiments.toy import PROBLEMS, descend, rosenbrock

point = np.array([-0.5, 0.8])
true = wengert.grad(rosenbrock)(point)
rng = np.random.default_rng(0)
samples = np.array([wengert.forward_grad(rosenbrock, point, rng=rng)[1] for _ in range(4000)])
true, samples.mean(axis=0), samples[:3]
"""),
    code("""
# the standard error of the mean is about ‖∇f‖·√(2/4000) ≈ 0.02‖∇f‖
assert samples.shape == (4000, 2)
assert np.allclose(samples.mean(axis=0), true, atol=0.1 * np.linalg.norm(true))
"""),
    md("""
One sample alone is noisy (look at the first three above): each one points along a random
`v`, scaled by how much `f` changes in that direction.

## Descending Beale and Rosenbrock

Both methods start at the same point with the same learning rate. Gradient descent uses
the exact gradient; forward-gradient descent uses one random direction per step. We stop
when `f` is within `1e-4` of its minimum, 0.
"""),
    code("""
runs = {}
for name in ("beale", "rosenbrock"):
    p = PROBLEMS[name]
    runs[name] = {
        "gradient descent": descend(p.f, p.start, p.lr, method="backprop",
                                    max_iter=20000, tol=1e-4),
        "forward gradient": descend(p.f, p.start, p.lr, method="forward",
                                    max_iter=20000, tol=1e-4, seed=0),
    }
{name: {m: (r.iterations, f"{1e6 * r.total_seconds / len(r.values):.0f} µs/step")
        for m, r in rs.items()} for name, rs in runs.items()}
"""),
    code("""
for name, rs in runs.items():
    for method, r in rs.items():
        assert r.iterations is not None and not r.diverged, (name, method)
        assert np.allclose(r.points[-1], PROBLEMS[name].minimum, atol=0.05)
"""),
    code("""
from matplotlib.colors import LogNorm

fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
for ax, (name, rs) in zip(axes, runs.items()):
    p = PROBLEMS[name]
    gx, gy = np.meshgrid(np.linspace(*p.xlim, 200), np.linspace(*p.ylim, 200))
    zz = p.f(np.stack([gx, gy])) + 1e-12
    ax.contour(gx, gy, zz, levels=np.logspace(-4, np.log10(zz.max()), 25), norm=LogNorm(),
               cmap="viridis", linewidths=0.5)
    ax.plot(*rs["forward gradient"].points.T, color="tab:blue", lw=0.8,
            label="forward gradient")
    ax.plot(*rs["gradient descent"].points.T, color="tab:red", ls="--", lw=1.5,
            label="gradient descent")
    ax.plot(*p.start, "ko", label="start")
    ax.plot(*p.minimum, "k*", ms=10, label="minimum")
    ax.set_title(f"{name}, lr = {p.lr:g}")
    ax.legend(fontsize=8, loc="lower right")
fig.tight_layout()
"""),
    md("""
Both reach the minimum in a similar number of steps (the first number above). The second is
the time per step: a forward-gradient step records no graph and runs no backward sweep, so
on programs this small it is usually the cheaper one, as the paper found. In the plot, the
forward-gradient path wanders early, where the gradient is large (the estimate's noise is
proportional to `‖∇f‖`), and settles down as it approaches the minimum.

## What a step costs: `R_f` and `R_b`

The paper compares the time of a forward-gradient step and of a backprop step with the
time of evaluating the loss alone: `R_f = t(forward gradient) / t(loss)` and
`R_b = t(backprop) / t(loss)`. It reports `R_f = 2.46` and `R_b = 4.17` on a GPU. Here we
measure them live for the paper's network (784-1024-1024-10, batch 64, float32) on this
machine's CPU, with a handful of repeats, so expect some noise.
"""),
    code("""
from wengert.experiments.mlp_timing import PAPER, time_side_by_side, wengert_steps

steps = wengert_steps((784, 1024, 1024, 10), batch=64, dtype=np.float32, seed=0)
ms = {k: 1e3 * v for k, v in time_side_by_side(steps, repeats=5, warmup=1).items()}
R_f, R_b = ms["forward"] / ms["loss"], ms["backprop"] / ms["loss"]
R_f_no_draw = (ms["forward"] - ms["sample"]) / ms["loss"]
display(Markdown(
    "| | loss | draw v | forward gradient | backprop | R_f | R_f without drawing v | R_b |\\n"
    "|---|---|---|---|---|---|---|---|\\n"
    f"| this CPU (ms) | {ms['loss']:.1f} | {ms['sample']:.1f} | {ms['forward']:.1f} | "
    f"{ms['backprop']:.1f} | **{R_f:.2f}** | {R_f_no_draw:.2f} | **{R_b:.2f}** |\\n"
    f"| paper (GPU) | | | | | **{PAPER['R_f']}** | | **{PAPER['R_b']}** |"))
"""),
    code("""
assert PAPER == {"R_f": 2.46, "R_b": 4.17}
assert all(np.isfinite(v) and v > 0 for v in ms.values())
"""),
    md("""
On a CPU the picture differs from the paper's GPU. Drawing 1.86 million random numbers for
`v` costs as much as several forward passes, and without the draw the directional
derivative costs about what backprop does (both add about the same multiply-adds to the
loss). A careful, single-threaded measurement on a 2-core CPU (`docs/experiments.md`) found
a forward-gradient step 3.4–5.1× as expensive as a backprop step; the live numbers above
are noisier, but usually tell the same story.

## Training on handwritten digits, both ways

scikit-learn's 8×8 digits, a small network 64-64-10, trained with backprop (Adam) and
with forward gradients (SGD with momentum, one or four random directions per step). Small
enough to run in seconds.
"""),
    code("""
from wengert import nn, optim
from wengert.data import load_digits
from wengert.train import fit

digits = load_digits(seed=0, dtype=np.float32)
net = nn.MLP([64, 64, 10], dtype=np.float32)
params0 = net.init(0)
data = (digits.x_train, digits.y_train)

def loss(params, x, y):
    return nn.softmax_cross_entropy(net(params, x), y)

def test_accuracy(params):
    return {"accuracy": nn.accuracy(net(params, digits.x_test), digits.y_test)}

_, backprop = fit(loss, params0, optim.Adam(lr=1e-2), data, epochs=5,
                  evaluate=test_accuracy, eval_every=25, progress=False)
forward = {}
for k in (1, 4):
    _, forward[k] = fit(loss, params0, optim.SGD(lr=optim.cosine_decay(2e-3 * k, 1000),
                                                 momentum=0.9),
                        data, epochs=10**6, max_steps=1000, gradient="forward", n_samples=k,
                        evaluate=test_accuracy, eval_every=50, progress=False)
final = {"backprop": backprop.evals[-1]["accuracy"],
         **{f"forward, {k} direction(s)": h.evals[-1]["accuracy"] for k, h in forward.items()}}
final
"""),
    code("""
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
for label, h in [("backprop (Adam)", backprop)] + [
        (f"forward gradient, {k} direction(s)", h) for k, h in forward.items()]:
    steps_, times, acc = h.metric("accuracy")
    axes[0].plot(steps_, acc, ".-", label=label)
    axes[1].plot(times, acc, ".-", label=label)
axes[0].set_xlabel("training step")
axes[1].set_xlabel("training time (s)")
axes[0].set_ylabel("test accuracy")
for ax in axes:
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
fig.tight_layout()
"""),
    code("""
assert final["backprop"] > 0.9
assert all(acc > 0.3 for name, acc in final.items() if name != "backprop")   # chance: 0.1
assert final["forward, 4 direction(s)"] > final["forward, 1 direction(s)"]
"""),
    md("""
Forward gradients do learn, well above the 10% of guessing, and more directions per step
help; but backprop gets further in fewer steps. The estimate's variance grows with the
number of parameters, so each forward-gradient step is mostly noise for a large network.

**What to take away.** A forward gradient is an unbiased gradient estimate from a single
forward pass, with no stored graph and no backward sweep. Whether that is faster depends on
the hardware and on the cost of drawing random directions; how well it trains depends on
the number of parameters.
"""),
]

LESSONS = {
    "01-gradients.ipynb": GRADIENTS,
    "02-automatic-differentiation.ipynb": AUTODIFF,
    "03-whats-automatic-differentiation.ipynb": WHATS_AD,
    "04-control-flow-and-detach.ipynb": CONTROL_FLOW,
    "05-gradients-without-backpropagation.ipynb": FORWARD_GRADIENTS,
}

METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def notebook(name: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    """One lesson as a notebook without outputs, its cell ids fixed by position."""
    stem = name.split("-")[0]
    nb = nbformat.v4.new_notebook(metadata=METADATA)
    for i, (kind, text) in enumerate(cells):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(text, id=f"nb{stem}-{i:02d}"))
    nbformat.validate(nb)
    return nb


def build() -> dict[str, nbformat.NotebookNode]:
    return {name: notebook(name, cells) for name, cells in LESSONS.items()}


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    OUT.mkdir(parents=True, exist_ok=True)
    for name, nb in build().items():
        path = OUT / name
        text = render(nb)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(name)
        if not check:
            path.write_text(text, encoding="utf-8")
    if check and stale:
        print("out of date (run python scripts/build_notebooks.py): " + ", ".join(stale),
              file=sys.stderr)
        return 1
    for name in stale:
        print(f"wrote {OUT / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
