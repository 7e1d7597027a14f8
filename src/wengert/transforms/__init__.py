"""The functional transforms: every one is a few lines over ``vjp`` and ``jvp``."""

from .custom import custom_jvp, custom_vjp, stop_gradient
from .forward import jvp, linearize
from .jacobian import hessian, hvp, jacfwd, jacobian, jacrev
from .jit import jit
from .reverse import elementwise_grad, grad, value_and_grad, vjp
from .vmap import vmap

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacfwd", "jacrev", "jacobian", "hessian",
           "hvp", "linearize", "elementwise_grad", "stop_gradient", "custom_jvp", "custom_vjp",
           "jit", "vmap"]
