"""Self-checking exercises for the lessons in ``notebooks/``.

In a lesson::

    from minigrad.exercises import check
    answer = ...  # your code here
    check("lesson3.mse_db", answer, x=x, y=y, w=w, b=b)

``check`` returns a small result that Jupyter shows as a coloured box (and as one line of plain
text elsewhere): correct, not yet (with a hint), or not answered yet while ``answer`` is still the
placeholder ``...``. It never shows the expected answer: that answer is not stored anywhere, it is
computed when you call ``check``, by running minigrad on the problem itself (the lesson's tensors
you pass in, or the small problem stated in the exercise). ``describe(key)`` returns the task in
words, ``keys()`` lists every exercise.
"""
import html
from dataclasses import dataclass

import numpy as np

import minigrad as torch  # the solvers read like the lessons
from .autograd.graph import nodes as graph_nodes

_EXERCISES = {}


@dataclass(frozen=True)
class _Exercise:
    key: str
    solve: object  # solve(**given) -> the expected answer
    kind: str  # "numbers", "shape", "set", "value", "flags"
    hint: str
    needs: tuple  # names of lesson tensors the caller must pass
    rtol: float
    atol: float

    @property
    def task(self):
        return " ".join((self.solve.__doc__ or "").split())


def _exercise(key, kind, hint, needs=(), rtol=1e-4, atol=1e-6):
    def register(solve):
        _EXERCISES[key] = _Exercise(key, solve, kind, hint, tuple(needs), rtol, atol)
        return solve
    return register


def keys():
    """Every exercise key, in lesson order."""
    return list(_EXERCISES)


def describe(key):
    """The task of one exercise, in words."""
    return _get(key).task


# -- the result a student sees ----------------------------------------------------------------------
_STYLE = {  # status: (symbol, title, border colour, background)
    # symbols from common text fonts (emoji need an emoji font, which many Linux machines lack)
    "correct": ("✔", "Correct!", "#2e7d32", "#e8f5e9"),
    "wrong": ("✘", "Not yet.", "#c62828", "#ffebee"),
    "todo": ("✎", "Not answered yet.", "#9e9e9e", "#f5f5f5"),
}


class Result:
    """What ``check`` returns: ``.status`` is "correct", "wrong" or "todo"; ``.passed`` a bool."""

    def __init__(self, key, status, message=""):
        self.key, self.status, self.message = key, status, message

    @property
    def passed(self):
        return self.status == "correct"

    def __repr__(self):
        symbol, title, _, _ = _STYLE[self.status]
        return f"{symbol} {self.key}: {title}" + (f" {self.message}" if self.message else "")

    def _repr_html_(self):
        symbol, title, border, background = _STYLE[self.status]
        message = f" {html.escape(self.message)}" if self.message else ""
        return (f'<div class="minigrad-check minigrad-check-{self.status}" '
                f'style="border-left: 4px solid {border}; background: {background}; '
                f'color: #1b1b1b; padding: 4px 10px; margin: 2px 0;">'
                f'{symbol} <code style="color: inherit; background: transparent;">'
                f"{html.escape(self.key)}</code>: <b>{title}</b>{message}</div>")


def check(key, answer=..., **given):
    """Compare ``answer`` with the answer to exercise ``key`` (computed now, never shown).

    ``given``: the lesson's tensors the exercise is about (a clear error names any missing).
    """
    exercise = _get(key)
    missing = [name for name in exercise.needs if name not in given]
    if missing:
        raise TypeError(f"check({key!r}, answer, ...) also needs the lesson's "
                        + ", ".join(f"{n}={n}" for n in missing))
    if answer is ...:
        return Result(key, "todo", "Replace the ... with your answer, then run the cell again.")
    if answer is None:
        return Result(key, "wrong", "Your answer is None: did you forget to assign it? "
                                    f"Hint: {exercise.hint}")
    try:
        with torch.enable_grad():  # the solvers run backward, even when check() is called in no_grad()
            expected = exercise.solve(**{n: given[n] for n in exercise.needs})
    except Exception as error:  # the lesson's tensors were changed: say so, no traceback
        return Result(key, "wrong", "The tensors passed to check() do not fit this exercise "
                                    f"({type(error).__name__}: {error}). Run the lesson's first "
                                    "cells again to rebuild them.")
    problem = _COMPARE[exercise.kind](answer, expected, exercise)
    if problem is None:
        return Result(key, "correct")
    return Result(key, "wrong", f"{problem} Hint: {exercise.hint}".strip())


def _get(key):
    try:
        return _EXERCISES[key]
    except KeyError:
        raise KeyError(f"no exercise called {key!r}; the exercises are: {', '.join(_EXERCISES)}") from None


# -- comparing (each returns None when right, else a sentence that does not give the answer away) ---
def _as_array(value):
    if hasattr(value, "detach"):  # a minigrad or PyTorch tensor
        value = value.detach()
        value = value.numpy() if hasattr(value, "numpy") else value
    return np.asarray(value, dtype=np.float64)


def _compare_numbers(answer, expected, exercise):
    try:
        got = _as_array(answer)
    except (TypeError, ValueError):
        return f"Your answer should be a number or a tensor, not {type(answer).__name__}."
    want = _as_array(expected)
    if got.size == 1 and want.size == 1:
        got, want = got.reshape(()), want.reshape(())
    if got.shape != want.shape:
        return f"Your answer has shape {tuple(got.shape)}, which is not the shape of the answer."
    if not np.all(np.isfinite(got)):
        return "Your answer contains nan or inf."
    if np.allclose(got, want, rtol=exercise.rtol, atol=exercise.atol):
        return None
    if want.size > 1:
        wrong = int(np.sum(~np.isclose(got, want, rtol=exercise.rtol, atol=exercise.atol)))
        return f"{wrong} of the {want.size} numbers {'is' if wrong == 1 else 'are'} off."
    return "The value is off."


def _plain(item):
    """A one-number tensor or numpy scalar as a plain Python number; anything else unchanged."""
    if isinstance(item, (str, bytes)) or not hasattr(item, "item"):
        return item
    try:
        if int(np.prod(getattr(item, "shape", ()))) == 1:
            return item.item()
    except Exception:  # an object with an unrelated .item: leave it as it is
        pass
    return item


def _is_number(item):
    return isinstance(item, (int, float, np.number)) and not isinstance(item, (bool, np.bool_))


def _compare_shape(answer, expected, exercise):
    message = "Your answer should be a shape: a tuple of whole numbers such as (2, 7)."
    if isinstance(answer, (str, bytes)):
        return message
    try:
        items = [_plain(n) for n in answer]
    except Exception:  # not iterable (a number, a 0-d tensor, ...)
        return message
    if not all(_is_number(n) and float(n).is_integer() for n in items):
        if getattr(answer, "ndim", 0) >= 1:  # the result itself rather than its shape
            return ("Your answer is a tensor (or array) of numbers, not a shape: answer with a "
                    "tuple of whole numbers such as (2, 7), as .shape prints it.")
        return message
    return None if tuple(int(n) for n in items) == tuple(expected) else "That is not the shape."


def _normal(item):
    item = _plain(item)
    if isinstance(item, str):
        return item.strip()
    if _is_number(item):
        # 6 significant digits: 1.1 typed by hand and 1.1 stored as float32 are the same answer
        return float(f"{float(item):.6g}")
    return item


def _compare_set(answer, expected, exercise):
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        return "Your answer should be a set, such as {'a', 'b'} or {0.5, 3.0}."
    try:
        got = {_normal(a) for a in answer}
    except TypeError:  # lists inside the answer: they cannot go in a set
        return "Your answer should be a set, such as {'a', 'b'} or {0.5, 3.0}."
    want = {_normal(e) for e in expected}
    if all(isinstance(e, str) for e in want) and not all(isinstance(g, str) for g in got):
        return ("Answer with the names, as strings in quotes, such as {'a', 'b'}: "
                "not with the tensors themselves.")
    if all(isinstance(e, float) for e in want) and any(isinstance(g, str) for g in got):
        return "Answer with numbers, such as {0.5, 3.0}: not with strings in quotes."
    if got == want:
        return None
    if got < want:
        return "Some are missing."
    if got > want:
        return "Some of these do not belong."
    return "Not the right set."


def _compare_value(answer, expected, exercise):
    if isinstance(expected, str):
        if not isinstance(answer, str):
            if callable(getattr(answer, "name", None)) and hasattr(answer, "next_functions"):
                return ("Your answer is a graph node, not its name: answer with a string, "
                        "as the node's .name() gives it.")
            return ("Your answer should be a string (a node's name, in quotes), "
                    f"not {type(answer).__name__}.")
        return None if answer.strip() == expected else "That is not it."
    if isinstance(expected, bool):
        if not isinstance(answer, (bool, np.bool_)):
            return "Your answer should be True or False."
        return None if bool(answer) == expected else "That is not it."
    if isinstance(expected, int):
        value = _plain(answer)
        if isinstance(value, float) and value.is_integer():  # 2.0 counts as the whole number 2
            value = int(value)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            return f"Your answer should be a whole number, not {type(answer).__name__}."
        return None if int(value) == expected else "That is not the number."
    raise TypeError(f"exercise {exercise.key!r}: cannot compare {type(expected).__name__}")


def _compare_flags(answer, expected, exercise):
    try:
        got = tuple(answer)
    except TypeError:
        return f"Your answer should be a tuple of {len(expected)} True/False values."
    if len(got) != len(expected) or not all(isinstance(g, (bool, np.bool_)) for g in got):
        return f"Your answer should be a tuple of {len(expected)} True/False values."
    wrong = sum(bool(g) != e for g, e in zip(got, expected))
    if wrong == 0:
        return None
    return f"{wrong} of the {len(expected)} {'is' if wrong == 1 else 'are'} wrong."


_COMPARE = {"numbers": _compare_numbers, "shape": _compare_shape, "set": _compare_set,
            "value": _compare_value, "flags": _compare_flags}


# -- helpers for the solvers --------------------------------------------------------------------------
def _fresh(t):
    """A copy of a lesson tensor that is a new leaf, so checking never touches the student's graph."""
    return t.detach().clone().requires_grad_(t.requires_grad)


def _one_layer(x, y, w, b):
    """The seed's network on copies of the lesson's tensors: (x, y, w, b, z, loss)."""
    x, y, w, b = (_fresh(t) for t in (x, y, w, b))
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    return dict(x=x, y=y, w=w, b=b, z=z, loss=loss)


def _seed_graph():
    return _one_layer(torch.ones(5), torch.zeros(3), torch.zeros(5, 3, requires_grad=True),
                      torch.zeros(3, requires_grad=True))


# -- lesson 1: tensors and a one-layer network -------------------------------------------------------
@_exercise("lesson1.batch_shape", "shape",
           "X has 4 rows of 5 numbers; a (4, 5) matrix times a (5, 3) matrix, then + b broadcast to "
           "every row.")
def _batch_shape():
    """X = torch.ones(4, 5) is a batch of four inputs. What is the shape of
    torch.matmul(X, w) + b for the lesson's w (5x3) and b (3)? Answer with a tuple."""
    return tuple((torch.matmul(torch.ones(4, 5), torch.zeros(5, 3)) + torch.zeros(3)).shape)


@_exercise("lesson1.loss_by_hand", "numbers",
           "The loss is the mean over the 3 outputs of -[y·log σ(z) + (1-y)·log(1-σ(z))], with "
           "σ(z) = 1/(1+exp(-z)). Tensors have .sigmoid(), .log() and .mean().",
           needs=("z", "y"))
def _loss_by_hand(z, y):
    """Compute the binary cross-entropy loss of the lesson's z and y from its formula, without
    calling binary_cross_entropy_with_logits."""
    return torch.nn.functional.binary_cross_entropy_with_logits(z.detach(), y.detach())


@_exercise("lesson1.requires_grad", "set",
           "A tensor requires grad when you asked for it, or when it was computed from one that does.")
def _requires_grad():
    """Which of x, y, w, b, z, loss have requires_grad=True? Answer with a set of names,
    such as {'x', 'y'}."""
    return {name for name, t in _seed_graph().items() if t.requires_grad}


# -- lesson 2: tensors, functions and computational graphs ---------------------------------------------
@_exercise("lesson2.leaves", "set",
           "A leaf is a tensor that no recorded operation produced: its grad_fn is None. "
           "Tensors that do not require grad count as leaves too.")
def _leaves():
    """Which of x, y, w, b, z, loss are leaves (is_leaf is True)? Answer with a set of names."""
    return {name for name, t in _seed_graph().items() if t.is_leaf}


@_exercise("lesson2.next_node", "value",
           "The sum's input is the result of the last operation before the sum. Names follow the "
           "pattern OperationBackward0.")
def _next_node():
    """For u = (w.exp() * 3).sum(), what is the name (a string such as 'ExpBackward0') of
    u.grad_fn.next_functions[0][0]?"""
    w = _seed_graph()["w"]
    u = (w.exp() * 3).sum()
    return u.grad_fn.next_functions[0][0].name()


@_exercise("lesson2.accumulators", "value",
           "A leaf has a single AccumulateGrad node, however many times it is used.")
def _accumulators():
    """For v = (w * b).sum() + (w ** 2).sum(), how many AccumulateGrad nodes can be reached
    from v.grad_fn by following next_functions? Answer with a whole number."""
    g = _seed_graph()
    w, b = g["w"], g["b"]
    v = (w * b).sum() + (w ** 2).sum()
    return sum(type(node).__name__ == "AccumulateGrad" for node in graph_nodes([v.grad_fn]))


# -- lesson 3: computing gradients -----------------------------------------------------------------------
@_exercise("lesson3.mse_db", "numbers",
           "L = mean((z - y)²) over 3 outputs, so dL/dz = 2(z - y)/3; and dz/db is the identity.",
           needs=("x", "y", "w", "b"))
def _mse_db(x, y, w, b):
    """Take a different loss for the same network: L = ((z - y)**2).mean(). Derive dL/db by hand
    (no backward) from the lesson's x, y, w, b."""
    g = _one_layer(x, y, w, b)
    mse = ((g["z"] - g["y"]) ** 2).mean()
    return torch.autograd.grad(mse, g["b"])[0]


@_exercise("lesson3.fd_w21", "numbers",
           "Nudge only w[2, 1] by +h and by -h (on detached copies, or inside torch.no_grad()), "
           "recompute the loss each time, and divide the difference by 2h (h = 1e-3 works).",
           needs=("x", "y", "w", "b"), rtol=1e-2, atol=1e-4)
def _fd_w21(x, y, w, b):
    """Estimate dloss/dw[2, 1] of the lesson's loss by central finite differences."""
    g = _one_layer(x, y, w, b)
    return torch.autograd.grad(g["loss"], g["w"])[0][2, 1]


@_exercise("lesson3.dx", "numbers",
           "z = x @ w + b, so dloss/dx_i = sum over j of w[i, j] · dloss/dz_j: a matrix times dz.",
           needs=("x", "y", "w", "b"))
def _dx(x, y, w, b):
    """If x required grad too, what would x.grad be after loss.backward()? Derive it by hand
    from w and dz = (sigmoid(z) - y) / 3."""
    g = _one_layer(x.detach().requires_grad_(True), y, w, b)
    return torch.autograd.grad(g["loss"], g["x"])[0]


# -- lesson 4: disabling gradient tracking -----------------------------------------------------------------
@_exercise("lesson4.predict", "flags",
           "Results require grad when grad mode is on and some input requires grad; detach() "
           "gives a tensor that does not.")
def _predict():
    """With w = torch.ones(2, requires_grad=True), predict requires_grad of
    (a) w * 2, (b) w.detach() * 2, (c) w * 2 computed inside torch.no_grad(), (d) w.detach() + w.
    Answer with a tuple of four True/False values."""
    w = torch.ones(2, requires_grad=True)
    a = w * 2
    b = w.detach() * 2
    with torch.no_grad():
        c = w * 2
    d = w.detach() + w
    return tuple(t.requires_grad for t in (a, b, c, d))


@_exercise("lesson4.frozen", "set",
           "A frozen parameter gets no .grad, but gradients still flow through its layer to the "
           "layers before it.")
def _frozen():
    """model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)); then
    model[2].requires_grad_(False) and model(torch.ones(2, 3)).sum().backward().
    Which names of model.named_parameters() have a .grad that is not None? Answer with a set."""
    nn = torch.nn
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    model[2].requires_grad_(False)
    model(torch.ones(2, 3)).sum().backward()
    return {name for name, p in model.named_parameters() if p.grad is not None}


# -- lesson 5: more on computational graphs ------------------------------------------------------------------
@_exercise("lesson5.twice", "numbers",
           "a is used three times in a * a + a: add the three contributions, d(a·a)/da = 2a and "
           "d(a)/da = 1.")
def _twice():
    """a = torch.tensor(3., requires_grad=True); f = a * a + a; f.backward().
    What is a.grad? Work it out by hand."""
    a = torch.tensor(3., requires_grad=True)
    (a * a + a).backward()
    return a.grad


def _doubling(start):
    out = start
    while out.sum() < 10:
        out = out * 2
    return out


@_exercise("lesson5.loop_nodes", "value",
           "Run the loop in your head: the sum starts at 1.5 and doubles each time round.")
def _loop_nodes():
    """def f(a): out = a; while out.sum() < 10: out = out * 2; return out.
    How many MulBackward0 nodes does f(torch.tensor([1., 0.5], requires_grad=True)) record?"""
    with torch.autograd.record_forward() as rec:
        _doubling(torch.tensor([1., 0.5], requires_grad=True))
    return sum(step.node.name() == "MulBackward0" for step in rec.steps)


@_exercise("lesson5.steps", "value",
           "Count the distinct nodes of the graph: each runs exactly once, after every gradient "
           "for it has arrived, even a leaf that is used several times.")
def _steps():
    """How many steps does backward take for f = a * a + a with
    a = torch.tensor(3., requires_grad=True)? (len(list(torch.autograd.backward_steps(f))))"""
    a = torch.tensor(3., requires_grad=True)
    return len(list(torch.autograd.backward_steps(a * a + a, accumulate=False)))


# -- lesson 6: tensor gradients and Jacobian products --------------------------------------------------------
@_exercise("lesson6.jacobian", "numbers",
           "Output i depends only on input i, so J is diagonal; d(a_i²)/da_i = 2a_i.")
def _jacobian():
    """f(a) = a ** 2 at a = torch.tensor([1., 2., 3.]). Write down the Jacobian J (3x3)
    by hand, with J[i, j] = d f_i / d a_j."""
    return torch.autograd.functional.jacobian(lambda a: a ** 2, torch.tensor([1., 2., 3.]))


@_exercise("lesson6.vjp", "numbers",
           "backward(v) puts vᵀ·J into a.grad; here J is diagonal with 2(a_i + 1) on it.")
def _vjp():
    """a = torch.tensor([0., 1., 2.], requires_grad=True); out = (a + 1).pow(2);
    out.backward(torch.tensor([1., 0., -1.])). What is a.grad? Work it out by hand."""
    a = torch.tensor([0., 1., 2.], requires_grad=True)
    (a + 1).pow(2).backward(torch.tensor([1., 0., -1.]))
    return a.grad


@_exercise("lesson6.three_calls", "numbers",
           "One call adds 2(inp + 1) to every entry of inp.grad; without zero_() the calls add up.")
def _three_calls():
    """inp = torch.eye(4, 5, requires_grad=True); out = (inp + 1).pow(2).t(); then
    out.backward(torch.ones_like(out), retain_graph=True) three times, never zeroing.
    What is inp.grad[0, 0]?"""
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    for _ in range(3):
        out.backward(torch.ones_like(out), retain_graph=True)
    return inp.grad[0, 0]


# -- lesson 7: training with an optimizer ---------------------------------------------------------------------
def _quadratic_steps(steps, lr, zero_grad=True):
    w = torch.tensor([1., -2.], requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)
    losses = []
    for _ in range(steps):
        if zero_grad:
            opt.zero_grad()
        loss = (w ** 2).sum()
        losses.append(loss.item())
        loss.backward()
        opt.step()
    return w.detach(), losses


@_exercise("lesson7.sgd_step", "numbers",
           "SGD does w ← w - lr · w.grad, and the gradient of (w²).sum() is 2w.")
def _sgd_step():
    """w = torch.tensor([1., -2.], requires_grad=True); opt = torch.optim.SGD([w], lr=0.1);
    loss = (w ** 2).sum(); loss.backward(); opt.step(). What is w now?"""
    return _quadratic_steps(1, 0.1)[0]


@_exercise("lesson7.forgot_zero", "numbers",
           "Without zero_grad() the second backward adds 2·w₁ to the 2·w₀ already in w.grad, and "
           "step() uses that sum.")
def _forgot_zero():
    """Same w, loss and SGD(lr=0.1), but two training steps (loss, backward, step) and
    no zero_grad() anywhere. What is w after the second step?"""
    return _quadratic_steps(2, 0.1, zero_grad=False)[0]


@_exercise("lesson7.diverge", "set",
           "One step multiplies w by (1 - 2·lr); the loss grows when that factor is bigger than "
           "1 in size.")
def _diverge():
    """Train loss = (w ** 2).sum() from w = [1., -2.] with SGD for 10 steps (zeroing gradients).
    Which learning rates among 0.01, 0.1, 0.9, 1.1, 2.0 make the loss grow? Answer with a set."""
    grows = set()
    for lr in (0.01, 0.1, 0.9, 1.1, 2.0):
        w, losses = _quadratic_steps(10, lr)
        if (w ** 2).sum().item() > losses[0]:
            grows.add(lr)
    return grows
