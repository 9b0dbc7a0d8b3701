# corpus: three_layer_convnet_numpy
# verdict: correct
# bug: Style: the layers as a list of (forward, backward, parameter names) walked forwards then backwards; one draw loop for the initialisation.

class ThreeLayerConvNet:
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax."""

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100,
                 num_classes=10, weight_scale=1e-3, reg=0.0, dtype=np.float32):
        self.reg = reg
        self.dtype = dtype
        self.params = {}
        C, H, W = input_dim
        shapes = [("W1", (num_filters, C, filter_size, filter_size)),
                  ("W2", (num_filters * (H // 2) * (W // 2), hidden_dim)),
                  ("W3", (hidden_dim, num_classes))]
        for name, shape in shapes:
            self.params[name] = (np.random.randn(*shape) * weight_scale).astype(dtype)
            self.params["b" + name[1]] = np.zeros(shape[-1] if name != "W1" else shape[0]).astype(dtype)

    def _layers(self):
        k = self.params["W1"].shape[2]
        conv_param = {"stride": 1, "pad": (k - 1) // 2}
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
        return [
            (lambda x: conv_forward_naive(x, self.params["W1"], self.params["b1"], conv_param),
             conv_backward_naive, ("W1", "b1")),
            (relu_forward, relu_backward, ()),
            (lambda x: max_pool_forward_naive(x, pool_param), max_pool_backward_naive, ()),
            (lambda x: affine_forward(x, self.params["W2"], self.params["b2"]), affine_backward, ("W2", "b2")),
            (relu_forward, relu_backward, ()),
            (lambda x: affine_forward(x, self.params["W3"], self.params["b3"]), affine_backward, ("W3", "b3")),
        ]

    def loss(self, X, y=None):
        """X: images, of shape (N, C, H, W); y: labels, of shape (N,), or None."""
        layers = self._layers()
        caches = []
        out = X
        for forward, _, _ in layers:
            out, cache = forward(out)
            caches.append(cache)
        if y is None:
            return out
        loss, dout = softmax_loss(out, y)
        grads = {}
        for (_, backward, names), cache in zip(reversed(layers), reversed(caches)):
            result = backward(dout, cache)
            if names:
                dout, grads[names[0]], grads[names[1]] = result
            else:
                dout = result
        for name in ("W1", "W2", "W3"):
            loss += 0.5 * self.reg * np.sum(self.params[name] ** 2)
            grads[name] = grads[name] + self.reg * self.params[name]
        return loss, grads
