"""Reference implementations for `convnets` (SPEC 4.3): the single source of truth that the
solutions in source/convnets/ agree with (tests/test_reference_convnets.py).

Two notebooks, one module; each function names the section it serves:
- convnets_numpy.ipynb: 1 convolution, 2 max pooling, 3 three-layer ConvNet (numpy),
  4 spatial batch normalisation, 5 spatial group normalisation;
- convnets_pytorch.ipynb: 1 barebones three_layer_convnet, 2 init_convnet_params,
  3 ThreeLayerConvNet (nn.Module; `TorchThreeLayerConvNet` here, to keep the numpy class's
  name), 4 build_sequential_convnet, 5 the challenge's build_best_model.
The given layers (affine, ReLU, softmax loss) and the PyTorch init helpers are the handout's
(handouts/cnn_helpers.py), as in the notebooks.
"""
import numpy as np
import torch.nn as nn
import torch.nn.functional as F

from handouts.cnn_helpers import (affine_backward, affine_forward, random_weight, relu_backward,
                                  relu_forward, softmax_loss, zero_weight)


# ---------------------------------------------------------------------------------------------
# convnets_numpy section 1: convolution
# ---------------------------------------------------------------------------------------------

def conv_output_size(size, kernel, stride, pad):
    return 1 + (size + 2 * pad - kernel) // stride


def conv_forward_naive(x, w, b, conv_param):
    """Convolution (cross-correlation, as in every deep-learning library) with zero padding.

    x: input, of shape (N, C, H, W)
    w: filters, of shape (F, C, HH, WW)
    b: biases, of shape (F,)
    conv_param: {'stride': s, 'pad': p} (p zeros on every side of H and W)
    Returns out, of shape (N, F, H', W') with H' = 1 + (H + 2p - HH) // s, and the cache.
    """
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    Fn, _, HH, WW = w.shape
    Ho, Wo = conv_output_size(H, HH, stride, pad), conv_output_size(W, WW, stride, pad)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.empty((N, Fn, Ho, Wo), dtype=np.result_type(x, w))
    for i in range(Ho):
        for j in range(Wo):
            window = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    """Gradients of conv_forward_naive: dout of shape (N, F, H', W') -> (dx, dw, db)."""
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    _, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp, dtype=np.result_type(x, dout))
    dw = np.zeros_like(w, dtype=np.result_type(w, dout))
    for i in range(Ho):
        for j in range(Wo):
            rows, cols = slice(i * stride, i * stride + HH), slice(j * stride, j * stride + WW)
            g = dout[:, :, i, j]                                            # (N, F)
            dw += np.tensordot(g, xp[:, :, rows, cols], axes=([0], [0]))    # (F, C, HH, WW)
            dxp[:, :, rows, cols] += np.tensordot(g, w, axes=([1], [0]))     # (N, C, HH, WW)
    dx = dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    return dx, dw, dout.sum(axis=(0, 2, 3))


# ---------------------------------------------------------------------------------------------
# convnets_numpy section 2: max pooling
# ---------------------------------------------------------------------------------------------

def max_pool_forward_naive(x, pool_param):
    """Max pooling over windows of pool_height x pool_width, moved by stride (no padding).

    x: input, of shape (N, C, H, W)
    pool_param: {'pool_height', 'pool_width', 'stride'}
    Returns out, of shape (N, C, H', W') with H' = 1 + (H - pool_height) // stride, and the cache.
    """
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    Ho, Wo = 1 + (H - ph) // s, 1 + (W - pw) // s
    out = np.empty((N, C, Ho, Wo), dtype=x.dtype)
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i * s:i * s + ph, j * s:j * s + pw].max(axis=(2, 3))
    return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
    """Gradient of max pooling: each window's upstream gradient goes to its (first) maximum."""
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, _, _ = x.shape
    _, _, Ho, Wo = dout.shape
    dx = np.zeros_like(x, dtype=np.result_type(x, dout))
    n_idx, c_idx = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * s:i * s + ph, j * s:j * s + pw].reshape(N, C, -1)
            r, q = np.unravel_index(window.argmax(axis=2), (ph, pw))
            dx[n_idx, c_idx, i * s + r, j * s + q] += dout[:, :, i, j]
    return dx


# ---------------------------------------------------------------------------------------------
# convnets_numpy section 3: three-layer ConvNet (numpy)
# ---------------------------------------------------------------------------------------------

class ThreeLayerConvNet:
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax, on (N, C, H, W) inputs.

    Parameters in self.params: W1 (F, C, HH, WW), b1 (F,), W2 (F * H/2 * W/2, hidden), b2
    (hidden,), W3 (hidden, classes), b3 (classes,); weights normal with std weight_scale, biases
    zero, all of `dtype`. The convolution keeps the size ('same' padding, stride 1).
    """

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100,
                 num_classes=10, weight_scale=1e-3, reg=0.0, dtype=np.float32):
        self.reg, self.dtype = reg, dtype
        C, H, W = input_dim
        shapes = {"W1": (num_filters, C, filter_size, filter_size), "b1": (num_filters,),
                  "W2": (num_filters * (H // 2) * (W // 2), hidden_dim), "b2": (hidden_dim,),
                  "W3": (hidden_dim, num_classes), "b3": (num_classes,)}
        self.params = {k: (np.random.normal(0.0, weight_scale, s) if k[0] == "W" else np.zeros(s)).astype(dtype)
                       for k, s in shapes.items()}

    def loss(self, X, y=None):
        """Scores (N, classes) when y is None; else (loss, grads) with L2 0.5 * reg * sum(W**2)
        on W1, W2 and W3."""
        p = self.params
        filter_size = p["W1"].shape[2]
        conv_param = {"stride": 1, "pad": (filter_size - 1) // 2}
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
        a1, conv_cache = conv_forward_naive(X, p["W1"], p["b1"], conv_param)
        r1, relu1_cache = relu_forward(a1)
        pooled, pool_cache = max_pool_forward_naive(r1, pool_param)
        a2, fc1_cache = affine_forward(pooled, p["W2"], p["b2"])
        r2, relu2_cache = relu_forward(a2)
        scores, fc2_cache = affine_forward(r2, p["W3"], p["b3"])
        if y is None:
            return scores
        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * sum(np.sum(p[k] ** 2) for k in ("W1", "W2", "W3"))
        grads = {}
        dr2, grads["W3"], grads["b3"] = affine_backward(dscores, fc2_cache)
        dpooled, grads["W2"], grads["b2"] = affine_backward(relu_backward(dr2, relu2_cache), fc1_cache)
        dr1 = max_pool_backward_naive(dpooled, pool_cache)
        _, grads["W1"], grads["b1"] = conv_backward_naive(relu_backward(dr1, relu1_cache), conv_cache)
        for k in ("W1", "W2", "W3"):
            grads[k] = grads[k] + self.reg * p[k]
        return loss, grads


# ---------------------------------------------------------------------------------------------
# convnets_numpy section 4: spatial batch normalisation
# ---------------------------------------------------------------------------------------------

def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalisation per channel over the batch and both spatial axes.

    x: input, of shape (N, C, H, W); gamma, beta: scale and shift, of shape (C,)
    bn_param: 'mode' ('train' or 'test'), 'eps' (default 1e-5), 'momentum' (default 0.9),
      'running_mean', 'running_var' (of shape (C,); zeros when absent). In train mode the batch
      statistics (variance biased, ddof = 0) normalise x and the running statistics become
      momentum * running + (1 - momentum) * batch; in test mode the running ones normalise x.
      The running statistics are written back into bn_param.
    Returns out, of shape (N, C, H, W), and the cache.
    """
    mode = bn_param["mode"]
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    C = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(C, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(C, dtype=x.dtype))
    g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    if mode == "train":
        mean = x.mean(axis=(0, 2, 3))
        var = x.var(axis=(0, 2, 3))
        std = np.sqrt(var + eps).reshape(1, C, 1, 1)
        xhat = (x - mean.reshape(1, C, 1, 1)) / std
        out = g * xhat + b
        cache = (xhat, gamma, std)
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
    elif mode == "test":
        xhat = (x - running_mean.reshape(1, C, 1, 1)) / np.sqrt(running_var.reshape(1, C, 1, 1) + eps)
        out = g * xhat + b
        cache = None
    else:
        raise ValueError(f"invalid batchnorm mode {mode!r}")
    bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
    return out, cache


def spatial_batchnorm_backward(dout, cache):
    """Gradients of the train-mode forward: dout (N, C, H, W) -> (dx, dgamma (C,), dbeta (C,))."""
    xhat, gamma, std = cache
    C = dout.shape[1]
    m = dout.shape[0] * dout.shape[2] * dout.shape[3]
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dxhat = dout * gamma.reshape(1, C, 1, 1)
    dx = (dxhat - dxhat.sum(axis=(0, 2, 3), keepdims=True) / m
          - xhat * (dxhat * xhat).sum(axis=(0, 2, 3), keepdims=True) / m) / std
    return dx, dgamma, dbeta


# ---------------------------------------------------------------------------------------------
# convnets_numpy section 5: spatial group normalisation
# ---------------------------------------------------------------------------------------------

def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Group normalisation: per sample, over each block of C // G contiguous channels and both
    spatial axes (variance biased).

    x: input, of shape (N, C, H, W) with C % G == 0
    gamma, beta: scale and shift, of shape (1, C, 1, 1)
    gn_param: may hold 'eps' (default 1e-5)
    Returns out, of shape (N, C, H, W), and the cache.
    """
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, G, C // G, H, W)
    mean = xg.mean(axis=(2, 3, 4), keepdims=True)
    std = np.sqrt(xg.var(axis=(2, 3, 4), keepdims=True) + eps)
    xhat = ((xg - mean) / std).reshape(N, C, H, W)
    return gamma * xhat + beta, (xhat, gamma, std, G)


def spatial_groupnorm_backward(dout, cache):
    """Gradients: dout (N, C, H, W) -> (dx, dgamma (1, C, 1, 1), dbeta (1, C, 1, 1))."""
    xhat, gamma, std, G = cache
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)
    dgamma = (dout * xhat).sum(axis=(0, 2, 3), keepdims=True)
    dxhat = (dout * gamma).reshape(N, G, C // G, H, W)
    xh = xhat.reshape(N, G, C // G, H, W)
    m = (C // G) * H * W
    dx = (dxhat - dxhat.sum(axis=(2, 3, 4), keepdims=True) / m
          - xh * (dxhat * xh).sum(axis=(2, 3, 4), keepdims=True) / m) / std
    return dx.reshape(N, C, H, W), dgamma, dbeta


# ---------------------------------------------------------------------------------------------
# convnets_pytorch section 1: barebones three-layer ConvNet
# ---------------------------------------------------------------------------------------------

def three_layer_convnet(x, params):
    """conv (pad 2) - relu - conv (pad 1) - relu - flatten - x @ fc_w + fc_b.

    x: images, of shape (N, C, H, W)
    params: [conv_w1 (channel_1, C, 5, 5), conv_b1 (channel_1,), conv_w2 (channel_2,
      channel_1, 3, 3), conv_b2 (channel_2,), fc_w (channel_2 * H * W, classes), fc_b (classes,)]
    Returns scores, of shape (N, classes).
    """
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    h = F.relu(F.conv2d(x, conv_w1, conv_b1, padding=2))
    h = F.relu(F.conv2d(h, conv_w2, conv_b2, padding=1))
    return h.flatten(1) @ fc_w + fc_b


# ---------------------------------------------------------------------------------------------
# convnets_pytorch section 2: initialisation
# ---------------------------------------------------------------------------------------------

def init_convnet_params(channel_1, channel_2, num_classes, in_channels=3, height=32, width=32):
    """The six parameters of three_layer_convnet: Kaiming-normal weights (random_weight) and
    zero biases (zero_weight), 5x5 then 3x3 kernels, all with requires_grad."""
    return [random_weight((channel_1, in_channels, 5, 5)), zero_weight((channel_1,)),
            random_weight((channel_2, channel_1, 3, 3)), zero_weight((channel_2,)),
            random_weight((channel_2 * height * width, num_classes)), zero_weight((num_classes,))]


# ---------------------------------------------------------------------------------------------
# convnets_pytorch section 3: nn.Module
# ---------------------------------------------------------------------------------------------

def _kaiming_zero(*layers):
    for layer in layers:
        nn.init.kaiming_normal_(layer.weight)
        nn.init.zeros_(layer.bias)


class TorchThreeLayerConvNet(nn.Module):
    """The notebook's `ThreeLayerConvNet(nn.Module)`: self.conv1 (5x5, pad 2), self.conv2 (3x3,
    pad 1), self.fc (channel_2 * 32 * 32 -> num_classes); Kaiming-normal weights, zero biases.
    forward: x of shape (N, in_channel, 32, 32) -> scores of shape (N, num_classes)."""

    def __init__(self, in_channel, channel_1, channel_2, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channel, channel_1, 5, padding=2)
        self.conv2 = nn.Conv2d(channel_1, channel_2, 3, padding=1)
        self.fc = nn.Linear(channel_2 * 32 * 32, num_classes)
        _kaiming_zero(self.conv1, self.conv2, self.fc)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        return self.fc(x.flatten(1))


# ---------------------------------------------------------------------------------------------
# convnets_pytorch section 4: nn.Sequential
# ---------------------------------------------------------------------------------------------

def build_sequential_convnet(channel_1, channel_2, num_classes):
    """The same network as an nn.Sequential (3 input channels, 32 x 32 images), initialised the
    same way."""
    model = nn.Sequential(
        nn.Conv2d(3, channel_1, 5, padding=2), nn.ReLU(),
        nn.Conv2d(channel_1, channel_2, 3, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(channel_2 * 32 * 32, num_classes))
    _kaiming_zero(model[0], model[2], model[5])
    return model


# ---------------------------------------------------------------------------------------------
# convnets_pytorch section 5: the challenge
# ---------------------------------------------------------------------------------------------

def build_best_model():
    """The instructor's challenge model (the calibration reference): three conv blocks with batch
    normalisation and max pooling, then a small classifier; input (N, 3, 32, 32) floats as the
    notebook's loader gives them (pixels / 255 minus the mean, divided by the std), output
    (N, 10) scores."""
    def block(c_in, c_out):
        return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
    return nn.Sequential(
        *block(3, 32), *block(32, 32), nn.MaxPool2d(2),
        *block(32, 64), nn.MaxPool2d(2),
        *block(64, 96), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Dropout(0.2), nn.Linear(96, 10))
