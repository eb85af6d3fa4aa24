"""``GraphState``: what a picture highlights at one moment (the running node, the nodes done and
waiting, texts along arrows and inside boxes). Models of the step widgets build one per step;
the picture code reads it. It needs nothing but Python: importing it draws nothing."""

from collections.abc import Mapping

from ..tensor import Tensor


class GraphState:
    """What to highlight in a picture; immutable (``replace`` makes a changed copy).

    - ``active``: the node(s) running now (one object, or a tuple/list/set of them);
    - ``done`` / ``pending``: collections of nodes already run / still to run;
    - ``edge_labels``: ``{(from, to): text}`` (or pairs), e.g. the gradient sent along an edge;
      ``(node, child)`` in either order finds the drawn arrow between them, and ``(node, i)``
      (an int) the arrow of ``node.next_functions[i]`` (each of two parallel edges, as in
      ``a * a``, has its own);
    - ``notes``: ``{node: text}`` (or pairs): an extra line inside a box (a list: several lines);
    - ``caption``: a line of text above the legend ("step 3 of 7").

    A "node" is an engine node (a ``grad_fn`` or ``AccumulateGrad``), a tensor, or a box id from
    ``picture.nodes``. Objects that are not in the picture are ignored.
    """

    __slots__ = ("active", "done", "pending", "edge_labels", "notes", "caption")

    def __init__(self, active=None, done=(), pending=(), edge_labels=None, notes=None, caption=""):
        fields = dict(
            active=active,
            done=_collection(done, "done"),
            pending=_collection(pending, "pending"),
            edge_labels=_pairs(edge_labels, "edge_labels"),
            notes=_pairs(notes, "notes"),
            caption=str(caption or ""),
        )
        for key, value in fields.items():
            object.__setattr__(self, key, value)
        for key, _text in self.edge_labels:
            if not (isinstance(key, tuple) and len(key) == 2):
                raise TypeError(f"edge_labels keys must be (from_node, to_node) pairs, got {key!r}")

    def __setattr__(self, name, value):
        raise AttributeError("GraphState is immutable: use state.replace(...)")

    def replace(self, **changes):
        """A copy with some fields changed."""
        fields = {k: getattr(self, k) for k in self.__slots__}
        unknown = set(changes) - set(fields)
        if unknown:
            raise TypeError(f"GraphState has no field {sorted(unknown)[0]!r}")
        fields.update(changes)
        return GraphState(**fields)

    def items(self, name):
        """The objects of ``active``/``done``/``pending`` as a tuple."""
        value = getattr(self, name)
        if value is None:
            return ()
        if isinstance(value, (list, tuple, set, frozenset)):
            return tuple(value)
        return (value,)

    def __repr__(self):
        parts = [f"{n}={len(self.items(n))}" for n in ("active", "done", "pending")]
        parts += [f"edge_labels={len(self.edge_labels)}", f"notes={len(self.notes)}"]
        if self.caption:
            parts.append(f"caption={self.caption!r}")
        return "GraphState(" + ", ".join(parts) + ")"


def _collection(value, name):
    if value is None:
        return ()
    if isinstance(value, (str, Tensor)) or not hasattr(value, "__iter__"):
        return (value,)
    return tuple(value)


def _pairs(value, name):
    if value is None:
        return ()
    if isinstance(value, Mapping):
        return tuple(value.items())
    try:
        return tuple((k, v) for k, v in value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a mapping or a sequence of (key, text) pairs") from None
