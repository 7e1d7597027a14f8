"""wengert: automatic differentiation for NumPy, forward and reverse, and a look inside.

>>> import wengert, wengert.numpy as wnp
>>> f = lambda x1, x2: wnp.log(x1) + x1 * x2 - wnp.sin(x2)
>>> wengert.grad(f, argnums=(0, 1))(2.0, 5.0)     # reverse mode
>>> wengert.jvp(f, (2.0, 5.0), (1.0, 0.0))        # forward mode
"""

from . import numpy  # noqa: F401  (registers array behaviour on traced values)
from .core import (
                   NotDifferentiableError,
                   Primitive,
                   primitive,
                   register_pytree_node,
                   tree_flatten,
                   tree_leaves,
                   tree_map,
                   tree_structure,
                   tree_unflatten,
)
from .forward_grad import forward_grad
from .ir import Trace, source, trace
from .tensor import (
                   Tensor,
                   _install_torch_methods,
                   enable_grad,
                   inference_mode,
                   is_grad_enabled,
                   no_grad,
                   set_grad_enabled,
                   tensor,
                   tensor_grad,
                   zero_grad,
)
from .transforms import (
                   custom_jvp,
                   custom_vjp,
                   elementwise_grad,
                   grad,
                   hessian,
                   hvp,
                   jacfwd,
                   jacobian,
                   jacrev,
                   jit,
                   jvp,
                   linearize,
                   stop_gradient,
                   value_and_grad,
                   vjp,
                   vmap,
)
from .transforms.checkpoint import (
                   checkpoint,
                   checkpoint_name,
                   checkpoint_policies,
                   checkpoint_sequential,
                   remat,
)

_install_torch_methods()  # PyTorch's method names on tensors, once wengert.numpy is loaded

__version__ = "0.1.0"

__all__ = [
    "grad", "value_and_grad", "vjp", "jvp", "jacfwd", "jacrev", "jacobian", "hessian", "hvp",
    "linearize", "elementwise_grad", "stop_gradient", "custom_jvp", "custom_vjp", "primitive",
    "Primitive", "NotDifferentiableError", "tree_flatten", "tree_unflatten", "tree_map",
    "tree_leaves", "tree_structure", "register_pytree_node", "Tensor", "tensor", "tensor_grad",
    "no_grad", "set_grad_enabled", "inference_mode", "enable_grad", "is_grad_enabled",
    "zero_grad", "forward_grad", "__version__", "trace", "source", "Trace",
    "jit",
    "vmap",
]
__all__ += ["checkpoint", "remat", "checkpoint_sequential", "checkpoint_name",
            "checkpoint_policies"]
