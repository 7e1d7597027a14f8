"""The core: primitives, boxes and levels, the two modes' interpreters, pytrees."""

from .primitive import NotDifferentiableError, Primitive, primitive
from .tracing import Box, new_level, unbox
from .tree import (
                   register_pytree_node,
                   tree_flatten,
                   tree_leaves,
                   tree_map,
                   tree_structure,
                   tree_unflatten,
)

__all__ = ["Primitive", "primitive", "NotDifferentiableError", "Box", "new_level", "unbox",
           "tree_flatten", "tree_unflatten", "tree_map", "tree_leaves", "tree_structure",
           "register_pytree_node"]
