"""Small helpers shared by the rule families."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.primitive import Primitive
from ..core.tracing import Box, contains_box, unbox

_registry: dict[str, Primitive] = {}


def defprim(name: str, impl: Callable[..., Any], **kw: Any) -> Primitive:
    """Create a primitive and register it under ``name`` (one per name)."""
    if name in _registry:
        raise ValueError(f"primitive {name!r} is defined twice")
    p = Primitive(name, impl, **kw)
    _registry[name] = p
    return p


def exporter(names: list[str], namespace: dict) -> Callable[..., Any]:
    """The decorator a rule family uses to list a function in ``wengert.numpy``.

    ``export(fn, name=None)`` adds it to the family's ``__all__`` (``names``)
    and module namespace under ``name`` (default ``fn.__name__``), with
    NumPy's docstring when it has none of its own.
    """
    def export(fn: Any, name: str | None = None) -> Any:
        name = name or fn.__name__
        # A primitive's own docstring is in its instance dict (the class has one too).
        own = fn.__dict__.get("__doc__") if isinstance(fn, Primitive) else fn.__doc__
        if own is None:
            fn.__doc__ = getattr(getattr(np, name, None), "__doc__", None)
        namespace[name] = fn
        names.append(name)
        return fn
    return export


def all_primitives() -> dict[str, Primitive]:
    """Every primitive defined by wengert's rule families, by name."""
    return dict(_registry)


def shape(x: Any) -> tuple:
    try:
        return x.shape
    except AttributeError:
        if type(x) in _PY_DTYPES:
            return ()
        if type(x) in (list, tuple) and contains_box(x):  # read as the array it spells
            return (len(x),) + (shape(x[0]) if len(x) else ())
        return np.shape(x)


def ndim(x: Any) -> int:
    return len(shape(x))


def dtype(x: Any) -> Any:
    try:
        return x.dtype
    except AttributeError:
        if type(x) in (list, tuple) and contains_box(x):
            return np.result_type(*[dtype(e) for e in x])
        return _PY_DTYPES.get(type(x)) or np.result_type(x)


_PY_DTYPES = {float: np.dtype(np.float64), int: np.dtype(np.int64),
              complex: np.dtype(np.complex128), bool: np.dtype(np.bool_)}


def is_complex(x: Any) -> bool:
    return dtype(x).kind == "c"


_REAL_SCALARS = frozenset({float, np.float64})


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum the cotangent ``g`` of a broadcast result back to the shape of ``x``."""
    tg = type(g)
    if tg is np.ndarray:  # the common cases first: nothing to do, or a plain sum
        if type(x) is np.ndarray:
            xs = x.shape
            if g.shape == xs:
                if g.dtype is x.dtype or x.dtype.kind == "c" or g.dtype.kind != "c":
                    return g
            elif x.dtype.kind == "c" or g.dtype.kind != "c":
                return _plain_unbroadcast(g, xs)
    elif tg in _REAL_SCALARS and type(x) in _REAL_SCALARS:
        return g
    xs = shape(x)
    gs = shape(g)
    if gs != xs:
        lead = len(gs) - len(xs)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, d in enumerate(xs) if d == 1 and gs[lead + i] != 1)
        if axes:
            g = _prims["sum"](g, axis=axes, keepdims=False)
        if shape(g) != xs:
            g = _prims["reshape"](g, shape=xs)
    if dtype(g).kind == "c" and dtype(x).kind != "c":
        g = _prims["real"](g)
    return g


_prims = _registry  # rule families refer to each other's primitives by name


def _plain_unbroadcast(g: np.ndarray, xs: tuple) -> Any:
    """unbroadcast of a plain array: NumPy's own sum and reshape, no dispatch."""
    gs = g.shape
    lead = len(gs) - len(xs)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(xs) if d == 1 and gs[lead + i] != 1)
    if axes:
        g = np.add.reduce(g, axes)
    return g if g.shape == xs else g.reshape(xs)


def broadcast_tangent(t: Any, ans: Any) -> Any:
    """A tangent contribution broadcast to the shape of the answer."""
    if type(t) is np.ndarray and type(ans) is np.ndarray and t.shape == ans.shape:
        return t
    if shape(t) == shape(ans):
        return t
    return _prims["broadcast_to"](t, shape=shape(ans))


def zeros_like(x: Any) -> Any:
    v = unbox(x)  # the shape is the example's (a batch box leaves out its batch axis)
    return np.zeros(shape(x) if isinstance(x, Box) else np.shape(v), dtype=np.result_type(v))


def normalize_axis(axis: Any, nd: int) -> tuple[int, ...] | None:
    """``axis`` as a sorted tuple of non-negative ints (``None`` stays ``None``)."""
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        axes = tuple(int(a) for a in axis)
    else:
        axes = (int(axis),)
    out = []
    for a in axes:
        if not -nd <= a < max(nd, 1):
            raise np.exceptions.AxisError(a, nd)
        out.append(a % nd if nd else 0)
    return tuple(sorted(out))


def is_box(x: Any) -> bool:
    return isinstance(x, Box)


# -- batching (vmap) helpers ----------------------------------------------------------
# A batching rule gets the values and their batch axes (``dims``: an int, or None for an
# unbatched value) and returns ``(out, out_dim)``; see core/primitive.py.

def batch_size(args: Any, dims: Any) -> int:
    for a, d in zip(args, dims):
        if d is not None:
            return shape(a)[d]
    raise ValueError("batching rule called without a batched argument")


def moveaxis(x: Any, src: int, dst: int) -> Any:
    """``x`` with axis ``src`` moved to ``dst`` (a transpose primitive, or nothing)."""
    nd = ndim(x)
    src, dst = src % nd, dst % nd
    if src == dst:
        return x
    perm = [i for i in range(nd) if i != src]
    perm.insert(dst, src)
    return _prims["transpose"](x, axes=tuple(perm))


def to_front(x: Any, d: int | None, size: int | None = None) -> Any:
    """``x`` with its batch axis first; an unbatched ``x`` broadcast to ``size`` examples
    when ``size`` is given (else left as it is)."""
    if d is None:
        if size is None:
            return x
        return _prims["broadcast_to"](x, shape=(size,) + shape(x))
    return moveaxis(x, d, 0) if d else x


def map_stacked(fn: Callable[[Any], Any], x: Any) -> Any:
    """``fn`` of ``x``'s value, a constant (no derivative flows through it), for a ``fn``
    on plain arrays that treats leading axes as a stack of independent inputs; under
    ``vmap`` it runs once on the whole batch, the batch axis moved first."""
    from ..core.batching import BatchBox, batched_value
    v = batched_value(x)
    if not isinstance(v, BatchBox):
        return fn(np.asarray(v))
    return BatchBox(map_stacked(fn, to_front(v._value, v._bdim)), v._level, 0, v._size)


def all_front(args: Any, dims: Any) -> list:
    """Every argument with a batch axis first (unbatched ones broadcast)."""
    size = batch_size(args, dims)
    return [to_front(a, d, size) for a, d in zip(args, dims)]


def _expand_at(x: Any, pos: int, count: int = 1) -> Any:
    s = shape(x)
    new = s[:pos] + (1,) * count + s[pos:]
    if type(x) is np.ndarray:
        return x.reshape(new)
    return _prims["reshape"](x, shape=new)


def align(args: Any, dims: Any, core: Any = None) -> tuple[list, int]:
    """Arguments laid out so that NumPy's broadcasting batches them: every batched one
    with its batch axis at the same position ``out_dim``, of the example's broadcast
    leading dims ``core[i]`` trailing axes of argument i are its own (core dims: 0 for
    elementwise, 2 for stacked matrices).  Returns (args, out_dim)."""
    core = core or [0] * len(args)
    lead = [ndim(a) - (d is not None) - c for a, d, c in zip(args, dims, core)]
    nd = max(lead)
    batched = [d for d in dims if d is not None]
    d0 = batched[0]
    # Fast path: the batched arguments agree and need no move; an unbatched one gets a
    # unit axis where the batch axis falls in its shape.
    if all(d == d0 for d in batched) and all(
            lead_i == nd for lead_i, d in zip(lead, dims) if d is not None) and d0 <= nd:
        out = []
        for a, d, lead_i in zip(args, dims, lead):
            if d is None:
                pos = d0 - (nd - lead_i)
                if pos > 0:  # the batch axis falls inside its leading dims
                    a = _expand_at(a, pos)
            out.append(a)
        return out, d0
    out = []
    for a, d, lead_i in zip(args, dims, lead):
        if d is not None:
            a = moveaxis(a, d, 0)
            if lead_i < nd:
                a = _expand_at(a, 1, nd - lead_i)
        out.append(a)
    return out, 0


def elementwise_batch(prim: Primitive) -> Callable[..., Any]:
    """The batching rule of an elementwise primitive: align the batch axes, call it."""
    def rule(args: Any, dims: Any, **params: Any) -> tuple:
        if len(args) == 1:
            return prim(args[0], **params), dims[0]
        aligned, out_dim = align(args, dims)
        return prim(*aligned, **params), out_dim
    rule.__name__ = f"batch_{prim.name}"
    return rule


def batch_front(prim: Primitive, shift: Callable[..., dict] | None = None) -> Callable[..., Any]:
    """A rule for a primitive of one batched operand (the first): its batch axis moved
    first, the parameters adjusted by ``shift(params, example_ndim)``, answer batched at 0."""
    def rule(args: Any, dims: Any, **params: Any) -> tuple:
        if any(d is not None for d in dims[1:]):
            return loop_batch(prim, args, dims, batch_size(args, dims), params)
        x = to_front(args[0], dims[0])
        if shift is not None:
            params = shift(params, ndim(x) - 1)
        return prim(x, *args[1:], **params), 0
    return rule


def shift_axis(name: str = "axis", none_means_all: bool = True) -> Callable[[dict, int], dict]:
    """``shift`` for ``batch_front``: the axis parameter(s) moved past the batch axis."""
    def shift(params: dict, nd: int) -> dict:
        params = dict(params)
        axis = params.get(name)
        if axis is None:
            if none_means_all:
                params[name] = tuple(range(1, nd + 1))
            return params
        if isinstance(axis, (tuple, list)):
            params[name] = type(axis)(int(a) % max(nd, 1) + 1 for a in axis)
        else:
            params[name] = int(axis) % max(nd, 1) + 1
        return params
    return shift


def loop_batch(prim: Primitive, args: Any, dims: Any, size: int, params: dict) -> tuple:
    """Run ``prim`` once per example and stack the answers (batch axis 0)."""
    outs = []
    for i in range(size):
        ex = [a if d is None else _prims["getitem"](a, idx=(slice(None),) * d + (i,))
              for a, d in zip(args, dims)]
        outs.append(prim(*ex, **params))
    from .shape import stack
    if prim.multiple_results:
        return tuple(stack([o[k] for o in outs]) for k in range(len(outs[0]))), 0
    return stack(outs), 0


def _index_example(x: Any, d: int, i: int) -> Any:
    idx = (slice(None),) * d + (i,)
    return x[idx] if type(x) is np.ndarray else _prims["getitem"](x, idx=idx)


def _stack_tree(outs: list, level: int, size: int) -> Any:
    """Per-example answers (pytrees) stacked into batch boxes of ``level``."""
    from ..core.batching import BatchBox
    from ..core.tree import tree_flatten
    from .shape import stack
    leaves = [tree_flatten(o)[0] for o in outs]
    treedef = tree_flatten(outs[0])[1]
    stacked = []
    for k in range(len(leaves[0])):
        col = [lv[k] for lv in leaves]
        if all(not isinstance(c, Box) for c in col):
            value = np.stack([np.asarray(c) for c in col])
        else:
            value = stack(col)
        stacked.append(BatchBox(value, level, 0, size))
    return treedef.unflatten(stacked)


def _install_batching_hooks() -> None:
    from ..core.batching import hooks
    hooks["elementwise"] = elementwise_batch
    hooks["loop"] = loop_batch
    hooks["index"] = _index_example
    hooks["stack_tree"] = _stack_tree


_install_batching_hooks()


def stacked_batch(prim: Primitive, core: tuple[int, ...]) -> Callable[..., Any]:
    """The rule of a primitive on stacks (NumPy's ``...``): argument i has ``core[i]``
    trailing axes of its own (2 for a matrix); the batch axis becomes one more stack axis."""
    def rule(args: Any, dims: Any, **params: Any) -> tuple:
        if len(args) == 1:
            return prim(to_front(args[0], dims[0]), **params), 0
        aligned, out_dim = align(args, dims, list(core))
        return prim(*aligned, **params), out_dim
    rule.__name__ = f"batch_{prim.name}"
    return rule
