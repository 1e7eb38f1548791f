"""Train a small tanh RNN by differentiating its unrolled time loop.

The network reads a sine wave one sample at a time and, at every step,
predicts the next sample:

    h_0 = tanh(w_in * u_0 + b)
    h_t = tanh(w_in * u_t + W_h @ h_{t-1} + b)
    prediction of u_{t+1} = w_out . h_t + b_out

The loss is the mean squared prediction error over a batch of sequences with
different phases and frequencies.  ``srcgrad.value_and_grad`` differentiates
the doubly nested loop (sequences x time steps) with respect to all five
parameters at once (``wrt`` is a tuple, so the gradient is a tuple), and the
parameters are trained with Adam written inline.

Run ``python examples/train_rnn.py --show-source`` to see the generated
gradient code.
"""

import argparse
import sys

import numpy as np

import srcgrad

PARAMS = ("w_in", "w_h", "b", "w_out", "b_out")


def rnn_loss(w_in, w_h, b, w_out, b_out, seqs, n_seq, n_steps):
    """Mean squared one-step-ahead prediction error of the RNN on ``seqs``."""
    total = 0.0
    for k in range(n_seq):
        seq = seqs[k]
        h = np.tanh(w_in * seq[0] + b)
        for t in range(1, n_steps):
            pred = np.dot(w_out, h) + b_out
            err = pred - seq[t]
            total += err * err
            h = np.tanh(w_in * seq[t] + np.dot(w_h, h) + b)
    return total / (n_seq * (n_steps - 1))


def make_data(rng, n_seq, n_steps):
    phase = rng.uniform(0.0, 2.0 * np.pi, size=(n_seq, 1))
    freq = rng.uniform(0.25, 0.45, size=(n_seq, 1))
    t = np.arange(n_steps)[None, :]
    return np.sin(freq * t + phase)


def init_params(rng, hidden):
    return [
        0.5 * rng.standard_normal(hidden),
        0.3 * rng.standard_normal((hidden, hidden)) / np.sqrt(hidden),
        np.zeros(hidden),
        0.1 * rng.standard_normal(hidden),
        0.0,
    ]


def make_problem(seed=0, hidden=8, n_seq=8, n_steps=24):
    """Initial parameters and the rest of ``rnn_loss``'s arguments."""
    rng = np.random.default_rng(seed)
    params = init_params(rng, hidden)
    seqs = make_data(rng, n_seq, n_steps)
    return params, (seqs, n_seq, n_steps)


def baseline_loss(seqs):
    """Loss of the trivial predictor 'next value = current value'."""
    return float(np.mean((seqs[:, 1:] - seqs[:, :-1]) ** 2))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="Adam iterations")
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--hidden", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show-source", action="store_true",
                        help="print the generated gradient module and exit")
    opts = parser.parse_args(argv)

    wrt = tuple(range(len(PARAMS)))
    if opts.show_source:
        print(srcgrad.source(rnn_loss, wrt=wrt))
        return 0

    params, data = make_problem(opts.seed, hidden=opts.hidden)
    vg = srcgrad.value_and_grad(rnn_loss, wrt=wrt)
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    history = []
    report_every = max(1, opts.steps // 6)
    for step in range(1, opts.steps + 1):
        value, grads = vg(*params, *data)
        history.append(float(value))
        if step == 1 or step % report_every == 0:
            print("step %5d  loss %.6f" % (step, value))
        for j, g in enumerate(grads):
            m[j] = b1 * m[j] + (1 - b1) * g
            v[j] = b2 * v[j] + (1 - b2) * g * g
            update = opts.lr * (m[j] / (1 - b1**step)) / (np.sqrt(v[j] / (1 - b2**step)) + eps)
            params[j] = params[j] - update
            if np.ndim(params[j]) == 0:
                params[j] = float(params[j])
    final = float(rnn_loss(*params, *data))

    print("initial loss: %.6g" % history[0])
    print("final loss: %.6g" % final)
    print("baseline (repeat last value) loss: %.6g" % baseline_loss(data[0]))
    ok = np.isfinite(final) and final < history[0]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
