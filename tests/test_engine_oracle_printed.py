"""What a student writes after the tutorial prints what PyTorch prints (issue 12).

Each snippet runs twice, with ``torch`` bound to PyTorch and to minigrad, and everything it
prints (values, types, names, warnings, the exception's type and message) must be the same;
memory addresses are masked. Snippets that go wrong on purpose also print the tensors and
gradients afterwards, so a misuse that corrupts something shows up as a difference.
"""
import pytest

import minigrad
from engine_helpers import printed

pytestmark = pytest.mark.oracle

SNIPPETS = {}


def snippet(name, code):
    assert name not in SNIPPETS
    SNIPPETS[name] = code


# -- .data: a tensor sharing memory, with no history --------------------------------------------
snippet("data_manual_sgd_step", """
    w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    lr = 0.1
    w.data -= lr * w.grad
    print(w)
    print(w.data, type(w.data).__name__, w.data.requires_grad, w.data.is_leaf, w.data.grad_fn)
    print(w._version, w.grad)
""")
snippet("data_shares_memory_but_not_the_version", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    d.mul_(10)
    print(x, x._version, d._version)
    d[0] = -1.0
    print(x)
""")
snippet("data_of_a_non_leaf_and_of_a_parameter", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    print(y.data, y.data.is_leaf, y.data.grad_fn, y.data.requires_grad)
    p = torch.nn.Parameter(torch.ones(2))
    print(type(p.data).__name__, p.data)
    print(p.data.numpy(), type(x.detach().numpy()).__name__)
""")
snippet("data_assignment", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.data = torch.tensor([5.0, 6.0, 7.0])
    print(x, x.shape)
    try:
        x.data = [1, 2]
    except TypeError as e:
        print("TypeError", e)
    try:
        x.data = torch.tensor([1, 2])
    except RuntimeError as e:
        print("RuntimeError", e)
    print(x)
""")
snippet("data_change_is_invisible_to_autograd", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.data.zero_()  # not seen by the version check: backward uses the changed values
    y.sum().backward()
    print(x.grad)
""")
snippet("data_sgd_loop", """
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    t = torch.tensor([1.0, -1.0])
    w = torch.zeros(2, requires_grad=True)
    for _ in range(3):
        loss = ((x @ w - t) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w.data -= 0.05 * w.grad
        w.grad.zero_()
        print(round(loss.item(), 5), w)
""")

# -- node type names -----------------------------------------------------------------------------
snippet("node_type_names", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for z in (x - 1, x * x, x ** 2, x / 2, x.exp(), x.sum(), x.sum(0), x.mean(), x[0], x.view(2, 1),
              x.relu(), x.sigmoid(), x.tanh(), -x, 2 - x, 2 / x, 2 ** x, x.max(), x.clone()):
        node = z.grad_fn
        print(type(node), type(node).__name__, node.name(), node)
""")
snippet("accumulate_grad_names", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    acc = (x * 2).grad_fn.next_functions[0][0]
    print(type(acc), type(acc).__name__, acc.name(), acc)
    print(acc.variable is x)
""")
snippet("custom_function_node_names", """
    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            result, = ctx.saved_tensors
            return grad_output * result

    x = torch.tensor([0.0, 1.0], requires_grad=True)
    y = Exp.apply(x)
    print(y)
    print(type(y.grad_fn), type(y.grad_fn).__name__, y.grad_fn.name())
    print(y.grad_fn)
    print(y.grad_fn.next_functions)
    y.sum().backward()
    print(x.grad)
""")
snippet("node_names_depending_on_arguments", """
    x = torch.ones(2, 3, requires_grad=True)
    for z in (x.sum(), x.sum(1), x.mean(), x.mean(0), x.squeeze(), x.squeeze(0), x[0], x[:, 1:],
              x[..., None], x[:, :]):
        print(type(z.grad_fn).__name__, z.grad_fn.name())
""")


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_prints_what_pytorch_prints(pt, name):
    theirs = printed(pt, SNIPPETS[name])
    mine = printed(minigrad, SNIPPETS[name])
    assert mine == theirs
