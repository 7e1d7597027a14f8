"""scikit-learn's bundled 8×8 digits (1,797 images, offline), split reproducibly."""

from __future__ import annotations

from typing import Any

import numpy as np

from .batching import train_test_split
from .idx import Split

_INSTALL = ("load_digits needs scikit-learn, which ships the digits data set. Install it "
            "with:  pip install 'wengert[data]'   (or: pip install scikit-learn)")


def load_digits(test_fraction: float = 0.2, seed: Any = 0,
                dtype: Any = np.float64) -> Split:
    """``(x_train, y_train, x_test, y_test)``: pixels scaled to [0, 1], 64 columns."""
    try:
        from sklearn.datasets import load_digits as _sk_load_digits
    except ImportError as e:
        raise ImportError(_INSTALL) from e
    bunch = _sk_load_digits()
    x = (np.asarray(bunch.data) / 16.0).astype(dtype)
    y = np.asarray(bunch.target, dtype=np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_fraction=test_fraction, seed=seed)
    return Split(x_tr, y_tr, x_te, y_te)
