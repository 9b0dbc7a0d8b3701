# corpus: three_layer_convnet_numpy
# verdict: correct
# bug: Style: np.random.normal for the weights, and the affine, ReLU and softmax steps written inline with matrix products instead of the given layers.

class ThreeLayerConvNet:
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax."""

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100,
                 num_classes=10, weight_scale=1e-3, reg=0.0, dtype=np.float32):
        self.reg = reg
        self.dtype = dtype
        self.params = {}
        C, H, W = input_dim
        pooled = num_filters * (H // 2) * (W // 2)
        self.params["W1"] = np.random.normal(0.0, weight_scale, size=(num_filters, C, filter_size, filter_size)).astype(dtype)
        self.params["b1"] = np.zeros(num_filters, dtype=dtype)
        self.params["W2"] = np.random.normal(0.0, weight_scale, size=(pooled, hidden_dim)).astype(dtype)
        self.params["b2"] = np.zeros(hidden_dim, dtype=dtype)
        self.params["W3"] = np.random.normal(0.0, weight_scale, size=(hidden_dim, num_classes)).astype(dtype)
        self.params["b3"] = np.zeros(num_classes, dtype=dtype)

    def loss(self, X, y=None):
        """X: images, of shape (N, C, H, W); y: labels, of shape (N,), or None."""
        p = self.params
        N = X.shape[0]
        k = p["W1"].shape[2]
        conv, conv_cache = conv_forward_naive(X, p["W1"], p["b1"], {"stride": 1, "pad": (k - 1) // 2})
        relu1 = np.maximum(conv, 0)
        pooled, pool_cache = max_pool_forward_naive(relu1, {"pool_height": 2, "pool_width": 2, "stride": 2})
        flat = pooled.reshape(N, -1)
        hidden_in = flat @ p["W2"] + p["b2"]
        hidden = np.maximum(hidden_in, 0)
        scores = hidden @ p["W3"] + p["b3"]
        if y is None:
            return scores

        shifted = scores - scores.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        data_loss = -log_probs[np.arange(N), y].mean()
        reg_loss = 0.5 * self.reg * sum(np.sum(p[name] ** 2) for name in ("W1", "W2", "W3"))

        dscores = np.exp(log_probs)
        dscores[np.arange(N), y] -= 1
        dscores /= N
        grads = {"W3": hidden.T @ dscores + self.reg * p["W3"], "b3": dscores.sum(axis=0)}
        dhidden = (dscores @ p["W3"].T) * (hidden_in > 0)
        grads["W2"] = flat.T @ dhidden + self.reg * p["W2"]
        grads["b2"] = dhidden.sum(axis=0)
        dpooled = (dhidden @ p["W2"].T).reshape(pooled.shape)
        drelu1 = max_pool_backward_naive(dpooled, pool_cache)
        dconv = drelu1 * (conv > 0)
        _, dW1, db1 = conv_backward_naive(dconv, conv_cache)
        grads["W1"] = dW1 + self.reg * p["W1"]
        grads["b1"] = db1
        return data_loss + reg_loss, grads
