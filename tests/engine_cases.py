"""Every differentiable op as a hypothesis strategy of (function, float64 inputs).

Each strategy draws shapes (broadcasting, dims, keepdim, keys ...) and a seed, and returns a
``Case``: ``fn(T, *tensors)`` written once against the PyTorch API so that it runs with
``T = minigrad`` (finite-difference tests) and with ``T = torch`` (oracle tests), plus the input
arrays, kept away from the points where the op is not differentiable.
"""

from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine_helpers import away_from, away_from_zero, const, distinct, normal, positive


@dataclass
class Case:
    fn: object
    arrays: list
    note: str = ""
    extra: dict = field(default_factory=dict)

    def __repr__(self):  # shown by hypothesis when an example fails
        shapes = [a.shape for a in self.arrays]
        return f"Case({self.note}, shapes={shapes})"


seeds = st.integers(0, 2**32 - 1)
small_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
nonscalar_shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def rng_of(draw):
    return np.random.default_rng(draw(seeds))


def two_broadcastable(draw):
    shapes = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)
    ).input_shapes
    return shapes


CASES = {}  # name -> (strategy, smooth)


def case(name, smooth=True):
    def register(strategy_fn):
        CASES[name] = (st.composite(strategy_fn)(), smooth)
        return strategy_fn

    return register


# -- arithmetic: tensor/tensor (broadcasting), tensor/scalar, scalar/tensor ----------------------
def _binary(name, fn, make_b=normal, smooth=True):
    @case(name, smooth)
    def _(draw):
        rng = rng_of(draw)
        sa, sb = two_broadcastable(draw)
        return Case(fn, [normal(rng, sa), make_b(rng, sb)], f"{name} {sa} {sb}")


_binary("add", lambda T, a, b: a + b)
_binary("sub", lambda T, a, b: a - b)
_binary("mul", lambda T, a, b: a * b)
_binary("div", lambda T, a, b: a / b, make_b=away_from_zero)
_binary("torch_add_alpha", lambda T, a, b: T.add(a, b, alpha=2.5))
_binary("torch_sub_mul_div", lambda T, a, b: T.div(T.mul(T.sub(a, b), b), b), make_b=away_from_zero)

scalars = st.floats(-3, 3, allow_nan=False).filter(lambda s: abs(s) > 0.1)


def _with_scalar(name, fn, make_a=normal):
    @case(name)
    def _(draw):
        rng = rng_of(draw)
        s = draw(scalars)
        shape = draw(small_shapes)
        return Case(lambda T, a: fn(a, s), [make_a(rng, shape)], f"{name} s={s} {shape}")


_with_scalar("add_scalar", lambda a, s: a + s)
_with_scalar("radd_scalar", lambda a, s: s + a)
_with_scalar("sub_scalar", lambda a, s: a - s)
_with_scalar("rsub_scalar", lambda a, s: s - a)
_with_scalar("mul_scalar", lambda a, s: a * s)
_with_scalar("rmul_scalar", lambda a, s: s * a)
_with_scalar("div_scalar", lambda a, s: a / s)
_with_scalar("rdiv_scalar", lambda a, s: s / a, make_a=away_from_zero)
_with_scalar("int_scalar_ops", lambda a, s: (3 - a) * 2 + 1 - a / 4)


@case("neg")
def _(draw):
    rng = rng_of(draw)
    return Case(lambda T, a: -a, [normal(rng, draw(small_shapes))], "neg")


@case("torch_neg")
def _(draw):
    rng = rng_of(draw)
    return Case(lambda T, a: T.neg(a).neg() * a, [normal(rng, draw(small_shapes))], "torch.neg")


@case("pow_scalar")
def _(draw):
    rng = rng_of(draw)
    c = draw(st.sampled_from([2, 3, -1, -2, 0.5, -1.5, 1.7, 1, 0, 2.0]))
    shape = draw(small_shapes)
    # integer exponents are fine for any non-zero base, the others need a positive base
    base = away_from_zero(rng, shape) if float(c).is_integer() else positive(rng, shape)
    return Case(lambda T, a: a**c, [base], f"a ** {c!r}")


@case("pow_method_and_function")
def _(draw):
    rng = rng_of(draw)
    c = draw(st.sampled_from([2, 2.5, -0.5]))
    return Case(
        lambda T, a: a.pow(c) + T.pow(a, c), [positive(rng, draw(small_shapes))], f"pow {c}"
    )


@case("pow_tensor")
def _(draw):
    rng = rng_of(draw)
    sa, sb = two_broadcastable(draw)
    return Case(lambda T, a, b: a**b, [positive(rng, sa), normal(rng, sb)], f"pow {sa} {sb}")


@case("rpow_scalar")
def _(draw):
    rng = rng_of(draw)
    c = draw(st.sampled_from([2, 0.5, 3.7, np.e]))
    return Case(lambda T, a: c**a, [normal(rng, draw(small_shapes))], f"{c} ** a")


@case("reciprocal")
def _(draw):
    rng = rng_of(draw)
    return Case(
        lambda T, a: a.reciprocal(), [away_from_zero(rng, draw(small_shapes))], "reciprocal"
    )


def _between_jumps(rng, divisor):
    """Dividends whose quotient by ``divisor`` is at least 0.2 away from every integer (where
    the remainder jumps)."""
    k = rng.integers(-3, 3, size=np.shape(divisor))
    return divisor * (k + rng.uniform(0.2, 0.8, size=np.shape(divisor)))


@case("remainder")
def _(draw):
    rng = rng_of(draw)
    b = away_from_zero(rng, draw(small_shapes))
    return Case(lambda T, a, b: a % b, [_between_jumps(rng, b), b], "a % b")


@case("remainder_scalar")
def _(draw):
    rng = rng_of(draw)
    c = draw(st.sampled_from([1.5, -0.7, 2.0]))
    a = _between_jumps(rng, np.full(draw(small_shapes), c))
    return Case(lambda T, a: T.remainder(a, c) * a, [a], f"a % {c}")


# -- matmul in every arrangement -----------------------------------------------------------------
sides = st.integers(1, 4)


def _matmul(name, shapes_fn, op="@"):
    @case(name)
    def _(draw):
        rng = rng_of(draw)
        sa, sb = shapes_fn(draw)
        fns = {
            "@": lambda T, a, b: a @ b,
            "matmul": lambda T, a, b: T.matmul(a, b),
            "mm": lambda T, a, b: T.mm(a, b),
            "method": lambda T, a, b: a.matmul(b),
            "dot": lambda T, a, b: T.dot(a, b),
            "mv": lambda T, a, b: T.mv(a, b),
            "bmm": lambda T, a, b: T.bmm(a, b) + a.bmm(b),
        }
        return Case(fns[op], [normal(rng, sa), normal(rng, sb)], f"{name} {sa} @ {sb}")


_matmul("matmul_1d_1d", lambda d: (d(sides),) * 2)
_matmul("dot", lambda d: (d(sides),) * 2, op="dot")
_matmul("matmul_2d_2d", lambda d: (lambda n, k, m: ((n, k), (k, m)))(d(sides), d(sides), d(sides)))
_matmul("mm", lambda d: (lambda n, k, m: ((n, k), (k, m)))(d(sides), d(sides), d(sides)), op="mm")
_matmul(
    "matmul_function",
    lambda d: (lambda n, k, m: ((n, k), (k, m)))(d(sides), d(sides), d(sides)),
    op="matmul",
)
_matmul("matrix_vector", lambda d: (lambda n, k: ((n, k), (k,)))(d(sides), d(sides)))
_matmul("mv", lambda d: (lambda n, k: ((n, k), (k,)))(d(sides), d(sides)), op="mv")
_matmul("vector_matrix", lambda d: (lambda k, m: ((k,), (k, m)))(d(sides), d(sides)))
_matmul(
    "matmul_batched",
    lambda d: (lambda b, n, k, m: ((b, n, k), (b, k, m)))(d(sides), d(sides), d(sides), d(sides)),
    op="method",
)
_matmul(
    "bmm",
    lambda d: (lambda b, n, k, m: ((b, n, k), (b, k, m)))(d(sides), d(sides), d(sides), d(sides)),
    op="bmm",
)
_matmul(
    "matmul_broadcast_batched",
    lambda d: (lambda b, c, n, k, m: ((b, 1, n, k), (c, k, m)))(
        d(sides), d(sides), d(sides), d(sides), d(sides)
    ),
)
_matmul(
    "matmul_batched_matrix",
    lambda d: (lambda b, n, k, m: ((b, n, k), (k, m)))(d(sides), d(sides), d(sides), d(sides)),
)
_matmul(
    "matmul_matrix_batched",
    lambda d: (lambda b, n, k, m: ((n, k), (b, k, m)))(d(sides), d(sides), d(sides), d(sides)),
)
_matmul(
    "matmul_batched_vector",
    lambda d: (lambda b, n, k: ((b, n, k), (k,)))(d(sides), d(sides), d(sides)),
)
_matmul(
    "matmul_vector_batched",
    lambda d: (lambda b, k, m: ((k,), (b, k, m)))(d(sides), d(sides), d(sides)),
)


# -- elementwise functions -----------------------------------------------------------------------
def _unary(name, fn, make=normal, smooth=True):
    @case(name, smooth)
    def _(draw):
        rng = rng_of(draw)
        return Case(fn, [make(rng, draw(small_shapes))], name)


_unary("exp", lambda T, a: a.exp())
_unary("torch_exp", lambda T, a: T.exp(a))
_unary("log", lambda T, a: a.log(), make=positive)
_unary("torch_log", lambda T, a: T.log(a), make=positive)
_unary("sqrt", lambda T, a: a.sqrt(), make=positive)
_unary("torch_sqrt", lambda T, a: T.sqrt(a), make=positive)
_unary("abs", lambda T, a: a.abs(), make=away_from_zero, smooth=False)
_unary("torch_abs", lambda T, a: T.abs(a) * a, make=away_from_zero, smooth=False)
_unary("sin", lambda T, a: a.sin())
_unary("cos", lambda T, a: a.cos())
_unary("torch_sin_cos", lambda T, a: T.sin(a) * T.cos(a))
_unary("tanh", lambda T, a: a.tanh(), make=lambda r, s: normal(r, s, 1.5))
_unary("torch_tanh", lambda T, a: T.tanh(a))
_unary("sigmoid", lambda T, a: a.sigmoid(), make=lambda r, s: normal(r, s, 2.0))
_unary("torch_sigmoid", lambda T, a: T.sigmoid(a))
_unary("relu", lambda T, a: a.relu(), make=away_from_zero, smooth=False)
_unary("torch_relu", lambda T, a: T.relu(a) * a, make=away_from_zero, smooth=False)
_unary(
    "nn_functional_relu_sigmoid_tanh",
    lambda T, a: T.nn.functional.relu(a) + T.nn.functional.sigmoid(a) * T.nn.functional.tanh(a),
    make=away_from_zero,
    smooth=False,
)


_unary("log1p", lambda T, a: T.log1p(a), make=lambda r, s: positive(r, s, 0.1, 3.0))
_unary("square", lambda T, a: T.square(a))
_unary(
    "logsigmoid", lambda T, a: T.nn.functional.logsigmoid(a), make=lambda r, s: normal(r, s, 3.0)
)


@case("clamp", smooth=False)
def _(draw):
    rng = rng_of(draw)
    shape = draw(small_shapes)
    low = draw(st.one_of(st.none(), st.floats(-1.5, 0.0)))
    high = draw(
        st.one_of(st.floats(0.5, 1.5), st.none()) if low is not None else st.floats(0.5, 1.5)
    )
    how = draw(st.sampled_from(["method", "function", "clip"]))
    values = away_from(rng, rng.uniform(-2, 2, size=shape), [low, high])

    def fn(T, a):
        if how == "method":
            return a.clamp(min=low, max=high)
        if how == "function":
            return T.clamp(a, low, high)
        return a.clip(low, high)

    return Case(fn, [values], f"clamp {how} [{low}, {high}]")


# -- reductions ----------------------------------------------------------------------------------
@st.composite
def dims_for(draw, ndim, allow_tuple=True):
    """None, one (possibly negative) dim, or a tuple of distinct dims."""
    if ndim == 0:
        return draw(st.sampled_from([None, 0, -1]))
    single = st.integers(-ndim, ndim - 1)
    options = [st.none(), single]
    if allow_tuple:
        options.append(
            st.lists(single, min_size=1, max_size=ndim, unique_by=lambda d: d % ndim).map(tuple)
        )
    return draw(st.one_of(*options))


def _reduction(name, method):
    @case(name)
    def _(draw):
        rng = rng_of(draw)
        shape = draw(small_shapes)
        dim = draw(dims_for(len(shape)))
        keepdim = draw(st.booleans())
        style = draw(st.sampled_from(["method", "function"]))

        def fn(T, a):
            if dim is None and not keepdim:
                return getattr(a, method)() if style == "method" else getattr(T, method)(a)
            if dim is None:  # keepdim without dim: only the all-dims tuple keeps them
                full = tuple(range(a.dim()))
                return getattr(a, method)(full, keepdim=True) if full else getattr(a, method)()
            if style == "method":
                return getattr(a, method)(dim, keepdim=keepdim)
            return getattr(T, method)(a, dim, keepdim=keepdim)

        return Case(fn, [normal(rng, shape)], f"{method} dim={dim} keepdim={keepdim} {style}")


_reduction("sum", "sum")
_reduction("mean", "mean")


def _extreme(name, method):
    @case(name, smooth=False)
    def _(draw):
        rng = rng_of(draw)
        shape = draw(small_shapes)
        use_dim = draw(st.booleans())
        dim = draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1)) if use_dim else None
        keepdim = draw(st.booleans())
        unpack = draw(st.sampled_from(["index", "values", "tuple"]))

        def fn(T, a):
            if dim is None:
                return getattr(a, method)()
            result = (
                getattr(a, method)(dim, keepdim=keepdim)
                if unpack != "tuple"
                else getattr(T, method)(a, dim, keepdim)
            )
            if unpack == "values":
                return result.values
            values, indices = result
            return values * 1.0

        return Case(fn, [distinct(rng, shape)], f"{method} dim={dim} keepdim={keepdim} {unpack}")


_extreme("max", "max")
_extreme("min", "min")


def _apart(rng, shape, offset):
    """Values k + offset (k a small integer) give or take 0.1: draw a with offset 0.25 and b with
    0.75, and no element of a comes within 0.3 of one of b (no tie, no near-tie)."""
    return rng.integers(-3, 3, size=shape) + offset + rng.uniform(-0.1, 0.1, size=shape)


def _elementwise_extreme(name, fn):
    @case(name, smooth=False)
    def _(draw):
        rng = rng_of(draw)
        sa, sb = two_broadcastable(draw)
        return Case(fn, [_apart(rng, sa, 0.25), _apart(rng, sb, 0.75)], f"{name} {sa} {sb}")


_elementwise_extreme("maximum", lambda T, a, b: T.maximum(a, b))
_elementwise_extreme("minimum", lambda T, a, b: T.minimum(a, b))
_elementwise_extreme("max_of_two_tensors", lambda T, a, b: T.max(a, b) * a.max(b))
_elementwise_extreme("min_of_two_tensors", lambda T, a, b: T.min(a, b) + a.minimum(b))


# -- shapes --------------------------------------------------------------------------------------
@case("t")
def _(draw):
    rng = rng_of(draw)
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=4))
    how = draw(st.sampled_from(["method", "function"]))
    return Case(lambda T, a: a.t() if how == "method" else T.t(a), [normal(rng, shape)], f"t {how}")


@case("transpose")
def _(draw):
    rng = rng_of(draw)
    shape = draw(small_shapes)
    n = max(len(shape), 1)  # a 0-d tensor takes dims 0 and -1
    d0, d1 = draw(st.integers(-n, n - 1)), draw(st.integers(-n, n - 1))
    how = draw(st.sampled_from(["method", "function"]))
    fn = (
        (lambda T, a: a.transpose(d0, d1))
        if how == "method"
        else (lambda T, a: T.transpose(a, d0, d1))
    )
    return Case(fn, [normal(rng, shape)], f"transpose {d0} {d1}")


@case("T_property")
def _(draw):
    rng = rng_of(draw)
    shape = draw(
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=4)
    )  # PyTorch deprecates other dims
    return Case(lambda T, a: a.T * 1.0, [normal(rng, shape)], "a.T")


@case("permute")
def _(draw):
    rng = rng_of(draw)
    shape = draw(nonscalar_shapes)
    order = draw(st.permutations(range(len(shape))))
    order = [d - len(shape) if draw(st.booleans()) else d for d in order]  # some negative
    how = draw(st.sampled_from(["varargs", "tuple", "function"]))

    def fn(T, a):
        if how == "varargs":
            return a.permute(*order)
        if how == "tuple":
            return a.permute(tuple(order))
        return T.permute(a, order)

    return Case(fn, [normal(rng, shape)], f"permute {order} {how}")


@st.composite
def regrouped(draw, shape):
    """Another shape with the same number of elements (possibly with a -1)."""
    n = int(np.prod(shape, dtype=np.int64))
    factors = []
    rest = n
    for _ in range(draw(st.integers(0, 3))):
        divisors = [d for d in range(1, rest + 1) if rest % d == 0]
        d = draw(st.sampled_from(divisors))
        factors.append(d)
        rest //= d
    factors.append(rest)
    if draw(st.booleans()):
        factors[draw(st.integers(0, len(factors) - 1))] = -1
    return tuple(factors)


def _reshaping(name, method, transpose_first=False):
    @case(name)
    def _(draw):
        rng = rng_of(draw)
        shape = draw(nonscalar_shapes)
        target = draw(regrouped(shape))
        how = draw(st.sampled_from(["varargs", "tuple"]))

        def fn(T, a):
            if transpose_first:
                a = a.transpose(0, -1)  # not contiguous: reshape has to copy
            f = getattr(a, method)
            return f(*target) if how == "varargs" else f(target)

        return Case(fn, [normal(rng, shape)], f"{method} {shape} -> {target}")


_reshaping("reshape", "reshape")
_reshaping("view", "view")
_reshaping("reshape_non_contiguous", "reshape", transpose_first=True)


@case("torch_reshape_flatten")
def _(draw):
    rng = rng_of(draw)
    shape = draw(nonscalar_shapes)
    n = len(shape)
    start = draw(st.integers(-n, n - 1))
    end = draw(st.integers(start % n, n - 1))
    return Case(
        lambda T, a: T.flatten(T.reshape(a, shape), start, end) * 1.0 + a.flatten().sum(),
        [normal(rng, shape)],
        f"flatten {start} {end}",
    )


@case("squeeze")
def _(draw):
    rng = rng_of(draw)
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3))
    n = max(len(shape), 1)
    dim = draw(st.one_of(st.none(), st.integers(-n, n - 1)))
    how = draw(st.sampled_from(["method", "function"]))

    def fn(T, a):
        if dim is None:
            return a.squeeze() if how == "method" else T.squeeze(a)
        return a.squeeze(dim) if how == "method" else T.squeeze(a, dim)

    return Case(fn, [normal(rng, shape)], f"squeeze {shape} dim={dim}")


@case("unsqueeze")
def _(draw):
    rng = rng_of(draw)
    shape = draw(small_shapes)
    n = len(shape)
    dim = draw(st.integers(-n - 1, n))
    how = draw(st.sampled_from(["method", "function"]))
    fn = (lambda T, a: a.unsqueeze(dim)) if how == "method" else (lambda T, a: T.unsqueeze(a, dim))
    return Case(fn, [normal(rng, shape)], f"unsqueeze {shape} {dim}")


@case("expand")
def _(draw):
    rng = rng_of(draw)
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    target = list(lead)
    for size in shape:
        if size == 1:
            target.append(draw(st.integers(1, 3)))
        else:
            target.append(draw(st.sampled_from([size, -1])))
    how = draw(st.sampled_from(["varargs", "tuple", "expand_as"]))
    if not target and how == "varargs":
        how = "tuple"  # a.expand() with no size at all is a TypeError in PyTorch

    def fn(T, a):
        if how == "varargs":
            return a.expand(*target)
        if how == "tuple":
            return a.expand(tuple(target))
        other = T.zeros(
            tuple(s if s != -1 else a.shape[i - len(lead)] for i, s in enumerate(target))
        )
        return a.expand_as(other)

    return Case(fn, [normal(rng, shape)], f"expand {shape} -> {target} {how}")


# -- indexing ------------------------------------------------------------------------------------
@st.composite
def basic_keys(draw, shape):
    key = []
    for size in shape:
        kind = draw(st.sampled_from(["int", "slice", "full", "none"]))
        if kind == "int":
            key.append(draw(st.integers(-size, size - 1)))
        elif kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-size, size)))
            stop = draw(st.one_of(st.none(), st.integers(-size, size)))
            step = draw(st.one_of(st.none(), st.integers(1, 3)))
            key.append(slice(start, stop, step))
        elif kind == "full":
            key.append(slice(None))
        else:
            key.append(None)
            key.append(slice(None))
    if key and draw(st.booleans()):
        key = key[: draw(st.integers(0, len(key)))] + [Ellipsis]
    if len(key) == 1 and draw(st.booleans()):
        return key[0]
    return tuple(key)


@case("index_basic")
def _(draw):
    rng = rng_of(draw)
    shape = draw(nonscalar_shapes)
    key = draw(basic_keys(shape))
    return Case(lambda T, a: a[key], [normal(rng, shape)], f"a{list(shape)}[{key}]")


@case("index_advanced")
def _(draw):
    rng = rng_of(draw)
    shape = draw(nonscalar_shapes)
    n0 = shape[0]
    idx = draw(st.lists(st.integers(-n0, n0 - 1), min_size=1, max_size=6))  # repeats allowed
    kind = draw(st.sampled_from(["list", "tensor", "tensor2d", "with_slice", "two_arrays"]))
    if kind == "two_arrays" and len(shape) < 2:
        kind = "list"
    idx2 = [draw(st.integers(0, shape[-1] - 1)) for _ in idx]

    def fn(T, a):
        if kind == "list":
            return a[idx]
        if kind == "tensor":
            return a[T.tensor(idx)]
        if kind == "tensor2d":
            return a[T.tensor([idx, idx[::-1]])]
        if kind == "with_slice":
            return a[1:, idx2] if a.dim() > 1 else a[idx]
        return a[idx, ..., idx2]

    return Case(fn, [normal(rng, shape)], f"a{list(shape)}[{kind} {idx} {idx2}]")


@case("index_bool_mask")
def _(draw):
    rng = rng_of(draw)
    shape = draw(nonscalar_shapes)
    whole = draw(st.booleans())
    mask = rng.random(shape if whole else shape[:1]) < 0.5

    def fn(T, a):
        return a[T.tensor(mask)]

    return Case(fn, [normal(rng, shape)], f"mask {mask.shape} of {shape}")


@case("index_mask_from_comparison", smooth=False)
def _(draw):
    rng = rng_of(draw)
    shape = draw(nonscalar_shapes)
    return Case(lambda T, a: a[a > 0] * 2, [away_from_zero(rng, shape)], "a[a > 0]")


@case("setitem_nonleaf")
def _(draw):
    rng = rng_of(draw)
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
    kind = draw(
        st.sampled_from(
            [
                "int",
                "slice",
                "index_list",
                "mask_scalar",
                "mask_values",
                "broadcast_row",
                "python_number",
            ]
        )
    )
    if kind == "int":
        key, value_shape = 1, shape[1:]
    elif kind == "slice":
        key, value_shape = (slice(None), slice(0, None, 2)), None
    elif kind == "index_list":  # distinct indices: a repeated target position is ill-defined
        picks = sorted(set(draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=3))))
        key, value_shape = picks, (len(picks),) + shape[1:]
    elif kind in ("mask_scalar", "mask_values"):
        mask = rng.random(shape) < 0.5
        key, value_shape = mask, ((int(mask.sum()),) if kind == "mask_values" else ())
    elif kind == "broadcast_row":
        key, value_shape = slice(0, 2), (shape[-1:] if len(shape) > 1 else ())
    else:
        key, value_shape = (0,), None
    if kind == "slice" and len(shape) == 1:
        key = slice(0, None, 2)
    if value_shape is None:
        value_shape = np.empty(shape)[key].shape
    x = normal(rng, shape)
    v = normal(rng, value_shape)

    def index(T, key):
        return T.tensor(key) if isinstance(key, np.ndarray) else key

    def fn(T, a, b):
        y = a * 1.5  # a non-leaf
        if kind == "python_number":
            y[index(T, key)] = 0.25
            return y * b.sum()
        y[index(T, key)] = b
        return y * y

    return Case(fn, [x, v], f"setitem {kind} {shape} value {value_shape}")


# -- joining -------------------------------------------------------------------------------------
@case("cat")
def _(draw):
    rng = rng_of(draw)
    base = draw(nonscalar_shapes)
    n = len(base)
    dim = draw(st.integers(-n, n - 1))
    count = draw(st.integers(1, 3))
    shapes = []
    for _ in range(count):
        s = list(base)
        s[dim] = draw(st.integers(1, 3))
        shapes.append(tuple(s))
    how = draw(st.sampled_from(["positional", "keyword", "concat"]))

    def fn(T, *xs):
        if how == "positional":
            return T.cat(list(xs), dim)
        if how == "keyword":
            return T.cat(xs, dim=dim)
        return T.concat(xs, dim) * 1.0

    return Case(fn, [normal(rng, s) for s in shapes], f"cat dim={dim} {shapes}")


@case("stack")
def _(draw):
    rng = rng_of(draw)
    shape = draw(small_shapes)
    dim = draw(st.integers(-len(shape) - 1, len(shape)))
    count = draw(st.integers(1, 3))
    return Case(
        lambda T, *xs: T.stack(xs, dim),
        [normal(rng, shape) for _ in range(count)],
        f"stack dim={dim} {shape} x{count}",
    )


@case("diag_of_vector")
def _(draw):
    rng = rng_of(draw)
    n = draw(st.integers(1, 5))
    return Case(lambda T, v: T.diag(v), [normal(rng, (n,))], f"diag of [{n}]")


@case("diag_of_matrix")
def _(draw):
    rng = rng_of(draw)
    rows, cols = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    # times 2: the root's name is compared with PyTorch's, whose diagonal node is called
    # DiagonalBackward0_copy (a kernel detail; the picture shows DiagonalBackward0)
    return Case(
        lambda T, m: T.diag(m) * 2, [normal(rng, (rows, cols))], f"diag of [{rows}, {cols}]"
    )


@case("where")
def _(draw):
    rng = rng_of(draw)
    sa, sb = two_broadcastable(draw)
    condition = rng.random(np.broadcast_shapes(sa, sb)) > 0.5
    return Case(
        lambda T, a, b: T.where(T.tensor(condition), a * a, b * 3),
        [normal(rng, sa), normal(rng, sb)],
        f"where {sa} {sb}",
    )


# -- softmax family ------------------------------------------------------------------------------
def _softmax(name, method, functional):
    @case(name)
    def _(draw):
        rng = rng_of(draw)
        shape = draw(small_shapes)
        n = max(len(shape), 1)
        dim = draw(st.integers(-n, n - 1))
        how = draw(st.sampled_from(["method", "torch", "functional"]))

        def fn(T, a):
            if how == "method":
                return getattr(a, method)(dim)
            if how == "torch":
                return getattr(T, method)(a, dim)
            return getattr(T.nn.functional, functional)(a, dim=dim)

        return Case(fn, [normal(rng, shape, 2.0)], f"{method} dim={dim} {how}")


_softmax("softmax", "softmax", "softmax")
_softmax("log_softmax", "log_softmax", "log_softmax")


# -- nn.functional -------------------------------------------------------------------------------
reductions = st.sampled_from(["mean", "sum", "none"])


@case("binary_cross_entropy_with_logits")
def _(draw):
    rng = rng_of(draw)
    shape = draw(nonscalar_shapes)
    reduction = draw(reductions)
    with_weight = draw(st.booleans())
    with_pos_weight = draw(st.booleans())
    target_grad = draw(st.booleans())
    target = rng.uniform(0, 1, size=shape)
    if draw(st.booleans()):
        target = np.round(target)
    weight = rng.uniform(0.2, 2, size=shape[-1:])  # broadcast over the rows
    pos_weight = rng.uniform(0.2, 3, size=shape[-1:])
    F = "binary_cross_entropy_with_logits"

    def fn(T, z, *maybe_target):
        y = maybe_target[0] if maybe_target else const(T, target, z)
        kwargs = {"reduction": reduction}
        if with_weight:
            kwargs["weight"] = const(T, weight, z)
        if with_pos_weight:
            kwargs["pos_weight"] = const(T, pos_weight, z)
        return getattr(T.nn.functional, F)(z, y, **kwargs)

    arrays = [normal(rng, shape, 2.0)] + ([target] if target_grad else [])
    return Case(
        fn,
        arrays,
        f"bce_logits {reduction} weight={with_weight} "
        f"pos_weight={with_pos_weight} target_grad={target_grad}",
    )


@case("binary_cross_entropy")
def _(draw):
    rng = rng_of(draw)
    shape = draw(nonscalar_shapes)
    reduction = draw(reductions)
    with_weight = draw(st.booleans())
    target_grad = draw(st.booleans())
    target = rng.uniform(0, 1, size=shape)
    weight = rng.uniform(0.2, 2, size=shape)

    def fn(T, p, *maybe_target):
        y = maybe_target[0] if maybe_target else const(T, target, p)
        w = const(T, weight, p) if with_weight else None
        return T.nn.functional.binary_cross_entropy(p, y, weight=w, reduction=reduction)

    arrays = [rng.uniform(0.05, 0.95, size=shape)] + ([target] if target_grad else [])
    return Case(fn, arrays, f"bce {reduction} weight={with_weight} target_grad={target_grad}")


@case("mse_loss")
def _(draw):
    rng = rng_of(draw)
    shape = draw(small_shapes)
    reduction = draw(reductions)
    return Case(
        lambda T, a, b: T.nn.functional.mse_loss(a, b, reduction=reduction),
        [normal(rng, shape), normal(rng, shape)],
        f"mse {reduction}",
    )


def _ignored_class(ignore, targets, c):
    """With several rows, ignore the first row's target and keep the last row's; with one row
    (or an unbatched input) ignore a class nobody has, so a mean never divides by zero."""
    if ignore is None:
        return None
    if targets.ndim == 1 and targets.size > 1:
        targets[0] = ignore
        targets[-1] = (max(ignore, 0) + 1) % c
        return ignore
    return (int(targets.reshape(-1)[0]) + 1) % c


@case("cross_entropy_indices")
def _(draw):
    rng = rng_of(draw)
    batched = draw(st.booleans())
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    reduction = draw(reductions)
    targets = rng.integers(0, c, size=(n,) if batched else ())
    ignore = _ignored_class(draw(st.one_of(st.none(), st.integers(0, c - 1))), targets, c)
    with_weight = draw(st.booleans())
    weight = rng.uniform(0.2, 2, size=c)

    def fn(T, x):
        kwargs = {"reduction": reduction}
        if ignore is not None:
            kwargs["ignore_index"] = ignore
        if with_weight:
            kwargs["weight"] = const(T, weight, x)
        return T.nn.functional.cross_entropy(x, T.tensor(targets), **kwargs)

    return Case(
        fn,
        [normal(rng, (n, c) if batched else (c,), 2.0)],
        f"cross_entropy {reduction} batched={batched} ignore={ignore} weight={with_weight}",
    )


@case("cross_entropy_probabilities")
def _(draw):
    rng = rng_of(draw)
    batched = draw(st.booleans())
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    shape = (n, c) if batched else (c,)
    reduction = draw(reductions)
    raw = np.exp(normal(rng, shape))
    probabilities = raw / raw.sum(axis=-1, keepdims=True)
    target_grad = draw(st.booleans())

    def fn(T, x, *maybe_target):
        y = maybe_target[0] if maybe_target else const(T, probabilities, x)
        return T.nn.functional.cross_entropy(x, y, reduction=reduction)

    arrays = [normal(rng, shape, 2.0)] + ([probabilities] if target_grad else [])
    return Case(fn, arrays, f"cross_entropy probs {reduction} {shape} target_grad={target_grad}")


@case("nll_loss")
def _(draw):
    rng = rng_of(draw)
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    batched = draw(st.booleans())
    reduction = draw(reductions)
    targets = rng.integers(0, c, size=(n,) if batched else ())
    ignore = _ignored_class(
        draw(st.one_of(st.none(), st.just(-100), st.integers(0, c - 1))), targets, c
    )
    with_weight = draw(st.booleans())
    weight = rng.uniform(0.2, 2, size=c)

    def fn(T, logp):
        kwargs = {"reduction": reduction}
        if ignore is not None:
            kwargs["ignore_index"] = ignore
        if with_weight:
            kwargs["weight"] = const(T, weight, logp)
        return T.nn.functional.nll_loss(logp, T.tensor(targets), **kwargs)

    return Case(
        fn,
        [normal(rng, (n, c) if batched else (c,))],
        f"nll {reduction} targets={targets.tolist()} ignore={ignore} weight={with_weight}",
    )


@case("linear")
def _(draw):
    rng = rng_of(draw)
    lead = draw(st.sampled_from([(), (3,), (1,), (2, 3), (2, 1, 2)]))
    fan_in, fan_out = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    with_bias = draw(st.booleans())
    arrays = [normal(rng, lead + (fan_in,)), normal(rng, (fan_out, fan_in))]
    if with_bias:
        arrays.append(normal(rng, (fan_out,)))

    def fn(T, x, w, *b):
        return T.nn.functional.linear(x, w, *b)

    # without a bias, PyTorch's linear on a vector or a batch of matrices goes through matmul's
    # extra view nodes (see NAME_DIFFERENCES in test_engine_oracle_ops.py); minigrad records the
    # product itself
    known = None
    if not with_bias and lead == ():
        known = ("MmBackward0", "SqueezeBackward4")
    elif not with_bias and len(lead) >= 2:
        known = ("BmmBackward0", "UnsafeViewBackward0")
    return Case(
        fn,
        arrays,
        f"linear input {lead + (fan_in,)} -> {fan_out} bias={with_bias}",
        extra={"name_difference": known} if known else {},
    )


@case("composite_tutorial_graph")
def _(draw):
    """The seed's own graph: z = x @ w + b, loss = bce_with_logits(z, y)."""
    rng = rng_of(draw)
    n, m = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    x = np.ones(n)
    y = rng.integers(0, 2, size=m).astype(float)

    def fn(T, w, b):
        z = T.matmul(const(T, x, w), w) + b
        return T.nn.functional.binary_cross_entropy_with_logits(z, const(T, y, w))

    return Case(fn, [normal(rng, (n, m)), normal(rng, (m,))], "tutorial graph")


@case("clone_and_to")
def _(draw):
    rng = rng_of(draw)
    return Case(lambda T, a: a.clone() * a.double(), [normal(rng, draw(small_shapes))], "clone")


# -- round 3: pieces, picks, masks ---------------------------------------------------------------
def _some_dim(draw, shape):
    return draw(st.integers(-len(shape), len(shape) - 1))


@case("unbind")
def _(draw):
    rng = rng_of(draw)
    shape = draw(nonscalar_shapes)
    dim = _some_dim(draw, shape)
    n = shape[dim]
    pick = draw(st.integers(0, n - 1))
    how = draw(st.sampled_from(["method_one", "function_all_reversed"]))

    def fn(T, a):
        if how == "method_one":  # only one piece used: the others send no gradient
            return a.unbind(dim)[pick]
        return T.stack(list(T.unbind(a, dim))[::-1], 0)

    return Case(fn, [normal(rng, shape)], f"unbind {shape} dim={dim} {how} pick={pick}")


def _pieces_case(name, cut):
    @case(name)
    def _(draw):
        rng = rng_of(draw)
        shape = draw(nonscalar_shapes)
        dim = _some_dim(draw, shape)
        n = shape[dim]
        arg = cut(draw, n)
        use = draw(st.sampled_from(["one", "first_and_last", "function"]))

        def fn(T, a):
            pieces = (
                getattr(a, name)(arg, dim) if use != "function" else getattr(T, name)(a, arg, dim)
            )
            if use == "one":
                return pieces[len(pieces) // 2]
            if use == "first_and_last":
                return T.cat([pieces[-1], pieces[0]], dim)
            return T.cat(list(pieces), dim) * 2.0

        return Case(fn, [normal(rng, shape)], f"{name}({arg}) {shape} dim={dim} {use}")


def _sizes_that_sum_to(draw, n):
    sizes, left = [], n
    while left:
        s = draw(st.integers(0 if sizes else 1, left))
        sizes.append(s)
        left -= s
    return sizes


_pieces_case("split", lambda draw, n: draw(st.integers(1, n + 1)))
_pieces_case("chunk", lambda draw, n: draw(st.integers(1, n + 1)))


@case("split_with_sizes")
def _(draw):
    rng = rng_of(draw)
    shape = draw(nonscalar_shapes)
    dim = _some_dim(draw, shape)
    sizes = _sizes_that_sum_to(draw, shape[dim])
    use = draw(st.sampled_from(["one", "reversed"]))

    def fn(T, a):
        pieces = T.split(a, sizes, dim) if use == "one" else a.split(sizes, dim=dim)
        if use == "one":
            return pieces[-1]
        return T.cat(list(pieces)[::-1], dim)

    return Case(fn, [normal(rng, shape)], f"split {sizes} {shape} dim={dim} {use}")


@case("narrow")
def _(draw):
    rng = rng_of(draw)
    shape = draw(nonscalar_shapes)
    dim = _some_dim(draw, shape)
    n = shape[dim]
    start = draw(st.integers(-n, n - 1))
    length = draw(st.integers(0, n - start % n))
    how = draw(st.sampled_from(["method", "function"]))
    fn = (
        (lambda T, a: a.narrow(dim, start, length))
        if how == "method"
        else (lambda T, a: T.narrow(a, dim, start, length))
    )
    return Case(fn, [normal(rng, shape)], f"narrow {shape} dim={dim} start={start} length={length}")


@case("index_select")
def _(draw):
    rng = rng_of(draw)
    shape = draw(nonscalar_shapes)
    dim = _some_dim(draw, shape)
    idx = draw(st.lists(st.integers(0, shape[dim] - 1), min_size=0, max_size=5))  # repeats allowed
    how = draw(st.sampled_from(["method", "function"]))

    def fn(T, a):
        index = T.tensor(idx, dtype=T.int64)
        return a.index_select(dim, index) if how == "method" else T.index_select(a, dim, index)

    return Case(fn, [normal(rng, shape)], f"index_select {shape} dim={dim} {idx}")


@case("gather")
def _(draw):
    rng = rng_of(draw)
    shape = draw(nonscalar_shapes)
    dim = _some_dim(draw, shape)
    # the index may be smaller than the input in every dim but dim, and longer along dim
    index_shape = tuple(
        draw(st.integers(1, 5)) if d == dim % len(shape) else draw(st.integers(1, s))
        for d, s in enumerate(shape)
    )
    index = rng.integers(0, shape[dim], size=index_shape)
    how = draw(st.sampled_from(["method", "function"]))

    def fn(T, a):
        i = T.tensor(index)
        return a.gather(dim, i) if how == "method" else T.gather(a, dim, i)

    return Case(fn, [normal(rng, shape)], f"gather {shape} dim={dim} index {index_shape}")


@case("masked_select")
def _(draw):
    rng = rng_of(draw)
    sa, sm = two_broadcastable(draw)
    mask = rng.random(sm) < 0.5
    how = draw(st.sampled_from(["method", "function"]))

    def fn(T, a):
        m = T.tensor(mask)
        return a.masked_select(m) if how == "method" else T.masked_select(a, m)

    return Case(fn, [normal(rng, sa)], f"masked_select {sa} mask {sm}")


@case("masked_fill")
def _(draw):
    rng = rng_of(draw)
    sa, sm = two_broadcastable(draw)
    mask = rng.random(sm) < 0.5
    value = draw(st.sampled_from(["number", "tensor", "function"]))
    arrays = [normal(rng, sa)] + ([normal(rng, ())] if value == "tensor" else [])

    def fn(T, a, *v):
        m = T.tensor(mask)
        if value == "tensor":
            return a.masked_fill(m, v[0])
        if value == "function":
            return T.masked_fill(a, m, -1.5)
        return a.masked_fill(m, 0.25)

    return Case(fn, arrays, f"masked_fill {sa} mask {sm} value={value}")


@case("masked_fill_inplace")
def _(draw):
    rng = rng_of(draw)
    shape = draw(small_shapes)
    mask = rng.random(shape) < 0.5

    def fn(T, a, v):
        y = a * 2.0
        y.masked_fill_(T.tensor(mask), v)
        return y * a

    return Case(fn, [normal(rng, shape), normal(rng, ())], f"masked_fill_ {shape}")


@case("hstack_vstack")
def _(draw):
    rng = rng_of(draw)
    base = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    which = draw(st.sampled_from(["hstack", "vstack"]))
    count = draw(st.integers(1, 3))
    shapes = []
    for _ in range(count):
        s = list(base)
        if which == "hstack" and len(s) >= 1:
            s[0 if len(s) == 1 else 1] = draw(st.integers(1, 3))
        if which == "vstack" and len(s) >= 2:
            s[0] = draw(st.integers(1, 3))
        shapes.append(tuple(s))
    return Case(
        lambda T, *xs: getattr(T, which)(list(xs)),
        [normal(rng, s) for s in shapes],
        f"{which} {shapes}",
    )


@case("repeat")
def _(draw):
    rng = rng_of(draw)
    shape = draw(small_shapes)
    repeats = [draw(st.integers(1, 3)) for _ in range(len(shape) + draw(st.integers(0, 2)))]
    how = draw(st.sampled_from(["varargs", "tuple"]))
    if not repeats:
        how = "tuple"
    fn = (
        (lambda T, a: a.repeat(*repeats))
        if how == "varargs"
        else (lambda T, a: a.repeat(tuple(repeats)))
    )
    return Case(fn, [normal(rng, shape)], f"repeat {shape} {repeats}")


# -- round 3: reductions -------------------------------------------------------------------------
def _with_zeros(rng, shape, count):
    """Normal values with ``count`` entries set to exactly 0 (prod and cumprod have a rule for them)."""
    values = normal(rng, shape)
    flat = values.reshape(-1)
    flat[rng.permutation(flat.size)[:count]] = 0.0
    return values


@case("prod")
def _(draw):
    rng = rng_of(draw)
    shape = draw(small_shapes)
    zeros = draw(st.sampled_from([0, 0, 1, 2]))
    use_dim = draw(st.booleans()) and len(shape) > 0
    dim = _some_dim(draw, shape) if use_dim else None
    keepdim = draw(st.booleans())
    how = draw(st.sampled_from(["method", "function"]))

    def fn(T, a):
        if dim is None:
            return a.prod() if how == "method" else T.prod(a)
        return a.prod(dim, keepdim=keepdim) if how == "method" else T.prod(a, dim, keepdim)

    return Case(fn, [_with_zeros(rng, shape, zeros)], f"prod {shape} dim={dim} zeros={zeros}")


def _spread_case(name):
    @case(name)
    def _(draw):
        rng = rng_of(draw)
        shape = draw(nonscalar_shapes)
        dim = draw(dims_for(len(shape)))
        axes = range(len(shape)) if dim is None else [dim] if isinstance(dim, int) else dim
        count = int(np.prod([shape[d] for d in axes]))
        keepdim = draw(st.booleans())
        style = draw(st.sampled_from(["default", "unbiased_false", "correction", "function"]))
        if count == 1 and style != "unbiased_false":  # N - correction would be 0
            style = "correction0"

        def fn(T, a):
            f = getattr(a, name)
            if style == "default":
                return f() if dim is None else f(dim, keepdim=keepdim)
            if style == "unbiased_false":
                return f(unbiased=False) if dim is None else f(dim, False, keepdim)
            if style == "correction":
                return f(dim, correction=min(count - 1, 2), keepdim=keepdim)
            if style == "correction0":
                return f(dim, correction=0, keepdim=keepdim)
            return getattr(T, name)(a, dim, keepdim=keepdim)

        return Case(fn, [normal(rng, shape)], f"{name} {shape} dim={dim} {style} keepdim={keepdim}")


_spread_case("var")
_spread_case("std")


def _norm_case(name, ps, make, smooth):
    @case(name, smooth)
    def _(draw):
        rng = rng_of(draw)
        shape = draw(nonscalar_shapes)
        p = draw(st.sampled_from(ps))
        dim = draw(dims_for(len(shape)))
        if p == "fro" and isinstance(dim, (tuple, list)) and len(dim) > 2:
            p = 2  # PyTorch's 'fro' is a matrix norm there and refuses more than two dims
        keepdim = draw(st.booleans())
        how = draw(st.sampled_from(["method", "function"]))

        def fn(T, a):
            kwargs = (
                {"p": p, "dim": dim, "keepdim": keepdim} if dim is not None or keepdim else {"p": p}
            )
            return a.norm(**kwargs) if how == "method" else T.norm(a, **kwargs)

        return Case(fn, [make(rng, shape)], f"norm p={p} {shape} dim={dim} keepdim={keepdim}")


def _distinct_sizes(rng, shape):
    """Values whose sizes |v| are at least 0.2 apart and at least 0.3 from 0 (no tie for max |v|)."""
    n = int(np.prod(shape, dtype=np.int64))
    sizes = 0.3 + rng.permutation(n) * 0.25 + rng.uniform(-0.02, 0.02, size=n)
    return (sizes * rng.choice([-1.0, 1.0], size=n)).reshape(shape)


_norm_case("norm", [2, "fro", 3, 1.5, 2.5], normal, True)
_norm_case("norm_kinked", [1, 0.5, float("inf"), float("-inf"), 0], _distinct_sizes, False)


@case("logsumexp")
def _(draw):
    rng = rng_of(draw)
    shape = draw(nonscalar_shapes)
    dim = draw(dims_for(len(shape)).filter(lambda d: d is not None))
    keepdim = draw(st.booleans())
    how = draw(st.sampled_from(["method", "function"]))
    fn = (
        (lambda T, a: a.logsumexp(dim, keepdim))
        if how == "method"
        else (lambda T, a: T.logsumexp(a, dim, keepdim=keepdim))
    )
    return Case(fn, [normal(rng, shape, 3.0)], f"logsumexp {shape} dim={dim} keepdim={keepdim}")


def _running_case(name, make):
    @case(name)
    def _(draw):
        rng = rng_of(draw)
        shape = draw(small_shapes)
        n = max(len(shape), 1)
        dim = draw(st.integers(-n, n - 1))
        how = draw(st.sampled_from(["method", "function"]))
        fn = (
            (lambda T, a: getattr(a, name)(dim))
            if how == "method"
            else (lambda T, a: getattr(T, name)(a, dim))
        )
        return Case(fn, [make(draw, rng, shape)], f"{name} {shape} dim={dim}")


_running_case("cumsum", lambda draw, rng, shape: normal(rng, shape))
_running_case(
    "cumprod", lambda draw, rng, shape: _with_zeros(rng, shape, draw(st.sampled_from([0, 1, 2])))
)


def _amax_case(name):
    @case(name, smooth=False)
    def _(draw):
        rng = rng_of(draw)
        shape = draw(small_shapes)
        dim = draw(dims_for(len(shape)))
        keepdim = draw(st.booleans())
        how = draw(st.sampled_from(["method", "function"]))

        def fn(T, a):
            if dim is None:
                return getattr(a, name)() if how == "method" else getattr(T, name)(a)
            return (
                getattr(a, name)(dim, keepdim)
                if how == "method"
                else getattr(T, name)(a, dim, keepdim=keepdim)
            )

        return Case(fn, [distinct(rng, shape)], f"{name} {shape} dim={dim} keepdim={keepdim}")


_amax_case("amax")
_amax_case("amin")


# -- round 3: sorting and the median -------------------------------------------------------------
@case("sort", smooth=False)
def _(draw):
    rng = rng_of(draw)
    shape = draw(small_shapes)
    n = max(len(shape), 1)
    dim = draw(st.integers(-n, n - 1))
    descending = draw(st.booleans())
    how = draw(st.sampled_from(["values", "unpack", "function"]))

    def fn(T, a):
        if how == "values":
            return a.sort(dim, descending).values
        if how == "unpack":
            values, indices = a.sort(dim=dim, descending=descending)
            return values
        return T.sort(a, dim, descending)[0]

    return Case(fn, [distinct(rng, shape)], f"sort {shape} dim={dim} descending={descending} {how}")


@case("topk", smooth=False)
def _(draw):
    rng = rng_of(draw)
    shape = draw(small_shapes)
    n = max(len(shape), 1)
    dim = draw(st.integers(-n, n - 1))
    size = shape[dim] if shape else 1
    k = draw(st.integers(0, size))
    largest = draw(st.booleans())
    how = draw(st.sampled_from(["method", "function"]))

    def fn(T, a):
        if how == "method":
            return a.topk(k, dim, largest).values
        return T.topk(a, k, dim=dim, largest=largest)[0]

    return Case(fn, [distinct(rng, shape)], f"topk {shape} k={k} dim={dim} largest={largest}")


@case("median", smooth=False)
def _(draw):
    rng = rng_of(draw)
    shape = draw(small_shapes)
    use_dim = draw(st.booleans())
    n = max(len(shape), 1)
    dim = draw(st.integers(-n, n - 1)) if use_dim else None
    keepdim = draw(st.booleans())
    how = draw(st.sampled_from(["method", "function"]))

    def fn(T, a):
        if dim is None:
            return a.median() if how == "method" else T.median(a)
        return (
            a.median(dim, keepdim).values
            if how == "method"
            else T.median(a, dim, keepdim=keepdim)[0]
        )

    return Case(fn, [distinct(rng, shape)], f"median {shape} dim={dim} keepdim={keepdim}")


# -- round 3: the rounding family (zero gradients) -----------------------------------------------
def _off_the_steps(rng, shape):
    """Quarters plus 0.12: fractional parts .12, .37, .62, .87, so neither x nor 10·x is within
    0.1 of a jump of round (halves) or of floor/ceil/trunc (integers)."""
    return rng.integers(-20, 20, size=shape) / 4 + 0.12


@case("rounding", smooth=False)
def _(draw):
    rng = rng_of(draw)
    shape = draw(small_shapes)
    op = draw(st.sampled_from(["round", "round_decimals", "floor", "ceil", "trunc", "sign"]))
    how = draw(st.sampled_from(["method", "function"]))

    def fn(T, a):
        if op == "round_decimals":
            return a.round(decimals=1) if how == "method" else T.round(a, decimals=1)
        return getattr(a, op)() if how == "method" else getattr(T, op)(a)

    return Case(fn, [_off_the_steps(rng, shape)], f"{op} {how} {shape}")


@case("rounding_in_a_product", smooth=False)
def _(draw):
    rng = rng_of(draw)
    shape = draw(small_shapes)
    op = draw(st.sampled_from(["round", "floor", "ceil", "trunc", "sign"]))
    return Case(lambda T, a: getattr(a, op)() * a, [_off_the_steps(rng, shape)], f"{op}(a) * a")
