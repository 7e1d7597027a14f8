"""Data: minibatches, the scikit-learn digits, MNIST IDX files."""

from .batching import minibatches, num_batches, train_test_split
from .digits import load_digits
from .idx import IDXFormatError, Split, load_mnist, load_mnist_idx, parse_idx

__all__ = ["minibatches", "num_batches", "train_test_split", "load_digits", "load_mnist",
           "load_mnist_idx", "parse_idx", "IDXFormatError", "Split"]
