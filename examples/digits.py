"""Train an MLP on the 8x8 digits with backprop, then with forward gradients.

    pip install 'wengert[data,plot,progress]'
    python examples/digits.py

The full comparison (several n_samples, tables) is `wengert experiment digits`.
"""

import numpy as np

from wengert import data, nn, optim
from wengert.train import fit, plot_histories

d = data.load_digits(seed=0, dtype=np.float32)
net = nn.MLP([64, 1024, 1024, 10], dtype=np.float32)
params = net.init(np.random.default_rng(0))


def loss(p, x, y):
    return nn.softmax_cross_entropy(net(p, x), y)


def evaluate(p):
    return {"accuracy": nn.accuracy(net(p, d.x_test), d.y_test)}


# Backprop: value_and_grad, Adam.
bp_params, bp = fit(loss, params, optim.Adam(lr=1e-3), (d.x_train, d.y_train), epochs=10,
                    evaluate=evaluate, label="backprop")
print(f"backprop: test accuracy {evaluate(bp_params)['accuracy']:.3f} "
      f"after {bp.time[-1]:.1f} s of training")

# Forward gradients: one jvp per step, no backward pass; SGD with momentum.
fg_params, fg = fit(loss, params, optim.SGD(lr=5e-5, momentum=0.9), (d.x_train, d.y_train),
                    epochs=30, gradient="forward", n_samples=1, seed=1, evaluate=evaluate,
                    label="forward gradient")
print(f"forward gradient: test accuracy {evaluate(fg_params)['accuracy']:.3f} "
      f"after {fg.time[-1]:.1f} s of training")

nn.save_params("digits-mlp.npz", bp_params)
print("saved", "digits-mlp.npz", "and", plot_histories({"backprop": bp, "forward": fg},
                                                        "digits.png"))
