"""Small layers whose parameters are plain pytrees (dicts and lists of arrays).

A module holds only its configuration.  ``module.init(rng)`` makes fresh
parameters and ``module.apply(params, x)`` (or ``module(params, x)``) runs it,
so a loss is an ordinary function of the parameters and every transform
(``grad``, ``jvp``, ``forward_grad``) applies to it directly:

>>> net = MLP([64, 32, 10])
>>> params = net.init(np.random.default_rng(0))
>>> loss = lambda p: softmax_cross_entropy(net(p, x), y)
>>> g = wengert.grad(loss)(params)          # same structure as params
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core.tracing import unbox
from .activations import get_activation
from .init import Initializer, get_initializer

Params = Any


class Module:
    """Base class: no parameters, identity map."""

    def init(self, rng: Any) -> Params:
        """Fresh parameters (a pytree), drawn from ``rng``."""
        return {}

    def apply(self, params: Params, x: Any, *, train: bool = False, rng: Any = None) -> Any:
        return x

    def __call__(self, params: Params, x: Any, *, train: bool = False, rng: Any = None) -> Any:
        return self.apply(params, x, train=train, rng=rng)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Linear(Module):
    """``x @ w + b`` with ``w`` of shape ``(in_features, out_features)``."""

    def __init__(self, in_features: int, out_features: int, *, bias: bool = True,
                 init: str | Initializer = "glorot_uniform", dtype: Any = np.float64) -> None:
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.bias = bias
        self.init_fn = get_initializer(init)
        self.dtype = np.dtype(dtype)

    def init(self, rng: Any) -> Params:
        rng = np.random.default_rng(rng)
        w = self.init_fn(rng, (self.in_features, self.out_features), self.dtype)
        params = {"w": np.asarray(w, dtype=self.dtype)}
        if self.bias:
            params["b"] = np.zeros(self.out_features, dtype=self.dtype)
        return params

    def apply(self, params: Params, x: Any, *, train: bool = False, rng: Any = None) -> Any:
        y = x @ params["w"]
        return y + params["b"] if self.bias else y

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features}, bias={self.bias})"


class Activation(Module):
    """A parameter-free elementwise function as a layer."""

    def __init__(self, fn: str | Callable[[Any], Any]) -> None:
        self.fn = get_activation(fn)

    def apply(self, params: Params, x: Any, *, train: bool = False, rng: Any = None) -> Any:
        return self.fn(x)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({getattr(self.fn, '__name__', 'fn')})"


class ReLU(Activation):
    def __init__(self) -> None:
        super().__init__("relu")


class Tanh(Activation):
    def __init__(self) -> None:
        super().__init__("tanh")


class Sigmoid(Activation):
    def __init__(self) -> None:
        super().__init__("sigmoid")


class GELU(Activation):
    def __init__(self) -> None:
        super().__init__("gelu")


class Softplus(Activation):
    def __init__(self) -> None:
        super().__init__("softplus")


class Dropout(Module):
    """Zero each entry with probability ``rate`` in training, scaling the rest by 1/(1-rate).

    The mask comes from the ``rng`` passed to ``apply`` (an ``np.random.Generator``),
    so a training run is reproducible; outside training it is the identity.
    """

    def __init__(self, rate: float) -> None:
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate}")
        self.rate = float(rate)

    def apply(self, params: Params, x: Any, *, train: bool = False, rng: Any = None) -> Any:
        if not train or self.rate == 0.0:
            return x
        if not isinstance(rng, np.random.Generator):
            raise ValueError("Dropout in training mode needs rng=np.random.Generator(...) "
                             "for its mask")
        keep = rng.random(np.shape(x)) >= self.rate
        scale = np.asarray(1.0 / (1.0 - self.rate), dtype=np.result_type(unbox(x)))
        return x * (keep * scale)

    def __repr__(self) -> str:
        return f"Dropout({self.rate})"


class Sequential(Module):
    """Layers applied in order; parameters are a list, one entry per layer."""

    def __init__(self, *layers: Module) -> None:
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential: layer {i} is a {type(layer).__name__}, "
                                f"not a wengert.nn.Module")
        self.layers = list(layers)

    def init(self, rng: Any) -> Params:
        rng = np.random.default_rng(rng)
        return [layer.init(rng) for layer in self.layers]

    def apply(self, params: Params, x: Any, *, train: bool = False, rng: Any = None) -> Any:
        if len(params) != len(self.layers):
            raise ValueError(f"Sequential: got parameters for {len(params)} layers, the model "
                             f"has {len(self.layers)}")
        for layer, p in zip(self.layers, params):
            x = layer.apply(p, x, train=train, rng=rng)
        return x

    def __repr__(self) -> str:
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"{type(self).__name__}(\n  {inner}\n)"


class MLP(Sequential):
    """Fully connected network ``sizes[0] -> ... -> sizes[-1]``, no activation on the output.

    ``init`` defaults to He-uniform for ReLU-like activations and Glorot-uniform
    for ``tanh``/``sigmoid``.  ``dropout > 0`` adds Dropout after each hidden layer.
    """

    def __init__(self, sizes: Sequence[int], activation: str | Callable[[Any], Any] = "relu",
                 *, init: str | Initializer | None = None, dropout: float = 0.0,
                 dtype: Any = np.float64) -> None:
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs an input and an output size, got {list(sizes)}")
        if init is None:
            init = "glorot_uniform" if activation in ("tanh", "sigmoid") else "he_uniform"
        layers: list[Module] = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(a, b, init=init, dtype=dtype))
            if i < len(sizes) - 2:
                layers.append(Activation(activation))
                if dropout > 0:
                    layers.append(Dropout(dropout))
        super().__init__(*layers)
        self.sizes = [int(s) for s in sizes]


def num_params(params: Params) -> int:
    """The number of scalar parameters in a pytree."""
    from ..core.tree import tree_leaves
    return int(sum(np.size(p) for p in tree_leaves(params)))
