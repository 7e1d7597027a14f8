"""Seeing AD at work: the recorded trace and its views.

:func:`trace` records a function into a :class:`Trace`, the Wengert list.
From it come the seeds' tables (:mod:`.tables`), the computational graph
(:mod:`.graph`), the derivative as NumPy source code (:mod:`.source`) and a
SymPy expression (:mod:`.symbolic`).
"""

from .passes import ForwardPass, ReversePass, forward_pass, reverse_pass
from .source import Source, source
from .tables import Table
from .trace import Eqn, Literal, Trace, TraceBox, Var, trace

__all__ = ["trace", "Trace", "Var", "Literal", "Eqn", "TraceBox", "Table", "source", "Source",
           "ForwardPass", "ReversePass", "forward_pass", "reverse_pass"]
