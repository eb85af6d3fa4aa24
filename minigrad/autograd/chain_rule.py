"""The chain rule of one backward step, with its numbers: incoming × local derivative = outgoing.

Each built-in op describes its local derivatives next to its backward: ``Op.local(ctx)`` returns
one ``Local`` per input edge (aligned with ``next_functions``). ``explain(steps, k)`` puts them
beside what the engine really did in step ``k`` of ``backward_steps``: the gradient that arrived
(and the contributions it was summed from), the product with each local derivative, the sum back
to an input's shape where broadcasting spread it, and the gradient the engine sent. The widgets
show this; the tests check, for every op, that the product shown equals the engine's gradient.

Nothing here runs a backward formula: the product is computed from the local derivative only to
*show* the multiplication, and the step panel always shows the engine's own gradient beside it.
"""

import numpy as np

from .function import AccumulateGrad

# How an incoming gradient g meets a local derivative v (the value an op's ``local`` returns):
RULES = {
    "×": "elementwise product g · v (g spread over the input's positions first)",
    "g@v": "matrix product g @ v",
    "v@g": "matrix product v @ g",
    "g⊗v": "outer product of g and v",
    "v⊗g": "outer product of v and g",
    "gJ": "vector-Jacobian product along one dimension: Σⱼ gⱼ·Jⱼᵢ",
    "reshape": "the same numbers, reshaped back to the input's shape",
    "permute": "the same numbers, with the dimensions put back in order",
    "route": "each number moved back to where it came from (no arithmetic)",
    "given": "a gradient's own backward (second derivatives): its result as the engine computed it",
}


class Local:
    """One input's local derivative ∂(output)/∂(input), as the step panel shows it.

    - ``formula``: written with the op's operands in braces: ``{a}``, ``{b}``... are the inputs in
      edge order and ``{out}`` the output, e.g. ``"{b}"`` for a*b or ``"σ({a})·(1 - σ({a}))"``;
    - ``value``: its numbers (an array or a number); ``None`` for the rearranging rules;
    - ``rule``: how the incoming gradient meets it (a key of ``RULES``);
    - ``spread``: for reductions, the shape the incoming gradient takes before it is spread over
      the input (the reduced dims kept as size 1); ``axis``: the dimension of a ``gJ`` product,
      or the axes order of a ``permute``.
    """

    __slots__ = ("formula", "value", "rule", "spread", "axis")

    def __init__(self, formula, value=None, rule="×", spread=None, axis=None):
        if rule not in RULES:
            raise ValueError(f"unknown chain-rule rule {rule!r}")
        self.formula, self.value, self.rule, self.spread, self.axis = (
            formula,
            value,
            rule,
            spread,
            axis,
        )

    def __repr__(self):
        return f"Local({self.formula!r}, rule={self.rule!r})"


def as_computed(ctx):
    """``local`` of a node that is a gradient's own backward (``create_graph=True``, e.g.
    ``TanhBackwardBackward0``): each edge shown as the engine computed it."""
    return tuple(Local(ctx.formula, rule="given") for _ in ctx.next_functions)


def locals_of(node):
    """The node's ``Local`` per edge, or ``None`` when its op does not describe them (a custom
    ``Function``, or saved values that are gone)."""
    describe = getattr(type(node), "local", None)
    if describe is None:
        return None
    try:
        found = describe(node)
    except RuntimeError:  # saved values freed or modified: nothing to show the numbers with
        return None
    if found is None:
        return None
    found = tuple(found) if isinstance(found, (tuple, list)) else (found,)
    n = len(node.next_functions)
    return (found + (None,) * n)[:n]


class EdgeStep:
    """What one input edge of a node received in one step.

    ``local`` (or ``None``), ``incoming`` (the node's gradient), ``product`` (incoming met with the
    local derivative, before any sum), ``summed_axes`` (dims summed to undo broadcasting),
    ``computed`` (``product`` summed back to the input's shape), ``sent`` (the engine's gradient).
    """

    __slots__ = (
        "index",
        "child",
        "local",
        "incoming",
        "product",
        "summed_axes",
        "computed",
        "sent",
    )

    def __init__(self, index, child, local, incoming, product, summed_axes, computed, sent):
        self.index, self.child, self.local = index, child, local
        self.incoming, self.product, self.summed_axes = incoming, product, summed_axes
        self.computed, self.sent = computed, sent

    @property
    def agrees(self):
        """Does the product shown equal what the engine sent (``True`` when nothing is computed)?"""
        if self.computed is None or self.sent is None:
            return True
        return self.computed.shape == self.sent.shape and bool(
            np.allclose(self.computed, self.sent, rtol=1e-4, atol=1e-6, equal_nan=True)
        )


class Contribution:
    """One gradient that arrived at a node: from ``source`` (a node, or ``None`` for the gradient
    backward starts with) along its edge ``edge``, for the node's output ``output`` (always 0
    except for a node with several outputs, such as unbind's or split's)."""

    __slots__ = ("source", "edge", "value", "output")

    def __init__(self, source, edge, value, output=0):
        self.source, self.edge, self.value, self.output = source, edge, value, output


class StepExplanation:
    """The arithmetic of one ``BackwardStep``.

    - ``contributions``: the gradients that were summed into ``incoming`` (several when the node's
      output was used more than once); ``hooked``: a hook changed the sum before the node ran;
    - ``edges``: one ``EdgeStep`` per input edge that leads somewhere (``Function`` nodes);
    - ``before`` / ``after``: the leaf's ``.grad`` around an ``AccumulateGrad`` step.
    """

    __slots__ = ("step", "incoming", "contributions", "hooked", "edges", "before", "after")

    def __init__(self, step, incoming, contributions, hooked, edges, before, after):
        self.step, self.incoming, self.contributions, self.hooked = (
            step,
            incoming,
            contributions,
            hooked,
        )
        self.edges, self.before, self.after = edges, before, after

    @property
    def node(self):
        return self.step.node

    @property
    def summed(self):
        """The sum of the contributions (what arrived before any hook); for a node with several
        outputs, one sum per output (``None`` where nothing arrived)."""
        n = self.node._n_outputs
        if n != 1:
            return tuple(_total([c for c in self.contributions if c.output == k]) for k in range(n))
        return _total(self.contributions)


def _total(contributions):
    values = [c.value for c in contributions if c.value is not None]
    if not values:
        return None
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


def contributions_to(steps, k, start=None):
    """The gradients that reached ``steps[k].node`` from earlier steps, in the order they arrived
    (the step that made the node the root gets the starting gradient ``start``)."""
    node = steps[k].node
    found = []
    for s in steps[:k]:
        for j, ((child, nr), g) in enumerate(zip(s.node.next_functions, s.outgoing)):
            if child is node and g is not None:
                found.append(Contribution(s.node, j, _array(g), nr))
    if not found and k == 0:
        first = steps[0].incoming if start is None else start
        if steps[0].leaf is None and node._n_outputs != 1:  # the root is one output of the node
            found.extend(
                Contribution(None, None, _array(g), nr)
                for nr, g in enumerate(first)
                if g is not None
            )
        else:
            found.append(Contribution(None, None, _array(first)))
    return found


def explain(steps, k, locals_=None):
    """The ``StepExplanation`` of ``steps[k]`` (``steps``: the list from ``backward_steps``).

    ``locals_``: the node's ``Local``s when they were read earlier (their saved values may be gone
    by now); by default they are read from the node.
    """
    step = steps[k]
    contributions = contributions_to(steps, k)
    if step.leaf is None and step.node._n_outputs != 1:  # one gradient per output
        incoming = tuple(_array(g) for g in step.incoming)
        totals = [
            _total([c for c in contributions if c.output == nr]) for nr in range(len(incoming))
        ]
        hooked = any(_differ(t, g) for t, g in zip(totals, incoming))
    else:
        incoming = _array(step.incoming)
        hooked = _differ(_total(contributions), incoming)
    if step.leaf is not None:
        return StepExplanation(
            step,
            incoming,
            contributions,
            hooked,
            (),
            _array(step.grad_before),
            _array(step.grad_after),
        )
    found = locals_of(step.node) if locals_ is None else locals_
    edges = []
    for j, ((child, nr), sent) in enumerate(zip(step.node.next_functions, step.outgoing)):
        if child is None:
            continue
        shape = child._output_shape if child._n_outputs == 1 else child._output_shapes[nr]
        local = found[j] if found is not None else None
        product = computed = None
        axes = ()
        if local is not None:
            product = _meet(incoming, local, shape)
            if product is not None:
                computed, axes = _sum_back(product, shape)
        edges.append(EdgeStep(j, child, local, incoming, product, axes, computed, _array(sent)))
    return StepExplanation(step, incoming, contributions, hooked, tuple(edges), None, None)


# -- the arithmetic ------------------------------------------------------------------------------
def _differ(total, incoming):
    """Did a hook change the sum of the contributions before the node saw it?"""
    if total is None or incoming is None:
        return False
    return not (
        total.shape == incoming.shape
        and np.allclose(total, incoming, rtol=1e-5, atol=1e-7, equal_nan=True)
    )


def _array(value):
    return None if value is None else np.asarray(value)


def _meet(g, local, shape):
    """Incoming gradient ``g`` met with one local derivative (``None`` for the ``route`` rule)."""
    rule, v = local.rule, local.value
    v = None if v is None else np.asarray(_array(v))
    if rule == "×":
        if local.spread is not None:
            g = np.reshape(g, local.spread)
        product = g * v
        if local.spread is not None:
            product = np.broadcast_to(product, np.broadcast_shapes(product.shape, shape))
        return np.asarray(product)
    if rule == "g@v":
        return np.matmul(g, v)
    if rule == "v@g":
        return np.matmul(v, g)
    if rule == "g⊗v":
        return np.multiply.outer(g, v)
    if rule == "v⊗g":
        return np.multiply.outer(v, g)
    if rule == "gJ":
        moved = np.moveaxis(g, local.axis, -1)
        out = np.einsum("...j,...ji->...i", moved, v)
        return np.moveaxis(out, -1, local.axis)
    if rule == "reshape":
        return np.reshape(g, shape)
    if rule == "permute":
        return np.transpose(g, np.argsort(local.axis))
    return None  # "route", "given": the engine's gradient is shown as it is


def _sum_back(product, shape):
    """Undo broadcasting: sum ``product`` down to ``shape``; returns (result, summed dims)."""
    product = np.asarray(product)
    if product.shape == tuple(shape):
        return product, ()
    lead = product.ndim - len(shape)
    if lead < 0:
        return product, ()
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and product.shape[i + lead] != 1
    )
    summed = np.sum(product, axis=axes, keepdims=True) if axes else product
    return summed.reshape(shape), axes


def constant_text(c):
    """A constant of a formula (an exponent, a count) as it would be typed: 2, 0.5, 1e-05."""
    return f"{c:g}"


def is_accumulate(node):
    return node.__class__ is AccumulateGrad
