"""Saving and loading parameter pytrees as ``.npz`` files (no pickle).

Each leaf is stored under its path in the tree, keys joined by ``/``
(``"0/w"``, ``"encoder/b"``), plus one ``__structure__`` entry: a JSON string
describing the nesting (dicts, lists, tuples), so ``load_params(path)``
rebuilds the same pytree.  Loading never unpickles (``allow_pickle=False``).
Given a template, ``load_params(path, like=params)`` checks every name and
shape against it and says exactly what differs.
"""

from __future__ import annotations

import json
import os
import zipfile
from typing import Any

import numpy as np

from ..core.tracing import unbox

_STRUCTURE = "__structure__"
_SEP = "/"


def _walk(tree: Any, prefix: str, out: dict[str, np.ndarray]) -> Any:
    """Fill ``out`` with ``name -> array`` and return the JSON structure of ``tree``."""
    if isinstance(tree, dict):
        desc = {}
        for k, v in tree.items():
            if not isinstance(k, str) or _SEP in k or not k or k == _STRUCTURE:
                raise ValueError(f"save_params: dict key {k!r} at {prefix or '<root>'!r} must "
                                 f"be a non-empty string without {_SEP!r}")
            desc[k] = _walk(v, f"{prefix}{k}{_SEP}", out)
        return {"dict": desc}
    if isinstance(tree, (list, tuple)):
        kind = "tuple" if isinstance(tree, tuple) else "list"
        return {kind: [_walk(v, f"{prefix}{i}{_SEP}", out) for i, v in enumerate(tree)]}
    if tree is None:
        return {"none": None}
    value = np.asarray(unbox(tree))
    if value.dtype.kind not in "biufc":
        raise TypeError(f"save_params: leaf {prefix[:-1]!r} has dtype {value.dtype}; only "
                        f"numeric arrays can be saved")
    out[prefix[:-1]] = value
    return None


def _build(desc: Any, prefix: str, arrays: dict[str, np.ndarray]) -> Any:
    if desc is None:
        return arrays[prefix[:-1]]
    (kind, inner), = desc.items()
    if kind == "dict":
        return {k: _build(v, f"{prefix}{k}{_SEP}", arrays) for k, v in inner.items()}
    if kind in ("list", "tuple"):
        items = [_build(v, f"{prefix}{i}{_SEP}", arrays) for i, v in enumerate(inner)]
        return items if kind == "list" else tuple(items)
    if kind == "none":
        return None
    raise ValueError(f"unknown node kind {kind!r} in the file's structure")


def named_leaves(params: Any) -> dict[str, np.ndarray]:
    """``{"0/w": array, ...}``: every leaf of ``params`` under its path."""
    out: dict[str, np.ndarray] = {}
    _walk(params, "", out)
    return out


def save_params(path: str | os.PathLike, params: Any) -> str:
    """Write ``params`` to ``path`` (``.npz`` is appended if missing); returns the path."""
    path = os.fspath(path)
    if not path.endswith(".npz"):
        path += ".npz"
    arrays: dict[str, np.ndarray] = {}
    structure = _walk(params, "", arrays)
    arrays[_STRUCTURE] = np.array(json.dumps(structure))
    np.savez(path, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds oddly
    return path


def _read(path: str) -> tuple[dict[str, np.ndarray], Any]:
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_params: no such file {path!r}")
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {name: f[name] for name in f.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as e:
        raise ValueError(f"load_params: {path!r} is not a readable .npz parameter file "
                         f"({e})") from e
    if _STRUCTURE not in arrays:
        raise ValueError(f"load_params: {path!r} has no {_STRUCTURE} entry; was it written "
                         f"by wengert.nn.save_params?")
    structure = json.loads(str(arrays.pop(_STRUCTURE)))
    return arrays, structure


def load_params(path: str | os.PathLike, like: Any = None) -> Any:
    """Read parameters written by :func:`save_params`.

    With ``like`` (a pytree of the expected parameters, e.g. ``model.init(rng)``)
    the names and shapes in the file must match it exactly; the result has
    ``like``'s structure.  Without it the saved structure is rebuilt.
    """
    path = os.fspath(path)
    arrays, structure = _read(path)
    if like is None:
        return _build(structure, "", arrays)
    expected = named_leaves(like)
    _check_match(path, arrays, expected)
    return _build(_walk(like, "", {}), "", arrays)


def _check_match(path: str, arrays: dict[str, np.ndarray],
                 expected: dict[str, np.ndarray]) -> None:
    missing = sorted(set(expected) - set(arrays))
    extra = sorted(set(arrays) - set(expected))
    problems = []
    if missing:
        problems.append(f"missing from the file: {', '.join(missing)}")
    if extra:
        problems.append(f"in the file but not in the model: {', '.join(extra)}")
    for name in sorted(set(expected) & set(arrays)):
        if arrays[name].shape != expected[name].shape:
            problems.append(f"{name!r} has shape {arrays[name].shape} in the file, the model "
                            f"expects {expected[name].shape}")
    if problems:
        raise ValueError(f"load_params: {path!r} does not match the given parameters:\n  "
                         + "\n  ".join(problems))
