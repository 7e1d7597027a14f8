"""The experiments of *Gradients without Backpropagation* (Baydin et al., 2022), rerun.

Each is a function returning its numbers (and writing its plots); ``cli.main``
runs them from the command line (``wengert experiment <name>``):

* :func:`toy.compare` - forward gradient vs gradient descent on Beale and Rosenbrock;
* :func:`mlp_timing.run` - per-step cost ratios R_f, R_b of the 784-1024-1024-10 MLP;
* :func:`digits.run` - training on scikit-learn's 8×8 digits, backprop vs forward gradients;
* :func:`linear_model.run` - the lecture's one-step example, h(x) = w·x + b.
"""

__all__ = ["toy", "mlp_timing", "digits", "linear_model", "cli"]
