"""minigrad: a small autograd engine on numpy with PyTorch's API, for learning how autograd works.

``import minigrad as torch`` runs the code of PyTorch's autograd tutorial unchanged and prints what
PyTorch prints. Pictures (``minigrad.viz``) and widgets (``minigrad.widgets``) are imported on first
use, so ``import minigrad`` stays fast.
"""

import numpy as _np

from ._dtype import (
    bool_ as bool,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,  # noqa: F401
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from ._printing import set_printoptions  # noqa: F401
from .tensor import Size, Tensor, tensor, _REQUIRED, _required  # noqa: F401
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,  # noqa: F401
    full_like,
    initial_seed,
    is_tensor,
    linspace,
    manual_seed,
    numel,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    zeros,
    zeros_like,
)
from .autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,  # noqa: F401
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .autograd.anomaly_mode import (
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,  # noqa: F401
    set_anomaly_enabled,
)
from . import autograd, nn, optim  # noqa: F401
from .ops import arithmetic as _arith, linalg as _linalg, reduction as _red, shape as _shape
from .ops import unary as _unary, activation as _act
from .ops import selection as _sel, statistics as _stat

float = float32  # noqa: A001  (PyTorch's aliases)
double = float64
long = int64
half = float16
int = int32  # noqa: A001
short = int16

__version__ = "0.1.0"


def _keep_freed_memory_for_reuse():
    """glibc's malloc serves blocks above its mmap threshold (128 KB at first) straight from the
    OS and, once one is freed, trims its heap whenever the top has more than twice that free. A
    training step of a middle-sized layer then gives its 0.5 MB gradients back to the OS and
    faults them in again on every step (importing PyTorch hides this). Freeing one 4 MB block
    raises both thresholds by glibc's own rule, so such blocks are reused: at most ~8 MB more
    stays in the process. Elsewhere (macOS, Windows) this allocates and frees 4 MB, nothing more.
    """
    _np.empty(4 << 20, _np.uint8)


_keep_freed_memory_for_reuse()


def matmul(input, other):
    return _linalg.matmul(input, other)


def mm(input, mat2):
    return _linalg.mm(input, mat2)


def dot(input, other):
    return _linalg.dot(input, other)


def bmm(input, mat2):
    return _linalg.bmm(input, mat2)


def mv(input, vec):
    return _linalg.mv(input, vec)


def add(input, other, *, alpha=1):
    return input.add(other, alpha=alpha)


def sub(input, other, *, alpha=1):
    return input.sub(other, alpha=alpha)


def mul(input, other):
    return input * other


def div(input, other):
    return input / other


def remainder(input, other):
    return _arith.remainder(input, other)


def floor_divide(input, other):
    """``input // other``, rounded towards -inf (no derivative, as in PyTorch)."""
    return _arith.FloorDivide.apply(input, other)


def neg(input):
    return -input


def pow(input, exponent):  # noqa: A001
    if isinstance(input, Tensor):
        return input**exponent
    return _arith.rpow(exponent, input)


def exp(input):
    return input.exp()


def log(input):
    return input.log()


def sqrt(input):
    return input.sqrt()


def log1p(input):
    return _unary.Log1p.apply(input)


def square(input):
    return input**2


def diag(input, diagonal=0):
    return _shape.diag(input, diagonal)


def where(condition, input=None, other=None):
    """``input`` where ``condition`` holds, else ``other`` (tensors or numbers)."""
    return _shape.where(condition, input, other)


def abs(input):  # noqa: A001
    return input.abs()


def sign(input):
    return input.sign()


def sgn(input):
    return input.sgn()


def sin(input):
    return input.sin()


def cos(input):
    return input.cos()


def tanh(input):
    return input.tanh()


def sigmoid(input):
    return input.sigmoid()


def relu(input):
    return input.relu()


def clamp(input, min=None, max=None):  # noqa: A002
    return _unary.clamp(input, min, max)


clip = clamp


def softmax(input, dim=_REQUIRED):
    _required("softmax", dim=dim)
    return _act.Softmax.apply(input, dim=dim)


def log_softmax(input, dim=_REQUIRED):
    _required("log_softmax", dim=dim)
    return _act.LogSoftmax.apply(input, dim=dim)


def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001
    return _red.sum(input, dim, keepdim, dtype)


def any(input, dim=None, keepdim=False):  # noqa: A001
    return input.any(dim, keepdim)


def all(input, dim=None, keepdim=False):  # noqa: A001
    return input.all(dim, keepdim)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    return _red.mean(input, dim, keepdim, dtype)


def max(input, dim=None, keepdim=False):  # noqa: A001
    return _red.max(input, dim, keepdim)


def min(input, dim=None, keepdim=False):  # noqa: A001
    return _red.min(input, dim, keepdim)


def maximum(input, other):
    return _red.maximum(input, other)


def minimum(input, other):
    return _red.minimum(input, other)


def argmax(input, dim=None, keepdim=False):
    return _red.argmax(input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    return _red.argmin(input, dim, keepdim)


def t(input):
    return _shape.t(input)


def transpose(input, dim0, dim1):
    return _shape.transpose(input, dim0, dim1)


def permute(input, dims):
    return _shape.permute(input, tuple(dims))


def reshape(input, shape):
    return _shape.reshape(input, tuple(shape))


def flatten(input, start_dim=0, end_dim=-1):
    return _shape.flatten(input, start_dim, end_dim)


def squeeze(input, dim=None):
    return _shape.squeeze(input, dim)


def select(input, dim, index):
    return _shape.select(input, dim, index)


def unsqueeze(input, dim=_REQUIRED):
    _required("unsqueeze", dim=dim)
    return _shape.unsqueeze(input, dim)


def cat(tensors, dim=0):
    return _shape.cat(tensors, dim)


concat = cat


def stack(tensors, dim=0):
    return _shape.stack(tensors, dim)


def clone(input):
    return input.clone()


def detach(input):
    return input.detach()


def outer(input, vec2):
    """The outer product of two vectors: ``input[i] * vec2[j]`` (as PyTorch: a reshape, then *)."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t.dim() != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.dim()}-D")
    return input.reshape(-1, 1) * vec2


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return _np.allclose(input._array, other._array, rtol=rtol, atol=atol, equal_nan=equal_nan)


def equal(input, other):
    return input.equal(other)


# -- pieces, picks and masks ---------------------------------------------------------------------
def unbind(input, dim=0):
    return _sel.unbind(input, dim)


def split(tensor, split_size_or_sections, dim=0):
    return _sel.split(tensor, split_size_or_sections, dim)


def chunk(input, chunks, dim=0):
    return _sel.chunk(input, chunks, dim)


def narrow(input, dim, start, length):
    return _sel.narrow(input, dim, start, length)


def index_select(input, dim, index):
    return _sel.index_select(input, dim, index)


def gather(input, dim, index):
    return _sel.gather(input, dim, index)


def masked_select(input, mask):
    return _sel.masked_select(input, mask)


def masked_fill(input, mask, value):
    return _sel.masked_fill(input, mask, value)


def hstack(tensors):
    return _sel.hstack(tensors)


def vstack(tensors):
    return _sel.vstack(tensors)


def sort(input, dim=-1, descending=False, stable=False):
    return _sel.sort(input, dim, descending, stable)


def argsort(input, dim=-1, descending=False, stable=False):
    return _sel.argsort(input, dim, descending, stable)


def topk(input, k, dim=-1, largest=True, sorted=True):  # noqa: A002
    return _sel.topk(input, k, dim, largest, sorted)


# -- more reductions ------------------------------------------------------------------------------
def prod(input, dim=None, keepdim=False):
    return _stat.prod(input, dim, keepdim)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _stat.var(input, dim, unbiased, keepdim, correction=correction)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _stat.std(input, dim, unbiased, keepdim, correction=correction)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    return _stat.norm(input, p, dim, keepdim, dtype)


def logsumexp(input, dim=_REQUIRED, keepdim=False):
    _required("logsumexp", dim=dim)
    return _stat.logsumexp(input, dim, keepdim)


def cumsum(input, dim=_REQUIRED, *, dtype=None):
    _required("cumsum", dim=dim)
    return _stat.cumsum(input, dim, dtype)


def cumprod(input, dim=_REQUIRED, *, dtype=None):
    _required("cumprod", dim=dim)
    return _stat.cumprod(input, dim, dtype)


def amax(input, dim=(), keepdim=False):
    return _stat.amax(input, dim, keepdim)


def amin(input, dim=(), keepdim=False):
    return _stat.amin(input, dim, keepdim)


def median(input, dim=None, keepdim=False):
    return _stat.median(input, dim, keepdim)


# -- rounding (zero gradients, as in PyTorch) ----------------------------------------------------
def round(input, *, decimals=0):  # noqa: A001
    return input.round(decimals=decimals)


def floor(input):
    return input.floor()


def ceil(input):
    return input.ceil()


def trunc(input):
    return input.trunc()


def __getattr__(name):
    """Import the picture and widget packages on first use (they pull in graphviz/ipywidgets)."""
    if name in ("viz", "widgets", "exercises"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'minigrad' has no attribute '{name}'")
