"""Per-step cost of the paper's 784-1024-1024-10 MLP: R_f and R_b, wengert vs NumPy vs PyTorch.

    python examples/mlp_timing.py [--repeats 50] [--dtype float32] [--no-torch]
"""

import sys

from wengert.experiments.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["mlp-timing", *sys.argv[1:]]))
