# corpus: max_pool_naive
# verdict: wrong
# bug: Rule violation: both passes use torch (F.max_pool2d and autograd) in a numpy-only unit; the numbers are right.

import torch


def max_pool_forward_naive(x, pool_param):
    """Max pooling forward pass: x (N, C, H, W) -> (out (N, C, H', W'), cache)."""
    xt = torch.tensor(x, requires_grad=True)
    out = torch.nn.functional.max_pool2d(xt, (pool_param["pool_height"], pool_param["pool_width"]),
                                         stride=pool_param["stride"])
    return out.detach().numpy(), (xt, out)


def max_pool_backward_naive(dout, cache):
    """Max pooling backward pass: dout (N, C, H', W') -> dx (N, C, H, W)."""
    xt, out = cache
    (dx,) = torch.autograd.grad(out, xt, torch.from_numpy(np.asarray(dout, dtype=np.float64)), retain_graph=True)
    return dx.numpy()
