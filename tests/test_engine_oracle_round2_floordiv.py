"""``//``, ``torch.floor_divide`` and ``floor_divide_`` against PyTorch: values (rounded towards
-inf, ±inf and nan for a float divided by 0), dtypes, broadcasting, errors, and the missing
derivative (the result requires grad through a node named NotImplemented, whose backward raises
PyTorch's error and changes no .grad)."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minigrad
from engine_helpers import examples, printed

pytestmark = pytest.mark.oracle


def _outcome(f):
    try:
        r = f()
    except Exception as error:  # noqa: BLE001 (the type and message are what is compared)
        return type(error), str(error)
    return repr(r)


SHAPES = st.sampled_from([((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 4)), ((), (2,)), ((4,), ())])


@settings(max_examples=examples(1.0))
@given(
    shapes=SHAPES,
    seed=st.integers(0, 2**32 - 1),
    dtypes=st.sampled_from(
        [
            ("float32", "float32"),
            ("int64", "int64"),
            ("int64", "float32"),
            ("float64", "int64"),
            ("int32", "int64"),
            ("float32", "float64"),
        ]
    ),
    zeros=st.booleans(),
)
def test_floor_divide_of_tensors_matches_pytorch(pt, shapes, seed, dtypes, zeros):
    rng = np.random.default_rng(seed)
    a = rng.integers(-20, 20, size=shapes[0]) * (0.5 if dtypes[0].startswith("float") else 1)
    b = rng.integers(-5, 5, size=shapes[1]) * (0.5 if dtypes[1].startswith("float") else 1)
    if not zeros:
        b = np.where(b == 0, 3, b)

    def run(T):
        x, y = T.tensor(a, dtype=getattr(T, dtypes[0])), T.tensor(b, dtype=getattr(T, dtypes[1]))
        return [
            _outcome(lambda: x // y),
            _outcome(lambda: T.floor_divide(x, y)),
            _outcome(lambda: x.floor_divide(y)),
        ]

    assert run(minigrad) == run(pt)


NUMBERS = [2, -3, 2.5, -0.5, 0, 0.0, True]


@pytest.mark.parametrize("number", NUMBERS, ids=[repr(n) for n in NUMBERS])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_floor_divide_with_a_number_matches_pytorch(pt, number, dtype):
    def run(T):
        x = T.tensor([7, -7, 3, 0, 1]).to(getattr(T, dtype))
        return [
            _outcome(lambda: x // number),
            _outcome(lambda: number // x),
            _outcome(lambda: T.floor_divide(x, number)),
        ]

    assert run(minigrad) == run(pt)


def test_floor_divide_requires_grad_but_has_no_derivative(pt):
    seen = []
    for T in (minigrad, pt):
        x = T.tensor([3.0, -4.0], requires_grad=True)
        w = T.tensor([1.5, 2.0], requires_grad=True)
        y, z, r = x // 2, x // w, 5 // x
        described = [
            (
                repr(t),
                t.requires_grad,
                type(t.grad_fn).__name__,
                t.grad_fn.name(),
                len(t.grad_fn.next_functions),
            )
            for t in (y, z, r)
        ]
        x.grad = T.tensor([1.0, 1.0])
        errors = [
            _outcome(lambda: (y + x).sum().backward()),
            _outcome(lambda: T.autograd.grad(z.sum(), w)),
        ]
        assert x.grad.tolist() == [1.0, 1.0] and w.grad is None  # nothing written
        with T.no_grad():
            off = (x // 2).requires_grad
        seen.append((described, errors, off))
    assert seen[0] == seen[1]


def test_floor_divide_in_place_matches_pytorch(pt):
    def run(T):
        x = T.tensor([7, -7, 4])
        x //= 2
        y = T.tensor([7.0, -7.5], requires_grad=True) * 1
        y //= 2
        leaf = T.tensor([3.0, 4.0], requires_grad=True)
        return [
            repr(x),
            x._version,
            repr(y),
            type(y.grad_fn).__name__,
            _outcome(lambda: leaf.floor_divide_(2)),
            leaf.tolist(),
            leaf._version,
            _outcome(lambda: T.tensor([3, 4]).floor_divide_(T.tensor([1, 0]))),
        ]

    assert run(minigrad) == run(pt)


# -- snippets a student writes: printed as PyTorch prints them (engine_helpers.printed) -----
PRINTED_SNIPPETS = {}
PRINTED_SNIPPETS["remainder"] = """
    x = torch.tensor([5.0, -3.5, 2.0], requires_grad=True)
    y = torch.tensor([2.0, 2.0, -1.5], requires_grad=True)
    for r in [x % 2, x % y, 7 % x, x.remainder(2), torch.remainder(x, y), x % torch.tensor(2.0)]:
        print(r, r.grad_fn.name())
    (x % y).sum().backward(); print(x.grad, y.grad)
    x.grad = None
    try:
        (7 % x).sum().backward()
    except Exception as e:
        print(type(e).__name__, e)
    print(torch.tensor([5,-3]) % 2, torch.tensor([5, -3]) % 2.5)
    try: print(torch.tensor([5]) % 0)
    except Exception as e: print(type(e).__name__, e)
    try: print(torch.tensor([True]) % torch.tensor([True]))
    except Exception as e: print(type(e).__name__, e)
    print(torch.tensor([5.]) % 0)
    a = torch.tensor([5.0, 3.0]); a %= 2; print(a, a._version)
    x = torch.tensor([5.0, -3.5], requires_grad=True)
    g, = torch.autograd.grad((x % 2).sum(), x, create_graph=True); print(g)
    y = torch.tensor([2.0, 2.0], requires_grad=True)
    g = torch.autograd.grad((x % y).sum(), [x, y], create_graph=True); print(g)
    i = torch.tensor([1, 2])
    for e in (-1, torch.tensor(-1), torch.tensor([-1, 2])):
        try:
            print(i ** e)
        except Exception as err:
            print(type(err).__name__, err)
    print(i ** 2, i ** torch.tensor([0, 3]), 2 ** i)
    try:
        print(2 ** torch.tensor([-1]))
    except Exception as err:
        print(type(err).__name__, err)
"""
PRINTED_SNIPPETS["ops_with_none_and_strings"] = """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([1.0, 2.0])
    for f in [lambda: x - None, lambda: x + None, lambda: x * None, lambda: x / None, lambda: None * x, lambda: x ** None, lambda: x @ None, lambda: x + "a", lambda: x == None, lambda: x < None]:
        try:
            print(f())
        except Exception as e:
            print(type(e).__name__, e)
    for op in ("__isub__", "__iadd__", "__imul__", "__itruediv__"):
        try:
            t = y.clone()
            exec(f"t {dict(__isub__='-=', __iadd__='+=', __imul__='*=', __itruediv__='/=')[op]} None")
        except Exception as e:
            print(type(e).__name__, e)
    try:
        x -= None
    except Exception as e:
        print(type(e).__name__, e)
    print(x, y)
"""


@pytest.mark.parametrize("name", sorted(PRINTED_SNIPPETS))
def test_snippet_prints_what_pytorch_prints(pt, name):
    assert printed(minigrad, PRINTED_SNIPPETS[name]) == printed(pt, PRINTED_SNIPPETS[name])
