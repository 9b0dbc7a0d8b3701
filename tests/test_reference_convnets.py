"""reference/convnets.py and the handout (handouts/cnn_helpers.py) checked against PyTorch's own
layers and autograd (float64) and against finite differences; the three PyTorch versions of the
network against each other. (The source notebooks' solutions pass every hidden test, which
compares them with this reference: tests/test_grader.py.)"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from handouts import cnn_helpers as helpers
from reference import convnets as ref

RNG = np.random.default_rng(2026)


def t(a, grad=True):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def close(a, b, tol=1e-10):
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else b
    assert np.max(np.abs(np.asarray(a) - b)) <= tol * max(1.0, float(np.max(np.abs(b)))), np.max(np.abs(np.asarray(a) - b))


@pytest.mark.parametrize("x, w, stride, pad", [((2, 3, 5, 5), (4, 3, 3, 3), 1, 1), ((1, 1, 7, 5), (2, 1, 3, 3), 2, 1),
                                               ((2, 3, 4, 6), (2, 3, 2, 4), 2, 2)])
def test_conv_matches_torch(x, w, stride, pad):
    x, w, b = RNG.standard_normal(x), RNG.standard_normal(w), RNG.standard_normal(w[0])
    out, cache = ref.conv_forward_naive(x, w, b, {"stride": stride, "pad": pad})
    tx, tw, tb = t(x), t(w), t(b)
    expected = F.conv2d(tx, tw, tb, stride=stride, padding=pad)
    close(out, expected)
    dout = RNG.standard_normal(out.shape)
    (expected * torch.tensor(dout)).sum().backward()
    for mine, theirs in zip(ref.conv_backward_naive(dout, cache), (tx.grad, tw.grad, tb.grad)):
        close(mine, theirs)


@pytest.mark.parametrize("shape, ph, pw, s", [((2, 3, 4, 4), 2, 2, 2), ((2, 2, 5, 7), 2, 3, 1), ((1, 1, 7, 5), 3, 1, 2)])
def test_max_pool_matches_torch(shape, ph, pw, s):
    x = RNG.standard_normal(shape)
    out, cache = ref.max_pool_forward_naive(x, {"pool_height": ph, "pool_width": pw, "stride": s})
    tx = t(x)
    expected = F.max_pool2d(tx, (ph, pw), s)
    close(out, expected)
    dout = RNG.standard_normal(out.shape)
    (expected * torch.tensor(dout)).sum().backward()
    close(ref.max_pool_backward_naive(dout, cache), tx.grad)


def test_batchnorm_matches_torch_and_its_running_statistics():
    x, gamma, beta = 3 * RNG.standard_normal((4, 3, 5, 2)) + 1, RNG.standard_normal(3), RNG.standard_normal(3)
    bn_param = {"mode": "train", "momentum": 0.8}
    out, cache = ref.spatial_batchnorm_forward(x, gamma, beta, bn_param)
    tx, tg, tb = t(x), t(gamma), t(beta)
    expected = F.batch_norm(tx, None, None, tg, tb, training=True, eps=1e-5)
    close(out, expected)
    dout = RNG.standard_normal(out.shape)
    (expected * torch.tensor(dout)).sum().backward()
    for mine, theirs in zip(ref.spatial_batchnorm_backward(dout, cache), (tx.grad, tg.grad, tb.grad)):
        close(mine, theirs, 1e-9)
    # running statistics: the contract's momentum is the weight of the old value (torch's is 1 - it)
    # and its running variance is biased (torch's is not)
    close(bn_param["running_mean"], 0.2 * x.mean(axis=(0, 2, 3)))
    close(bn_param["running_var"], 0.2 * x.var(axis=(0, 2, 3)))
    test_out, _ = ref.spatial_batchnorm_forward(x, gamma, beta, {**bn_param, "mode": "test"})
    close(test_out, F.batch_norm(tx, torch.tensor(bn_param["running_mean"]), torch.tensor(bn_param["running_var"]),
                                 tg, tb, training=False, eps=1e-5))


@pytest.mark.parametrize("G", [1, 2, 6])
def test_groupnorm_matches_torch(G):
    x = 2 * RNG.standard_normal((3, 6, 4, 3)) + 1
    gamma, beta = RNG.standard_normal((1, 6, 1, 1)), RNG.standard_normal((1, 6, 1, 1))
    out, cache = ref.spatial_groupnorm_forward(x, gamma, beta, G, {})
    tx, tg, tb = t(x), t(gamma.ravel()), t(beta.ravel())
    expected = F.group_norm(tx, G, tg, tb, eps=1e-5)
    close(out, expected)
    dout = RNG.standard_normal(out.shape)
    (expected * torch.tensor(dout)).sum().backward()
    dx, dgamma, dbeta = ref.spatial_groupnorm_backward(dout, cache)
    close(dx, tx.grad, 1e-9)
    close(dgamma.ravel(), tg.grad, 1e-9)
    close(dbeta.ravel(), tb.grad, 1e-9)


def test_numpy_convnet_gradients_match_finite_differences():
    np.random.seed(0)
    model = ref.ThreeLayerConvNet(input_dim=(2, 6, 6), num_filters=3, filter_size=3, hidden_dim=5,
                                  num_classes=4, weight_scale=0.3, reg=0.2, dtype=np.float64)
    X, y = RNG.standard_normal((3, 2, 6, 6)), np.array([0, 3, 1])
    _, grads = model.loss(X, y)
    for name, value in model.params.items():
        num = helpers.eval_numerical_gradient(lambda _: model.loss(X, y)[0], value, h=1e-6)
        assert helpers.rel_error(grads[name], num) < 1e-5, name


def test_given_layers_match_torch():
    x, w, b = RNG.standard_normal((4, 2, 3)), RNG.standard_normal((6, 5)), RNG.standard_normal(5)
    out, cache = helpers.affine_forward(x, w, b)
    tx, tw, tb = t(x), t(w), t(b)
    expected = tx.reshape(4, -1) @ tw + tb
    close(out, expected)
    dout = RNG.standard_normal(out.shape)
    (expected * torch.tensor(dout)).sum().backward()
    for mine, theirs in zip(helpers.affine_backward(dout, cache), (tx.grad, tw.grad, tb.grad)):
        close(mine, theirs)
    scores, y = RNG.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
    loss, dscores = helpers.softmax_loss(scores, y)
    ts = t(scores)
    expected = F.cross_entropy(ts, torch.tensor(y))
    expected.backward()
    close(loss, expected)
    close(dscores, ts.grad)


def test_three_pytorch_versions_agree():
    torch.manual_seed(0)
    module = ref.TorchThreeLayerConvNet(3, 4, 3, 5).double()
    seq = ref.build_sequential_convnet(4, 3, 5).double()
    with torch.no_grad():
        for p, q in zip(seq.parameters(), module.parameters()):
            p.copy_(q)
    x = torch.randn(2, 3, 32, 32, dtype=torch.float64)
    params = [module.conv1.weight, module.conv1.bias, module.conv2.weight, module.conv2.bias,
              module.fc.weight.t(), module.fc.bias]
    close(module(x).detach().numpy(), seq(x))
    close(module(x).detach().numpy(), ref.three_layer_convnet(x, params))


def test_kaiming_initialisation():
    torch.manual_seed(0)
    params = ref.init_convnet_params(32, 16, 10)
    for p, fan_in in zip(params[::2], (3 * 25, 32 * 9, 16 * 32 * 32)):
        assert abs(float(p.detach().std()) / np.sqrt(2 / fan_in) - 1) < 0.1
    assert all(float(b.abs().sum()) == 0 and b.requires_grad and b.is_leaf for b in params[1::2])
