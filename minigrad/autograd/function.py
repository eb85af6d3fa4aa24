"""``Function``: one operation of the graph, with its forward and its backward side by side.

Calling ``SomeOp.apply(*inputs)`` runs ``forward`` and, when an input requires grad and grad mode
is on, keeps the ``Function`` instance as the result's ``grad_fn``: that instance *is* the graph
node and also the ``ctx`` that forward and backward share, as in PyTorch. Its ``next_functions``
point at the nodes that produced the inputs (``AccumulateGrad`` for leaves, ``None`` for inputs
that need no gradient), so the whole graph is reachable from the output.

Built-in ops (``minigrad/ops``) compute ``forward`` on numpy arrays. Their ``backward`` formula is
written once, with operators and the helpers of ``ops/array_or_tensor.py``: a plain backward runs it on
numpy arrays (fast, nothing recorded), ``create_graph=True`` runs it on tensors (recorded, so
gradients of gradients work). User subclasses work exactly like ``torch.autograd.Function``:
tensors in, tensors out.
"""

from __future__ import annotations

import functools
import itertools
import re
import weakref
from typing import Any

import numpy as np

from . import grad_mode
from ..tensor import Tensor

_STATE = grad_mode.STATE
_sequence = itertools.count()  # creation order: the engine's tie-breaker and the pictures' ids

FREED_GRAPH_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)
_FREED = object()
_NO_EDGE = (None, 0)
_BACKWARD_SUFFIX = re.compile(r"Backward\d*$")
_new = object.__new__
_INFIX = ("+", "-", "*", "/", "**", "@")


def _add_saved_attributes(cls):
    """``node._saved_self``, ``_saved_other``, ``_saved_result``...: what the node saved, by
    PyTorch's names (``saved_names``: one per entry of ``save_for_backward``; ``saved_options``:
    attributes of the node, such as a scalar exponent). Properties made once per op class,
    not a ``__getattr__``: that would slow down every attribute read of every node."""
    for index, name in enumerate(cls.__dict__.get("saved_names", ())):
        setattr(cls, "_saved_" + name, property(functools.partial(_saved_value, index=index)))
    for name in cls.__dict__.get("saved_options", ()):
        setattr(cls, "_saved_" + name, property(functools.partial(_option_value, name=name)))


def _saved_value(node, index):
    saved = node._saved
    if saved is _FREED:
        raise RuntimeError(FREED_GRAPH_MESSAGE)
    value = _unpacked(saved[index], node)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = Tensor._make(np.asarray(value), False, None)  # a number, wrapped
    return value


def _option_value(node, name):
    return node.__dict__[name]


def _share_memory(view, base, node, options):
    """A view shares its base's memory, so it shares the version counter too. It also remembers
    how it was cut from its (root) base: the view ops in order, each node with its options, so an
    in-place change through it can be recorded on the base (``CopySlices``), and ``_base_fn``, the
    base's ``grad_fn`` its own history was made from (when the base's changes, the view's
    history is made anew: ``Tensor.grad_fn``), and whether it was made under ``no_grad``."""
    view._version_counter = base._version_counter
    root = base._base
    if root is None:
        view._base, view._view_path = base, ((node, options),)
    else:
        view._base, view._view_path = root, base._view_path + ((node, options),)
    view._base_fn = view._base._grad_fn
    view._no_grad_view = not _STATE.grad  # PyTorch refuses to record changes through these


class Function:
    """Base class of every graph node. Subclasses define ``forward(ctx, ...)`` and ``backward(ctx, grad)``.

    ``node_name`` is the name PyTorch gives the same node (``MulBackward0``); ``formula`` is the
    one-line local derivative the widgets show.
    """

    node_name = None
    formula = ""
    label = None  # a short display label ("+", "σ", "log1p"); pictures fall back to the node name
    scalars_are_inputs = False  # Python numbers count as inputs (PyTorch wraps them in tensors)
    builtin = False  # built-in ops are trusted to return well-shaped gradients
    is_view = False  # the output shares memory (and so the version counter) with input 0

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_is_node_class"):
            return
        if "node_name" not in cls.__dict__:
            cls.node_name = cls.__name__ + "Backward"  # PyTorch's name for custom Functions
        cls._op, cls._node_classes = cls, {}
        cls._node_class = cls._variant(cls.node_name)
        _add_saved_attributes(cls)

    @classmethod
    def _variant(cls, name):
        """The class of this op's graph nodes called ``name``: a subclass of the op named as
        PyTorch names the node's type (``type(z.grad_fn).__name__ == 'MulBackward0'``), made once.
        Like PyTorch, a custom Function's node class lives in ``torch.autograd.function``."""
        op = cls._op
        node_class = op._node_classes.get(name)
        if node_class is None:
            module = "builtins" if op.builtin else "torch.autograd.function"
            node_class = type(
                name,
                (op,),
                {
                    "_is_node_class": True,
                    "node_name": name,
                    "__module__": module,
                    "__qualname__": name,
                    "__doc__": op.__doc__,
                },
            )
            op._node_classes[name] = node_class
        return node_class

    def _rename(self, name):
        """Make this node one of its op's nodes called ``name`` (an op whose PyTorch name
        depends on its arguments, such as ``SumBackward0``/``SumBackward1``)."""
        self.__class__ = type(self)._variant(name)

    # per-node state that most nodes never change (instances override these when needed)
    _saved = ()
    _positions = None  # which argument each edge belongs to, when some arguments are options
    _pre_hooks = None
    _post_hooks = None
    _retained = None  # weak reference to the output tensor, after retain_grad()
    _output = None  # weak reference to the output tensor
    _n_outputs = 1  # a custom Function may return several tensors: outputs 0, 1, ... of one node
    _output_dtype = None  # numpy dtype of the (single) output: its gradient comes in that dtype
    _outputs = None  # with several outputs: a weak reference to each (None if not differentiable)
    _non_differentiable = ()  # outputs a custom forward marked with mark_non_differentiable
    materialize_grads = True  # a custom backward gets zeros (not None) for unused outputs
    _constants = None  # what went in along the None edges (see input_values)
    saved_names = ()  # PyTorch's name of each saved value (node._saved_self, ...)
    saved_options = ()  # attributes PyTorch also shows as saved (node._saved_exponent)
    _dirty = ()  # inputs a custom forward marked with mark_dirty

    # -- running an op -------------------------------------------------------------------------
    @classmethod
    def apply(cls, *args: Any, **options: Any) -> Any:
        """Run ``forward``; record a node when grad mode is on and an input requires grad."""
        ctx = _new(cls._node_class)
        if _STATE.enabled:
            for a in args:
                if isinstance(a, Tensor) and (
                    a._requires_grad or a._base is not None and a.requires_grad
                ):
                    return ctx._record(args, options)
        if cls.builtin:
            ctx.needs_input_grad = (False,) * len(args)  # built-ins: nothing to save for backward
            out = cls.forward(ctx, *args, **options)
        else:  # a custom forward sees which inputs require grad, in any grad mode (as in PyTorch)
            ctx.needs_input_grad = tuple([isinstance(a, Tensor) and a._requires_grad for a in args])
            with grad_mode.no_grad():
                out = cls._custom_forward(ctx, args, options)
            if out.__class__ is tuple:
                return tuple(
                    [
                        Tensor._make(o._array, False, None) if isinstance(o, Tensor) else o
                        for o in out
                    ]
                )
        result = Tensor._make(
            out._array if isinstance(out, Tensor) else np.asarray(out), False, None
        )
        if cls.is_view:
            _share_memory(result, args[0], ctx, options)
        elif _STATE.inference:
            result._version_counter = None  # an inference tensor
        return result

    def _record(self, args, options):
        """``apply`` when the result joins the graph: link the inputs, run forward, keep the node."""
        self._link_inputs(args)
        if self.builtin:  # pure numpy: nothing in it could be recorded
            out = self.forward(self, *args, **options)
        else:
            with grad_mode.no_grad():  # a user's forward is never recorded
                out = self._custom_forward(self, args, options)
            if self._dirty:
                _check_dirty(self._dirty)
            if out.__class__ is tuple or self._non_differentiable or self._dirty:
                return self._keep_outputs(out)
        if "node_name" in self.__dict__:  # forward chose among the op's names
            self._rename(self.__dict__.pop("node_name"))
        if out.__class__ is np.ndarray:  # what built-in forwards return
            data = out
        else:
            data = out._array if isinstance(out, Tensor) else np.asarray(out)
        if data.dtype.kind != "f":  # integer results carry no gradient
            return Tensor._make(data, False, None)
        result = Tensor._make(data, True, self)
        self._output = weakref.ref(result)
        if self.is_view:
            _share_memory(result, args[0], self, options)
        if self._saved:
            self._saved, self._saved_versions = _saved_and_versions(self._saved, out, result)
        self._output_shape, self._output_dtype = data.shape, data.dtype
        if _recorders:
            for r in _recorders:
                r._record(self, result)
        return result

    def _keep_outputs(self, out):
        """A custom forward's results when it returned a tuple or marked some outputs
        non-differentiable: output k of this node is the k-th tensor returned (its edge in a later
        node is ``(node, k)``); integer outputs and the marked ones are plain tensors."""
        single = out.__class__ is not tuple
        outs = (out,) if single else out
        results, shapes, dtypes, refs = [], [], [], []
        for o in outs:
            if not isinstance(o, Tensor):  # a number or None is handed back as it is
                results.append(Tensor._make(np.asarray(o), False, None) if single else o)
                shapes.append(None), dtypes.append(None), refs.append(None)
                continue
            data = o._array
            differentiable = data.dtype.kind == "f" and not any(
                o is m for m in self._non_differentiable
            )
            if any(o is d for d in self._dirty):  # the changed input itself, with this history
                r = o
                r._grad_fn, r._requires_grad = (self, True) if differentiable else (None, False)
                r._version_counter[0] += 1
            else:
                r = Tensor._make(data, differentiable, self if differentiable else None)
            results.append(r)
            shapes.append(data.shape), dtypes.append(data.dtype)
            refs.append(weakref.ref(r) if differentiable else None)
        self._n_outputs = len(outs)
        self._output_shapes, self._output_dtypes, self._outputs = shapes, dtypes, refs
        self._output_shape = shapes[0]
        self._output = next((ref for ref in refs if ref is not None), None)
        if self._saved:  # saving a value you return means saving that output tensor
            mine = {id(o): r for o, r in zip(outs, results) if isinstance(o, Tensor)}
            self._saved = tuple(
                [mine.get(id(s), s) if isinstance(s, Tensor) else s for s in self._saved]
            )
            self._saved_versions = _versions(self._saved)
        first = self.output()
        if _recorders and first is not None:
            for r in _recorders:
                r._record(self, first)
        return results[0] if single else tuple(results)

    def _output_nr_of(self, tensor):
        """Which of this node's outputs ``tensor`` is (always 0 for a node with one output)."""
        if self._outputs is not None:
            for k, ref in enumerate(self._outputs):
                if ref is not None and ref() is tensor:
                    return k
        return 0

    def _link_inputs(self, args):
        """``next_functions``: one edge per input, to the node that made it (``None`` if none);
        ``needs_input_grad``: one flag per argument, as forward and backward see them."""
        edges, needs = [], []
        constants = positions = None  # (rare) constants beside the inputs; options among them
        for a in args:
            if isinstance(a, Tensor):
                base = a._base
                if a._requires_grad if base is None else a.requires_grad:
                    # Tensor._gradient_node() and output_nr, inlined: this runs for every input
                    node = a._grad_fn if base is None else a.grad_fn
                    if node is None:
                        edges.append((a._acc or a._accumulator(), 0))
                    elif node._n_outputs == 1:
                        edges.append((node, 0))
                    else:
                        edges.append((node, node._output_nr_of(a)))
                    needs.append(True)
                else:  # a tensor that needs no gradient: the pictures show it (while it lives)
                    constants = _note_constant(constants, len(edges), weakref.ref(a))
                    edges.append(_NO_EDGE)
                    needs.append(False)
            elif self.scalars_are_inputs and isinstance(a, (int, float)):
                constants = _note_constant(constants, len(edges), a)
                edges.append(_NO_EDGE)
                needs.append(False)
            else:  # an option (a dimension, an array constant): not part of the graph
                if positions is None:
                    positions = list(range(len(needs)))
                needs.append(False)
                continue
            if positions is not None:
                positions.append(len(needs) - 1)
        self.next_functions = tuple(edges)
        self.needs_input_grad = tuple(needs)
        self._positions = positions
        self._constants = constants
        self._sequence_nr = next(_sequence)
        self._queue_key = -self._sequence_nr  # the engine's order: the newest node first

    # -- what forward and backward use ----------------------------------------------------------
    def save_for_backward(self, *values: Any) -> None:
        """Keep what backward needs. Freed after backward unless ``retain_graph=True``."""
        if not self.builtin:  # a custom Function saves tensors (or None), as PyTorch requires
            for i, v in enumerate(values):
                if v is not None and not isinstance(v, Tensor):
                    raise TypeError(
                        "save_for_backward can only save variables, but argument "
                        f"{i} is of type {type(v).__name__}"
                    )
        self._saved = values

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Outputs (returned by this forward) that get no gradient: they come out with
        ``requires_grad=False``, and backward receives zeros (or None) for them."""
        self._non_differentiable = self._non_differentiable + tensors

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Inputs this forward changed in place (and returns): the returned tensor is that input
        itself, whose history is now this node (its version goes up once more, as in PyTorch)."""
        self._dirty = tensors

    def set_materialize_grads(self, value):
        """``False``: backward receives None, instead of zeros, for outputs that got no gradient."""
        self.materialize_grads = bool(value)

    def _gradients_for_backward(self, grads):
        """What a custom backward receives for each output: its gradient, or zeros (None with
        ``set_materialize_grads(False)``) where nothing arrived."""
        if not self.materialize_grads:
            return grads
        return [
            g
            if g is not None or shape is None
            else Tensor._make(np.zeros(shape, dtype), False, None)
            for g, shape, dtype in zip(grads, self._output_shapes, self._output_dtypes)
        ]

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """What forward saved, checked to be unchanged since (in-place changes would make the
        gradient wrong, so they raise PyTorch's error here)."""
        return self._checked_saved(False)

    def saved_like(self, grad):
        """``saved_tensors`` in the form ``grad`` has: numpy arrays during a plain backward,
        tensors when the backward is itself recorded (``create_graph=True``; see ops/array_or_tensor.py)."""
        return self._checked_saved(not isinstance(grad, Tensor))

    def _checked_saved(self, as_arrays):
        """What forward saved (tensors' arrays when ``as_arrays``), each tensor checked to be
        unchanged since (an in-place change would make the gradient wrong: PyTorch's error)."""
        saved = self._saved
        if saved is _FREED:
            raise RuntimeError(FREED_GRAPH_MESSAGE)
        if not saved:
            return [] if as_arrays else saved
        values = []
        for s, version in zip(saved, self._saved_versions):
            if isinstance(s, Tensor):
                if s._version_counter[0] != version:
                    raise RuntimeError(_modified_message(s, version, self))
                s = s._array if as_arrays else _unpacked(s, self)
            values.append(s)
        return values if as_arrays else tuple(values)

    def _release(self):
        """Drop saved values (``retain_graph=False``); a second backward then raises."""
        if self._saved:
            self._saved = _FREED

    @property
    def metadata(self):
        """A dict for anything attached to this node (anomaly detection keeps the stack of the
        forward call that made it under ``"traceback_"``, as PyTorch does)."""
        found = self.__dict__.get("_metadata")
        if found is None:
            found = self._metadata = {}
        return found

    @property
    def is_freed(self):
        return self._saved is _FREED

    # -- what students (and the pictures) see -------------------------------------------------
    def name(self):
        return self.node_name

    def expression(self, operands):
        """How this node's output reads in terms of its inputs' names (the chain-rule panel's
        name for an unnamed tensor): ``(a * b)``, ``sigmoid(z)``."""
        label = self.label or self.node_name
        if label in _INFIX and len(operands) == 2:
            return f"({operands[0]} {label} {operands[1]})"
        return f"{label}({', '.join(operands)})"

    def output(self):
        """The tensor this node produced, if it still exists (nodes only keep a weak reference)."""
        return None if self._output is None else self._output()

    def _output_or_saved(self):
        """What the pictures show as this node's data: its output while it exists, else the
        output forward saved (packed, see ``_SavedOutput``) as a tensor of this node, else None."""
        out = self.output()
        if out is not None or not self._saved or self._saved is _FREED:
            return out
        for s in self._saved:
            if s.__class__ is _SavedOutput:
                return _unpacked(s, self)
        return None

    def input_values(self):
        """What went in along each edge, aligned with ``next_functions``: for an edge that is
        ``None`` (an input needing no gradient), that tensor if it still exists or the Python
        number; ``None`` for edges into the graph (follow ``next_functions`` for those)."""
        values = [None] * len(self.next_functions)
        for i, value in self._constants or ():
            values[i] = value() if isinstance(value, weakref.ref) else value
        return tuple(values)

    def __repr__(self):
        prefix = "" if self.builtin else "torch.autograd.function."
        return f"<{prefix}{self.node_name} object at {id(self):#x}>"

    def register_hook(self, hook):
        """``hook(grad_inputs, grad_outputs)`` after this node ran (as in PyTorch)."""
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(hook)
        return _Handle(self._post_hooks, hook)

    def register_prehook(self, hook):
        """``hook(grad_outputs)`` before this node runs; may return replacement gradients."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        wrapped = _NodePreHook(hook)
        self._pre_hooks.append(wrapped)
        return _Handle(self._pre_hooks, wrapped)

    @staticmethod
    def forward(ctx: Function, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx: Function, inputs: tuple, output: Any) -> None:
        raise NotImplementedError("setup_context is not implemented.")

    @classmethod
    def _custom_forward(cls, ctx, args, options):
        """A user's forward: ``forward(ctx, *args)``, or PyTorch's other style, ``forward(*args)``
        without ctx and ``setup_context(ctx, inputs, output)`` to fill ctx afterwards."""
        if cls.setup_context is Function.setup_context:
            return cls.forward(ctx, *args, **options)
        out = cls.forward(*args, **options)
        cls.setup_context(ctx, args, out)
        return out

    @staticmethod
    def backward(ctx: Function, *grad_outputs: Tensor) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your "
            "custom autograd.Function to use it with backward mode AD."
        )


def once_differentiable(backward):
    """Decorate a custom ``backward`` that cannot itself be differentiated: it runs without
    recording, and if a gradient of its results is asked for later (``create_graph=True``), that
    later backward raises PyTorch's error instead of silently giving zeros."""

    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with grad_mode.no_grad():
            outputs = backward(ctx, *grads)
        if not (_STATE.enabled and any(isinstance(g, Tensor) and g._requires_grad for g in grads)):
            return outputs
        single = not isinstance(outputs, tuple)
        marked = tuple(
            [
                _DelayedError.apply(Tensor._make(o._array, True, None))
                if isinstance(o, Tensor)
                else o
                for o in ((outputs,) if single else outputs)
            ]
        )
        return marked[0] if single else marked

    return wrapper


class _DelayedError(Function):
    """Stands after a ``once_differentiable`` backward's results: differentiating them raises."""

    node_name = "Error"  # PyTorch's DelayedError node prints as <Error object at ...>
    formula = "not differentiable (once_differentiable)"
    label = "once"
    builtin = True

    def name(self):
        return "torch::autograd::Error"

    @staticmethod
    def local(ctx):
        from .chain_rule import Local

        return Local("not differentiable", rule="given")

    @staticmethod
    def forward(ctx, a):
        return a._array

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with @once_differentiable"
        )


class AccumulateGrad(Function):
    """The node behind every leaf that requires grad: it adds the arriving gradient to ``.grad``."""

    __module__ = "builtins"  # printed as PyTorch prints it: <class 'AccumulateGrad'>
    node_name = "AccumulateGrad"
    formula = "leaf.grad += grad"
    builtin = True
    _is_node_class = True  # made directly (not by apply): this class is the node's class
    _run_first = 1 << 62  # write a leaf's .grad as soon as its gradient is complete

    def name(self):
        return "torch::autograd::AccumulateGrad"  # PyTorch's C++ name (its type is AccumulateGrad)

    _post_accumulate_hooks = ()  # Tensor.register_post_accumulate_grad_hook

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()
        self.needs_input_grad = ()
        self._sequence_nr = next(_sequence)
        self._queue_key = -(self._sequence_nr + self._run_first)
        self._output_shape = variable._array.shape

    @property
    def _output_dtype(self):  # the leaf's own (.data = ... or Module.to() may change it)
        return self.variable._array.dtype


INFERENCE_SAVED_MESSAGE = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`."
)


class _SavedOutput(Tensor):
    """How a node keeps its own output when forward saved it (relu, sigmoid, exp, log_softmax):
    the output's values and version counter without its grad_fn, so that the node and its output
    do not keep each other alive (a graph dropped without backward is freed at once, as in
    PyTorch, not by the cycle collector). Unpacked (``saved_tensors``, ``_saved_result``) it is a
    new tensor of that node, as PyTorch unpacks a saved output: equal to the output, not it."""

    __slots__ = ()


def _packed_output(result):
    packed = _new(_SavedOutput)
    packed._array, packed._version_counter = result._array, result._version_counter
    packed._requires_grad, packed._grad_fn, packed._grad = False, None, None
    packed._acc = packed._base = None
    return packed


def _unpacked(value, node):
    """A saved value as forward and backward see it: a packed output becomes a tensor of
    ``node`` again (sharing the values and version counter), anything else is as saved."""
    if value.__class__ is not _SavedOutput:
        return value
    t = Tensor._make(value._array, True, node)
    t._version_counter = value._version_counter
    return t


def _saved_and_versions(saved, out, result):
    """What a node keeps: the saved values, with the value forward returned replaced by the
    output tensor, packed (saving your result means saving the output; see ``_SavedOutput``),
    and each one's version now (``_versions``, in the same loop: this runs for every recorded op
    that saves)."""
    kept, versions = [], []
    try:
        for s in saved:
            if s is out:
                s = _packed_output(result)
            kept.append(s)
            versions.append(s._version_counter[0] if isinstance(s, Tensor) else 0)
    except TypeError:
        raise RuntimeError(INFERENCE_SAVED_MESSAGE) from None
    return tuple(kept), versions


def _versions(saved):
    """The version of each saved tensor now (0 for other values), to spot later in-place changes.
    An inference tensor has no version counter, so it cannot be saved (PyTorch's error)."""
    try:
        return [s._version_counter[0] if isinstance(s, Tensor) else 0 for s in saved]
    except TypeError:
        raise RuntimeError(INFERENCE_SAVED_MESSAGE) from None


def _check_dirty(tensors):
    for t in tensors:
        if t._requires_grad and t._grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad has been used in an in-place operation."
            )


def _note_constant(constants, index, value):
    return [(index, value)] if constants is None else constants + [(index, value)]


def _modified_message(tensor, expected, node):
    """PyTorch's message. It names the node that made the tensor, without "Backward0": the node
    that saved it if it is that node's own output, otherwise the tensor's current grad_fn."""
    description = f"[torch.{tensor.dtype.legacy_name} [{', '.join(map(str, tensor.shape))}]]"
    maker = node if tensor.__class__ is _SavedOutput or node.output() is tensor else tensor.grad_fn
    if maker is not None:
        description += f", which is output 0 of {_BACKWARD_SUFFIX.sub('', maker.name())},"
    from .anomaly_mode import modified_hint

    return (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: {description} is at version {tensor._version_counter[0]}; "
        f"expected version {expected} instead. {modified_hint()}"
    )


class _NodePreHook:
    """A hook registered with ``node.register_prehook``: it sees all of the node's gradients."""

    def __init__(self, hook):
        self.hook = hook


class _OutputHook:
    """A tensor hook on output ``nr`` of a node with several outputs: it sees that one's gradient."""

    def __init__(self, hook, nr):
        self.hook, self.nr = hook, nr

    def __call__(self, grad):
        return self.hook(grad)


class RemovableHandle:
    """What ``register_hook`` returns: ``.remove()`` takes the hook out again."""

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


_Handle = RemovableHandle


# -- recording the forward pass -------------------------------------------------------------------
_recorders = []


class record_forward:
    """Collect every graph node created inside the block, in creation order.

    >>> with record_forward() as rec:
    ...     z = x @ w + b
    >>> [step.node.name() for step in rec.steps]
    ['MmBackward0', 'AddBackward0']

    Each entry is a ``ForwardStep(index, node, output)``; ops run under ``no_grad`` or on tensors
    that need no grad create no node, so nothing is recorded for them.
    """

    def __init__(self):
        self.steps = []

    def _record(self, node, output):
        self.steps.append(ForwardStep(len(self.steps), node, output))

    def __enter__(self):
        _recorders.append(self)
        return self

    def __exit__(self, *exc):
        _recorders.remove(self)
        return False

    def __len__(self):
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)


class ForwardStep:
    __slots__ = ("index", "node", "output")

    def __init__(self, index, node, output):
        self.index, self.node, self.output = index, node, output

    def __repr__(self):
        return f"ForwardStep({self.index}, {self.node.name()}, shape={list(self.output.shape)})"
