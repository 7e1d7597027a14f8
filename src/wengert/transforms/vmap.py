"""``vmap``: a function of one example made a function of a batch.

``vmap`` opens a new level and wraps each mapped input in a :class:`BatchBox` that
remembers where its batch axis is; every primitive then runs its batching rule once on
the whole batch instead of once per example.  Outputs get their batch axis moved to
``out_axes``; an output that does not depend on a mapped input is broadcast.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.batching import BatchBox, level_names
from ..core.tracing import Box, new_level
from ..core.tree import _node_type, tree_flatten
from ..rules._util import moveaxis
from ..rules.shape import broadcast_to, expand_dims


def _name(f: Any) -> str:
    return getattr(f, "__name__", type(f).__name__)


def _prefix_leaves(prefix: Any, tree: Any, what: str, fname: str,
                   n_leaves: int | None = None) -> list:
    """The axis for every leaf of ``tree``, from ``prefix`` (an int or None applies to a
    whole subtree; containers must match ``tree``'s, as JAX's pytree prefixes)."""
    if prefix is None or isinstance(prefix, (int, np.integer)):
        return [prefix] * (len(tree_flatten(tree)[0]) if n_leaves is None else n_leaves)
    nt, nt_tree = _node_type(prefix), _node_type(tree)
    if nt is None:
        raise TypeError(f"vmap({fname}): {what} entries must be ints, None or containers of "
                        f"them, got {prefix!r}")
    if nt_tree is None or nt[0] is not nt_tree[0]:
        raise ValueError(f"vmap({fname}): {what}={prefix!r} does not match the structure "
                         f"of the values it describes ({type(tree).__name__})")
    p_children, p_aux = nt[1].flatten(prefix)
    t_children, t_aux = nt_tree[1].flatten(tree)
    if len(p_children) != len(t_children) or p_aux != t_aux:
        raise ValueError(f"vmap({fname}): {what} has {len(p_children)} entries "
                         f"{'' if p_aux is None else p_aux}, but the values have "
                         f"{len(t_children)} {'' if t_aux is None else t_aux}")
    out: list = []
    for p, t in zip(p_children, t_children):
        out.extend(_prefix_leaves(p, t, what, fname))
    return out


def _shape(x: Any) -> tuple:
    return tuple(np.shape(x))


def vmap(f: Callable[..., Any], in_axes: Any = 0, out_axes: Any = 0,
         axis_size: int | None = None) -> Callable[..., Any]:
    """Vectorise ``f`` over a batch axis of its arguments (JAX's ``vmap``).

    ``in_axes``: for each positional argument, the axis to map over (negative counts
    from the end), or ``None`` for an argument shared by every example; an int or None
    applies to all arguments, and a tuple/list/dict gives one entry per argument (pytree
    prefixes, as in JAX).  ``out_axes``: where the batch axis goes in each output (same
    form).  ``axis_size`` gives the batch size when no argument is mapped.  Keyword
    arguments are mapped over their first axis, as in JAX.

    >>> per_example_grads = vmap(grad(loss), in_axes=(None, 0, 0))(params, X, Y)
    """
    fname = _name(f)
    if not (in_axes is None or isinstance(in_axes, (int, np.integer, tuple, list, dict))):
        raise TypeError(f"vmap({fname}): in_axes must be an int, None, or a tuple of them "
                        f"(one per argument), got {in_axes!r}")

    @functools.wraps(f)
    def vmapped(*args: Any, **kwargs: Any) -> Any:
        axes_tree: Any = tuple(in_axes) if isinstance(in_axes, list) else in_axes
        if isinstance(axes_tree, tuple) and len(axes_tree) != len(args):
            raise ValueError(f"vmap({fname}): in_axes has {len(axes_tree)} entries but the "
                             f"function was called with {len(args)} positional arguments")
        if isinstance(axes_tree, dict):
            if len(args) != 1:
                raise ValueError(f"vmap({fname}): a dict in_axes needs a single argument; "
                                 f"give a tuple with one entry per argument")
            axes_tree = (axes_tree,)
        flat, in_def = tree_flatten(args)
        axes = _prefix_leaves(axes_tree, args, "in_axes", fname, len(flat))
        size = axis_size
        sized_by: Any = "axis_size"
        where: list = []
        for i, (x, ax) in enumerate(zip(flat, axes)):
            if ax is None:
                where.append(None)
                continue
            s = x.shape if type(x) is np.ndarray else _shape(x)
            if not -len(s) <= ax < len(s):
                raise ValueError(
                    f"vmap({fname}): in_axes={ax} is out of range for {_leaf_names(args)[i]}"
                    f" of shape {s} ({len(s)} dimensions); use an axis in "
                    f"[{-len(s)}, {len(s)}) or None to leave it unmapped")
            ax = int(ax) % len(s)
            if size is None:
                size, sized_by = s[ax], i
            elif s[ax] != size:
                raise ValueError(
                    f"vmap({fname}): inconsistent batch sizes: {_leaf_names(args)[i]} of "
                    f"shape {s} has {s[ax]} entries along axis {ax}, but "
                    f"{_sized_by(sized_by, args, flat)} gives "
                    f"{size}; every mapped input needs the same size along its mapped axis")
            where.append(ax)
        if size is None:
            raise ValueError(f"vmap({fname}): no input is mapped (in_axes all None); pass "
                             f"axis_size to say how many examples to make")
        level = new_level()
        level_names[level] = fname
        try:
            boxes = [x if ax is None else BatchBox(_as_array(x), level, ax, size)
                     for x, ax in zip(flat, where)]
            if kwargs:  # as in JAX, keyword arguments are mapped over their first axis
                kwargs = {k: _map_first(v, level, size, fname, k) for k, v in kwargs.items()}
            out = f(*in_def.unflatten(boxes), **kwargs)
            out_flat, out_def = tree_flatten(out)
            o_axes = _prefix_leaves(out_axes, out, "out_axes", fname, len(out_flat))
            results = [_unbatch(o, ax, level, size, fname) for o, ax in zip(out_flat, o_axes)]
        finally:
            level_names.pop(level, None)
        return out_def.unflatten(results)

    vmapped.__name__ = f"vmap({fname})"
    return vmapped


def _sized_by(which: Any, args: tuple, flat: list) -> str:
    if isinstance(which, str):
        return which
    return f"{_leaf_names(args)[which]} of shape {_shape(flat[which])}"


def _leaf_names(args: tuple) -> list[str]:
    """How errors name each leaf: ``argument 1``, or ``argument 1 (leaf 0)``."""
    names: list[str] = []
    for i, a in enumerate(args):
        n = len(tree_flatten(a)[0])
        names.extend(f"argument {i}" if n == 1 else f"argument {i} (leaf {k})"
                     for k in range(n))
    return names


def _map_first(tree: Any, level: int, size: int, fname: str, name: str) -> Any:
    leaves, treedef = tree_flatten(tree)
    out = []
    for x in leaves:
        s = _shape(x)
        if not s or s[0] != size:
            raise ValueError(f"vmap({fname}): keyword argument {name!r} of shape {s} is mapped "
                             f"over its first axis (as in JAX), which needs {size} entries; "
                             f"pass it positionally with in_axes=None to share it")
        out.append(BatchBox(_as_array(x), level, 0, size))
    return treedef.unflatten(out)


def _as_array(x: Any) -> Any:
    if isinstance(x, Box) or type(x) is np.ndarray:
        return x
    return np.asarray(x)


def _unbatch(o: Any, ax: Any, level: int, size: int, fname: str) -> Any:
    """An output with its batch axis at ``ax`` (an unbatched one broadcast to the batch)."""
    if isinstance(o, BatchBox) and o._level == level:
        if ax is None:
            raise ValueError(f"vmap({fname}): out_axes=None for an output that varies "
                             f"across the batch; give it an axis")
        value = o._value
        nd = len(_shape(value))
        if not -nd <= ax < nd:
            raise ValueError(f"vmap({fname}): out_axes={ax} is out of range for an output "
                             f"of shape {o.shape} (with the batch axis: {nd} dimensions)")
        return moveaxis(value, o._bdim, int(ax) % nd)
    if ax is None:
        return o
    s = _shape(o)
    nd = len(s) + 1
    if not -nd <= ax < nd:
        raise ValueError(f"vmap({fname}): out_axes={ax} is out of range for an output of "
                         f"shape {s} (with the batch axis: {nd} dimensions)")
    ax = int(ax) % nd
    if isinstance(o, Box):
        return broadcast_to(expand_dims(o, ax), s[:ax] + (size,) + s[ax:])
    v = np.asarray(o)
    return np.broadcast_to(np.expand_dims(v, ax), s[:ax] + (size,) + s[ax:]).copy()
