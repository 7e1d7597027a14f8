"""Specs for the shape family (wengert/rules/shape.py)."""

from __future__ import annotations

import numpy as np

import wengert.numpy as wnp

from .spec import Spec

SPECS = [
    Spec(["copy"], lambda x: wnp.copy(x) * x, [[(2, 3)], [()]], ref=lambda x: x * x,
         complex_ok=True, name="copy"),
    Spec(["reshape"], lambda x: wnp.reshape(x, (3, -1)), [[(2, 3)], [(6,)]],
         ref=lambda x: np.reshape(x, (3, -1))),
    Spec(["transpose"], lambda x: wnp.transpose(x, (1, 2, 0)), [[(2, 3, 4)]],
         ref=lambda x: np.transpose(x, (1, 2, 0))),
    Spec(["transpose"], lambda x: x.T, [[(2, 3)]], name="T"),
    Spec(["transpose"], lambda x: wnp.moveaxis(wnp.swapaxes(x, 0, 1), 0, -1), [[(2, 3, 4)]],
         ref=lambda x: np.moveaxis(np.swapaxes(x, 0, 1), 0, -1), name="swapaxes+moveaxis"),
    Spec(["broadcast_to"], lambda x: wnp.broadcast_to(x, (2, 3, 4)), [[(3, 1)], [(4,)]],
         ref=lambda x: np.broadcast_to(x, (2, 3, 4))),
    Spec(["getitem"], lambda x: x[1:, ::2], [[(3, 4)]], name="getitem-basic"),
    Spec(["getitem"], lambda x: x[np.array([0, 2, 0])], [[(3, 2)]], name="getitem-repeated"),
    Spec(["getitem"], lambda x: x[x > 0], [[(5,)]], name="getitem-mask"),
    Spec(["getitem"], lambda x: x[..., None, 1], [[(2, 3)]], name="getitem-newaxis"),
    Spec(["untake"], lambda x: __import__("wengert").vjp(lambda y: y[np.array([0, 0, 2])],
                                                          np.zeros(4))[1](x)[0],
         [[(3,)]], name="untake"),
    Spec(["concatenate"], lambda x, y: wnp.concatenate([x, y, x], axis=1),
         [[(2, 3), (2, 1)]], ref=lambda x, y: np.concatenate([x, y, x], axis=1)),
    Spec(["concatenate", "reshape"], lambda x, y: wnp.stack([x, y], axis=1), [[(3,), (3,)]],
         ref=lambda x, y: np.stack([x, y], axis=1), name="stack"),
    Spec(["concatenate"], lambda x, y: wnp.hstack([x, y]) * wnp.vstack([x, y]).sum(),
         [[(3,), (3,)]], name="hstack+vstack"),
    Spec(["reshape"], lambda x: wnp.squeeze(wnp.expand_dims(x, 0) * 2.0), [[(3,)]],
         name="expand_dims+squeeze"),
    Spec(["getitem"], lambda x: wnp.flip(x, 0) * wnp.fliplr(x), [[(2, 2)]], name="flip"),
    Spec(["astype"], lambda x: wnp.real(wnp.astype(x, np.complex128) * x), [[(3,)]],
         name="astype"),
    Spec(["concatenate"], lambda x, y: wnp.array([x[0], y[1], x[2] * y[0]]),
         [[(3,), (3,)]], name="array-of-traced"),
    Spec(["reshape", "transpose"], lambda x: wnp.reshape(x, (3, -1), order="F"),
         [[(2, 6)], [(4, 3)], [(12,)], [(2, 3, 2)]],
         ref=lambda x: np.reshape(x, (3, -1), order="F"), name="reshape-F"),
    Spec(["reshape", "transpose"], lambda x: wnp.ravel(x, order="F"), [[(2, 3, 4)], [(3,)]],
         ref=lambda x: np.ravel(x, order="F"), name="ravel-F"),
    Spec(["transpose"], lambda x: wnp.permute_dims(x, (2, 0, 1)), [[(2, 3, 4)]],
         ref=lambda x: np.permute_dims(x, (2, 0, 1)), name="permute_dims"),
    Spec(["concatenate"], lambda x, y: wnp.concat([x, y], axis=-1), [[(2, 3), (2, 1)]],
         ref=lambda x, y: np.concat([x, y], axis=-1), name="concat"),
]
