"""Beale and Rosenbrock: forward-gradient descent vs gradient descent (plots both paths).

    python examples/toy_functions.py [--seeds 8] [--out experiment-output]

Writes beale.png and rosenbrock.png (contours with both trajectories) and
prints iterations and time to reach the minimum.
"""

import sys

from wengert.experiments.cli import main

if __name__ == "__main__":
    status = main(["beale", *sys.argv[1:]])
    status = status or main(["rosenbrock", *sys.argv[1:]])
    raise SystemExit(status)
