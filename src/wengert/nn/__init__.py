"""Neural-network building blocks on plain parameter pytrees.

Parameters are nested dicts/lists of NumPy arrays, so every wengert transform
applies to a loss written with them.  Modules (``Linear``, ``MLP``,
``Sequential``, ``Dropout``, activations) hold configuration only:
``params = module.init(rng)``, ``y = module(params, x)``.
"""

from .activations import gelu, get_activation, relu, sigmoid, softplus, tanh
from .init import get_initializer, glorot_normal, glorot_uniform, he_normal, he_uniform, zeros
from .losses import accuracy, log_softmax, mse, one_hot, softmax_cross_entropy
from .modules import (
    GELU,
    MLP,
    Activation,
    Dropout,
    Linear,
    Module,
    ReLU,
    Sequential,
    Sigmoid,
    Softplus,
    Tanh,
    num_params,
)
from .serialization import load_params, named_leaves, save_params

__all__ = [
    "relu", "tanh", "sigmoid", "gelu", "softplus", "get_activation",
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "zeros", "get_initializer",
    "mse", "softmax_cross_entropy", "log_softmax", "one_hot", "accuracy",
    "Module", "Linear", "Activation", "ReLU", "Tanh", "Sigmoid", "GELU", "Softplus",
    "Dropout", "Sequential", "MLP", "num_params",
    "save_params", "load_params", "named_leaves",
]
