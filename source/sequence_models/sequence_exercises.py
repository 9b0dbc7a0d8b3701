# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Recurrent networks on paper, checked by code
#
# Two short exercises: a recurrent network of unit-step neurons that computes the XOR of a whole
# binary sequence, and why tanh suits recurrent networks better than the sigmoid. Where an
# answer is a number, a set of weights or a small function it is graded by code; the
# explanations are read by a TA.
#
# | part | points |
# | --- | --- |
# | 1. The XOR of a sequence with one recurrent neuron pair | 3 + 2 written |
# | 2. Sigmoid or tanh? | 3 + 2 written |

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import math
import os

import numpy as np
import matplotlib
import matplotlib.pyplot as plt

# `nbgrader validate` shows each failing check by its error line alone (no traceback)
if os.environ.get("NBGRADER_VALIDATING"):
    get_ipython().run_line_magic("xmode", "Minimal")


def step(a):
    """The unit step: 1 where a > 0, else 0."""
    return (np.asarray(a) > 0).astype(float)


# %% [markdown]
# ## 1. The XOR of a sequence with one recurrent neuron pair (3 points + 2 written)
#
# A 2-2-1 network of unit-step neurons reads two bits $x$ and $s$:
#
# $$h = \mathrm{step}([x, s]\, W_1 + b_1), \qquad y = \mathrm{step}(h \cdot w_2 + b_2)$$
#
# with $W_1$ of shape (2, 2), $b_1$ (2,), $w_2$ (2,) and a scalar $b_2$. Choose the weights so
# that $y = x \oplus s$ (XOR). Used as a recurrent network, the network reads one bit $x[t]$ of a
# sequence per step and its own previous output as $s$: $s[t] = y[t-1]$. Choose also the initial
# state $s[1]$ so that $y[1] = x[1]$; then $y[t]$ is the XOR of $x[1], \dots, x[t]$.
#
# Set `XOR_WEIGHTS` (a dict with keys `'W1'`, `'b1'`, `'w2'`, `'b2'`) and `S1`.

# %% nbgrader={"grade": false, "grade_id": "xor_network", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
XOR_WEIGHTS = {
    "W1": np.array([[1.0, 1.0], [1.0, 1.0]]),   # column 0: x OR s, column 1: x AND s
    "b1": np.array([-0.5, -1.5]),
    "w2": np.array([1.0, -1.0]),                # OR and not AND
    "b2": -0.5,
}
S1 = 0
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_xor_network_recurrent", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Visible test: the truth table of one step.
def xor_step(x, s):
    h = step(np.array([x, s]) @ np.asarray(XOR_WEIGHTS["W1"]) + np.asarray(XOR_WEIGHTS["b1"]))
    return float(step(h @ np.asarray(XOR_WEIGHTS["w2"]) + XOR_WEIGHTS["b2"]))


table = {(x, s): xor_step(x, s) for x in (0, 1) for s in (0, 1)}
print("y for (x, s):", table)
assert all(table[(x, s)] == (x ^ s) for x, s in table), "the network must compute x XOR s"

# Hidden test: the network run recurrently (s[t] = y[t-1]) on every binary sequence up to length 10 outputs the running XOR.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("xor_network", "recurrent")
### END HIDDEN TESTS

# %% [markdown]
# Running it recurrently over the sequence 1, 0, 1, 1, 0:

# %% nbgrader={"grade": false, "grade_id": "xor_demo", "locked": true, "schema_version": 3, "solution": false, "task": false}
s = S1
for t, x in enumerate([1, 0, 1, 1, 0], start=1):
    h = step(np.array([x, s]) @ np.asarray(XOR_WEIGHTS["W1"]) + np.asarray(XOR_WEIGHTS["b1"]))
    y = step(h @ np.asarray(XOR_WEIGHTS["w2"]) + XOR_WEIGHTS["b2"])
    print(f"t = {t}: x = {x}, s = {s:g}, y = {y:g}")
    s = y

# %% [markdown]
# What does the state $s[t]$ hold, and what does the output $y[t]$ mean for the sequence read so
# far? Why does one small network suffice for sequences of any length, where a feed-forward
# network would need to grow with $T$?

# %% [markdown] nbgrader={"grade": true, "grade_id": "xor_discussion", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** s[t] = y[t-1] is the parity (XOR) of all the bits read before step t: the
# network's memory of the past, compressed into one bit. y[t] is the parity of x[1..t], the XOR
# of the whole prefix. XOR is associative, so the parity of a prefix is the XOR of the previous
# parity and the new bit: the same 2-2-1 network applied at every step (shared weights) handles
# any length, while a feed-forward network would need inputs (and layers) for all T bits at once.
#
# **Rubric (2 points).** 1 pt: s[t] holds the XOR/parity of the previous bits (the state), and y[t]
# the XOR of the bits so far. 1 pt: weight sharing over time / associativity of XOR makes one
# network work for any length.
# ### END SOLUTION

# %% [markdown]
# ## 2. Sigmoid or tanh? (3 points + 2 written)
#
# For small $\varepsilon$ the first two terms of the Maclaurin expansion give
# $\sigma(\varepsilon) \approx \frac{1}{2} + \frac{\varepsilon}{4}$ and
# $\tanh(\varepsilon) \approx \varepsilon$. Using $\sigma' = \sigma (1 - \sigma)$ and
# $\tanh' = 1 - \tanh^2$, write, **vectorised with numpy** (an array of $\varepsilon$ in, an
# array of the same shape out):
#
# - `sigmoid_grad_approx(eps)` and `tanh_grad_approx(eps)`: the derivatives from these
#   approximations (polynomials in $\varepsilon$);
# - `rho_approx(eps)`: their ratio (sigmoid over tanh), and `rho(eps)`: the ratio of the true
#   derivatives $\sigma'(\varepsilon) / \tanh'(\varepsilon)$;
# - `INTERVAL = (low, high)`: within $|\varepsilon| < 1$, the interval of $\varepsilon$ where
#   the approximate sigmoid derivative is at most the approximate tanh derivative.

# %% nbgrader={"grade": false, "grade_id": "activation_ratio", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sigmoid_grad_approx(eps):
    ### BEGIN SOLUTION
    s = 0.5 + np.asarray(eps, dtype=float) / 4
    return s * (1 - s)
    ### END SOLUTION


def tanh_grad_approx(eps):
    ### BEGIN SOLUTION
    return 1 - np.asarray(eps, dtype=float) ** 2
    ### END SOLUTION


def rho_approx(eps):
    ### BEGIN SOLUTION
    return sigmoid_grad_approx(eps) / tanh_grad_approx(eps)
    ### END SOLUTION


def rho(eps):
    ### BEGIN SOLUTION
    eps = np.asarray(eps, dtype=float)
    sigma = 1 / (1 + np.exp(-eps))
    return sigma * (1 - sigma) / (1 - np.tanh(eps) ** 2)
    ### END SOLUTION


### BEGIN SOLUTION
INTERVAL = (-2 / math.sqrt(5), 2 / math.sqrt(5))    # 1/4 - e^2/16 <= 1 - e^2  <=>  e^2 <= 4/5
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_activation_ratio_values", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: at eps = 0 the derivatives are 1/4 and 1; arrays keep their shape.
assert np.isclose(sigmoid_grad_approx(np.array([0.0]))[0], 0.25) and np.isclose(tanh_grad_approx(np.array([0.0]))[0], 1.0)
assert np.shape(rho(np.zeros((2, 3)))) == (2, 3), "vectorise: an array in, an array of the same shape out"
print("rho_approx(0.05) =", rho_approx(np.array([0.05])), " rho(0.05) =", rho(np.array([0.05])))

# Hidden test: the four functions on arrays of eps (vectorised), against their closed forms.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("activation_ratio", "values")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_activation_ratio_interval", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: INTERVAL is a pair (low, high) inside (-1, 1).
low, high = INTERVAL
assert -1 <= low < high <= 1, "INTERVAL = (low, high) within |eps| < 1"
print("INTERVAL:", INTERVAL)

# Hidden test: INTERVAL against the interval where the approximate sigmoid derivative is at most the approximate tanh derivative.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("activation_ratio", "interval")
### END HIDDEN TESTS

# %% [markdown]
# The gradient reaching step $t - T$ of a recurrent network contains $T$ activation
# derivatives. Their ratio for the two activations, raised to the power $T$ (given code):

# %% nbgrader={"grade": false, "grade_id": "ratio_plot", "locked": true, "schema_version": 3, "solution": false, "task": false}
T = np.arange(1, 21)
plt.figure(figsize=(6, 3.5))
plt.semilogy(T, rho_approx(np.array([0.05])) ** T, "o-", label=r"$\rho_{approx}(0.05)^T$")
plt.semilogy(T, rho(np.array([0.05])) ** T, "x--", label=r"$\rho(0.05)^T$")
plt.xlabel("T (steps back)")
plt.ylabel("ratio of the gradients (sigmoid / tanh)")
plt.legend()
plt.show()

# %% [markdown]
# What does the plot say about training a recurrent network with sigmoid rather than tanh
# activations over many steps?

# %% [markdown] nbgrader={"grade": true, "grade_id": "ratio_discussion", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** Near 0 the sigmoid's derivative is about 1/4 and tanh's about 1, so the ratio is
# about 1/4 and its T-th power falls geometrically (about 4^-T: 10^-12 after 20 steps). A
# gradient propagated T steps back through sigmoid units is that much smaller than through tanh
# units: sigmoid RNNs suffer far more from vanishing gradients, learn long-range dependencies
# much more slowly (or not at all), which is why tanh is the usual recurrent activation. The
# approximate and true ratios agree closely for small eps.
#
# **Rubric (2 points).** 1 pt: the ratio is < 1 (about 1/4) and its power decays exponentially
# with T. 1 pt: consequence: vanishing gradients are much worse with the sigmoid, so tanh is
# preferred in RNNs for long dependencies.
# ### END SOLUTION


# %% [markdown]
# ## Self-check before you submit
#
# Save the notebook, then run the next cell: it needs none of the cells above. For each unit it
# prints one line: answered or not, whether its visible tests pass (or the first one that fails,
# and why), and the points at stake. Hidden tests decide your points, so passing the visible
# tests is a start, not a grade. In a terminal in this folder, `python selfcheck.py` does the same.

# %% nbgrader={"grade": false, "grade_id": "self_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
import selfcheck

selfcheck.check("sequence_exercises.ipynb")
