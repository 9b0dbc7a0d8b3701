# corpus: three_layer_convnet_numpy
# verdict: wrong
# bug: The biases are drawn from the same normal as the weights instead of starting at zero.

class ThreeLayerConvNet:
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax."""

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100,
                 num_classes=10, weight_scale=1e-3, reg=0.0, dtype=np.float32):
        self.reg = reg
        self.dtype = dtype
        self.params = {}
        C, H, W = input_dim
        self.params["W1"] = weight_scale * np.random.randn(num_filters, C, filter_size, filter_size)
        self.params["b1"] = weight_scale * np.random.randn(num_filters)
        self.params["W2"] = weight_scale * np.random.randn(num_filters * (H // 2) * (W // 2), hidden_dim)
        self.params["b2"] = weight_scale * np.random.randn(hidden_dim)
        self.params["W3"] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params["b3"] = weight_scale * np.random.randn(num_classes)
        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        """X: images, of shape (N, C, H, W); y: labels, of shape (N,), or None."""
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        W3, b3 = self.params["W3"], self.params["b3"]
        filter_size = W1.shape[2]
        conv_param = {"stride": 1, "pad": (filter_size - 1) // 2}
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}

        a1, conv_cache = conv_forward_naive(X, W1, b1, conv_param)
        h1, relu1_cache = relu_forward(a1)
        p1, pool_cache = max_pool_forward_naive(h1, pool_param)
        a2, fc1_cache = affine_forward(p1, W2, b2)
        h2, relu2_cache = relu_forward(a2)
        scores, fc2_cache = affine_forward(h2, W3, b3)
        if y is None:
            return scores

        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(W3 * W3))
        grads = {}
        dh2, grads["W3"], grads["b3"] = affine_backward(dscores, fc2_cache)
        da2 = relu_backward(dh2, relu2_cache)
        dp1, grads["W2"], grads["b2"] = affine_backward(da2, fc1_cache)
        dh1 = max_pool_backward_naive(dp1, pool_cache)
        da1 = relu_backward(dh1, relu1_cache)
        _, grads["W1"], grads["b1"] = conv_backward_naive(da1, conv_cache)
        grads["W3"] += self.reg * W3
        grads["W2"] += self.reg * W2
        grads["W1"] += self.reg * W1
        return loss, grads
