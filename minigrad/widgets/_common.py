"""What the three widgets share and that needs no browser: names for tensors, short value texts,
graph walks, and friendlier words next to PyTorch's error messages.

Nothing here imports ipywidgets or graphviz, so the models built on it can be unit-tested (and used
from a plain script) anywhere.
"""

import sys

import numpy as np

from ..autograd.function import AccumulateGrad
from .._format import array_of, block, compact, number, shape_text  # noqa: F401
from ..tensor import Tensor


# -- what the models and widgets share ----------------------------------------------------------
class Cursor:
    """A position in ``self.steps``: -1 before the first step, then 0..len-1 (always clamped, so
    Next at the end and Prev at the start do nothing)."""

    index = -1

    def go(self, i):
        """Jump to step ``i``; returns the new index."""
        self.index = max(-1, min(int(i), len(self.steps) - 1))
        return self.index

    def next(self):
        return self.go(self.index + 1)

    def prev(self):
        return self.go(self.index - 1)

    def reset(self):
        return self.go(-1)


class WidgetFront:
    """The public face every widget shares: a model (plain Python) and an ipywidgets view made
    by ``_ui_()``. Its text is the model's; its display bundle is the view's."""

    def _ui_(self):
        return self._ui

    def close(self):
        if self._ui is not None:
            self._ui.close()

    def __repr__(self):
        return self.model.text()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self._ui_().bundle(self.model.text())


class SteppingFront(WidgetFront):
    """Moving through the steps also moves the view (slider, picture, panes)."""

    steps = property(lambda self: self.model.steps)
    index = property(lambda self: self.model.index)

    def go(self, i):
        return self._ui_().go(i)

    def next(self):
        return self.go(self.model.index + 1)

    def prev(self):
        return self.go(self.model.index - 1)

    def reset(self):
        return self.go(-1)

    def picture(self, i=None):
        """The graph picture at step ``i`` (default: the current one): a viz ``GraphPicture``, or
        None when there is nothing to draw."""
        return self._ui_().picture(i)


# -- names ---------------------------------------------------------------------------------------
_SKIPPED_NAMES = {"In", "Out", "exit", "quit", "get_ipython"}


def caller_namespace(depth):
    """The variables of the frame ``depth`` levels above the caller (locals first, then globals).

    In a notebook both are the user's namespace; in a function, its locals come first.
    """
    frame = sys._getframe(depth + 1)
    try:
        namespace = dict(frame.f_globals)
        namespace.update(frame.f_locals)
        return namespace
    finally:
        del frame


def tensors_in(namespace):
    """{name: tensor} for the tensors a namespace names, modules expanded to their parameters
    (``model.0.weight``). The first name wins when one tensor has several; names starting with
    ``_`` (IPython's ``_``, ``_3``...) are ignored."""
    from ..nn.modules import Module

    found, seen = {}, set()
    for name, value in list(namespace.items()):
        if name.startswith("_") or name in _SKIPPED_NAMES:
            continue
        if isinstance(value, Tensor):
            items = [(name, value)]
        elif isinstance(value, Module):
            try:
                items = [(f"{name}.{p}", t) for p, t in value.named_parameters()]
            except Exception:  # a half-built module: skip it rather than fail
                continue
        else:
            continue
        for key, t in items:
            if id(t) not in seen:
                seen.add(id(t))
                found[key] = t
    return found


def normalize_names(names):
    """Accept ``{name: tensor or module}`` or a list of ``(name, tensor)``; return {name: tensor}."""
    if names is None:
        return {}
    if isinstance(names, dict):
        items = names.items()
    else:
        items = list(names)
    result = {}
    for name, value in items:
        if isinstance(value, Tensor):
            result.setdefault(str(name), value)
        else:  # a module: its parameters, prefixed
            result.update(tensors_in({str(name): value}))
    return result


class Namer:
    """Labels for graph nodes: a leaf's variable name, or the op's name plus the tensor it made.

    ``names`` wins over names found in the namespace; leaves nobody named are called ``leaf1``,
    ``leaf2``... in the order the graph walk meets them (so the labels never change between runs).
    """

    def __init__(self, nodes, names=None, namespace=None):
        chosen = dict(normalize_names(names))
        if namespace is not None:
            for name, t in tensors_in(namespace).items():
                if not any(t is v for v in chosen.values()):
                    chosen.setdefault(name, t)
        self.tensor_name = {}  # id(tensor) -> name
        for name, t in chosen.items():
            self.tensor_name.setdefault(id(t), name)
        self._keep = chosen  # keep the tensors alive while their ids are keys
        self.leaf_name, self.output_name = {}, {}
        unnamed = 0
        for node in nodes:
            if node.__class__ is AccumulateGrad:
                name = self.tensor_name.get(id(node.variable))
                if name is None:
                    unnamed += 1
                    name = f"leaf{unnamed}"
                self.leaf_name[node] = name
        for name, t in chosen.items():
            if t.grad_fn is not None and t.grad_fn not in self.output_name:
                self.output_name[t.grad_fn] = name
        # what viz gets: every named tensor (leaves, outputs, and inputs that need no gradient)
        self.names = {}
        for node, name in self.leaf_name.items():
            self.names[name] = node.variable
        for name in self.output_name.values():
            self.names.setdefault(name, chosen[name])
        for name, t in chosen.items():
            if t.grad_fn is None and not t.requires_grad:
                self.names.setdefault(name, t)

    def label(self, node):
        if node is None:
            return "(nothing)"
        if node.__class__ is AccumulateGrad:
            return self.leaf_name.get(node) or "leaf"
        out = self.output_name.get(node)
        return f"{node.name()} ({out})" if out else node.name()

    def tensor_label(self, node, depth=2):
        """The tensor a node stands for, by name: a leaf's or a named output's, else how it was
        computed from its inputs (``(a * b)``, ``sigmoid(z)``), nested ``depth`` levels deep."""
        if node is None:
            return "?"
        if node.__class__ is AccumulateGrad:
            return self.leaf_name.get(node) or "leaf"
        named = self.output_name.get(node)
        if named:
            return named
        if depth == 0:
            return "…"
        operands = []
        for (child, _), constant in zip(node.next_functions, node.input_values()):
            if child is not None:
                operands.append(self.tensor_label(child, depth - 1))
            elif isinstance(constant, Tensor):
                operands.append(self.name_of(constant) or constant_name(constant))
            elif constant is not None:
                operands.append(number(constant))
            else:
                operands.append("c")
        return node.expression(operands)

    def name_of(self, tensor):
        return self.tensor_name.get(id(tensor))


def constant_name(tensor):
    """An unnamed input that needs no gradient, in a formula: its value if it is one number."""
    return number(tensor.item()) if tensor.numel() == 1 else "c"


# -- graph walks ---------------------------------------------------------------------------------
def root_node(tensor):
    if not isinstance(tensor, Tensor) or not tensor.requires_grad:
        return None
    return tensor._gradient_node()


# -- values as short text: minigrad/_format.py is their one home -------------------------------
def copy_of(value):
    """A numpy copy of a tensor's values (``None`` stays ``None``)."""
    a = array_of(value)
    return None if a is None else np.array(a, copy=True)


# -- errors --------------------------------------------------------------------------------------
_HINTS = (
    (
        "does not require grad and does not have a grad_fn",
        "This tensor is not part of a graph: none of its inputs had requires_grad=True, or it was "
        "computed under torch.no_grad() or from a detach()ed tensor. There is nothing to go back "
        "through.",
    ),
    (
        "grad can be implicitly created only for scalar outputs",
        "The root is not a single number, so backward needs the vector v of the product vᵀ·J: pass "
        "gradient=torch.ones_like(root) (or any tensor of the root's shape).",
    ),
    (
        "backward through the graph a second time",
        "An earlier backward() freed this graph's saved values. Re-run the cells that build the "
        "graph, or call that backward with retain_graph=True.",
    ),
    ("Mismatch in shape", "The gradient passed in must have exactly the root's shape."),
    (
        "modified by an inplace operation",
        "A value backward needs was changed in place after the forward pass; re-run the forward.",
    ),
)


def hint_for(message):
    """A sentence for students explaining a known PyTorch error message (or ``""``)."""
    for fragment, hint in _HINTS:
        if fragment in message:
            return hint
    return ""


def error_text(error):
    """PyTorch's message for RuntimeErrors (exactly as PyTorch words it), else 'Type: message'."""
    if isinstance(error, RuntimeError) and type(error) is RuntimeError:
        return str(error)
    return f"{type(error).__name__}: {error}"
