"""Graph pictures: what is drawn (DOT structure, names, kinds), labels, escaping, errors, state.

These tests read the DOT text and ``picture.nodes``/``edges``; rendering has its own file
(``test_viz_render.py``) and the committed figures theirs (``test_viz_figures.py``).
"""

import html
import re

import numpy as np
import pytest

import minigrad as torch
from minigrad.nn import functional as F
from minigrad.viz import GraphPicture, GraphState, draw_graph
from minigrad.viz import _text
from minigrad.viz.figures import seed_graph

NODE_LINE = re.compile(r"^  (\w+) \[label=<(.*?)>, tooltip=\"(.*?)\", class=\"([^\"]*)\"(.*)\];$")
EDGE_LINE = re.compile(r"^  (\w+) -> (\w+) \[(.*)\];$")


def parse_dot(source):
    """``({id: (classes, label text, attributes)}, [(tail, head, attributes)])`` from our DOT."""
    nodes, edges = {}, []
    for line in source.splitlines():
        m = NODE_LINE.match(line)
        if m:
            text = html.unescape(re.sub(r"<[^>]+>", "\n", m.group(2)))
            nodes[m.group(1)] = (m.group(4), [t for t in text.split("\n") if t], m.group(5))
            continue
        m = EDGE_LINE.match(line)
        if m:
            edges.append((m.group(1), m.group(2), m.group(3)))
    return nodes, edges


def by_label(picture):
    return {n.label: n for n in picture.nodes}


@pytest.fixture
def seed():
    return seed_graph()


# -- the tutorial's graph, data view -----------------------------------------------------------------
def test_seed_data_view_has_every_node_and_edge_of_the_figure(seed):
    picture = draw_graph(seed["loss"], seed)
    kinds = [(n.kind, n.label) for n in picture.nodes]
    assert kinds == [
        ("input", "x"),
        ("parameter", "w"),
        ("op", "matmul"),
        ("intermediate", "[3]"),
        ("parameter", "b"),
        ("op", "+"),
        ("intermediate", "z"),
        ("input", "y"),
        ("op", "BCE with logits"),
        ("output", "loss"),
    ]
    ids = {n.label: n.id for n in picture.nodes}
    edges = [(e.tail, e.head) for e in picture.edges]
    expected = [
        ("x", "matmul"),
        ("w", "matmul"),
        ("matmul", "[3]"),
        ("[3]", "+"),
        ("b", "+"),
        ("+", "z"),
        ("z", "BCE with logits"),
        ("y", "BCE with logits"),
        ("BCE with logits", "loss"),
    ]
    assert edges == [(ids[a], ids[b]) for a, b in expected]
    assert {e.kind for e in picture.edges} == {"data"}

    # the DOT text says the same thing
    nodes, dot_edges = parse_dot(picture.source)
    assert list(nodes) == [n.id for n in picture.nodes]
    assert [(t, h) for t, h, _ in dot_edges] == edges
    assert nodes[ids["w"]][0] == "mg-parameter" and nodes[ids["b"]][0] == "mg-parameter"
    assert nodes[ids["w"]][1] == ["w", "parameter [5, 3]"]
    assert nodes[ids["x"]][1] == ["x", "input [5]"]
    assert nodes[ids["loss"]][1] == ["loss", "output scalar"]
    assert nodes[ids["z"]][1] == ["z", "[3]"]
    assert 'shape="ellipse"' in nodes[ids["+"]][2]
    assert "BinaryCrossEntropyWithLogitsBackward0" in picture.source  # in the op's tooltip


def test_ids_follow_the_program_order_not_sequence_numbers_or_addresses(seed):
    picture = draw_graph(seed["loss"], seed)
    assert [n.id for n in picture.nodes] == [
        "t0",
        "t1",
        "f0",
        "t2",
        "t3",
        "f1",
        "t4",
        "t5",
        "f2",
        "t6",
    ]
    assert not re.search(r"0x[0-9a-fA-F]{4,}", picture.source)


def test_same_graph_same_dot_whatever_was_created_before():
    first = seed_graph()
    dot1 = draw_graph(first["loss"], first).source
    # leaves whose AccumulateGrad nodes exist already, and many nodes created in between
    w = torch.randn(2, requires_grad=True)
    for _ in range(50):
        (w * 2).sum()
    second = seed_graph()
    second["w"]._accumulator()
    assert draw_graph(second["loss"], second).source == dot1
    assert draw_graph(first["loss"], first).source == dot1


# -- the autograd view -------------------------------------------------------------------------------
def test_seed_autograd_view_mirrors_next_functions(seed):
    loss = seed["loss"]
    picture = draw_graph(loss, seed, view="autograd")
    kinds = [(n.kind, n.label) for n in picture.nodes]
    assert kinds == [
        ("parameter", "w"),
        ("accumulate", "AccumulateGrad"),
        ("function", "MmBackward0"),
        ("parameter", "b"),
        ("accumulate", "AccumulateGrad"),
        ("function", "AddBackward0"),
        ("function", "BinaryCrossEntropyWithLogitsBackward0"),
        ("output", "loss"),
    ]
    edges = {(e.tail, e.head, e.kind) for e in picture.edges}
    # every next_functions entry that is not None is an arrow (drawn child -> node, pointing back)
    stack, seen, count = [loss.grad_fn], set(), 0
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for child, _ in node.next_functions:
            if child is None:
                continue
            count += 1
            assert (picture.node_id(child), picture.node_id(node), "next") in edges
            stack.append(child)
        if isinstance(node, torch.autograd.AccumulateGrad):
            assert (picture.node_id(node.variable), picture.node_id(node), "variable") in edges
    assert count == 4
    assert (picture.node_id(loss.grad_fn), picture.node_id(loss), "grad_fn") in edges
    assert len(picture.edges) == count + 2 + 1
    nodes, dot_edges = parse_dot(picture.source)
    assert all('dir="back"' in attrs for _, _, attrs in dot_edges)
    assert nodes[picture.node_id(seed["w"].grad_fn or seed["w"]._acc)][1] == [
        "AccumulateGrad",
        "adds into w.grad",
    ]
    assert nodes[picture.node_id(seed["z"].grad_fn)][1] == ["AddBackward0", "grad_fn of z"]


def test_saved_tensors_are_shown_until_backward_frees_them(seed):
    loss = seed["loss"]
    picture = draw_graph(loss, seed, view="autograd", show_saved=True)
    saved = [n.label for n in picture.nodes if n.kind == "saved"]
    assert saved == ["saved[0] x", "saved[0] z", "saved[1] y"]
    assert {e.kind for e in picture.edges if e.tail.startswith("s")} == {"saved"}
    loss.backward()
    after = draw_graph(loss, seed, view="autograd", show_saved=True)
    assert [n for n in after.nodes if n.kind == "saved"] == []
    assert "saved values freed" in by_label(after)["MmBackward0"].text
    # the data view still knows the inputs (nodes keep weak references to them)
    data = draw_graph(loss, seed)
    inputs = sorted(n.label for n in data.nodes if n.kind == "input")
    assert inputs == ["x", "y"]
    assert "saved: freed" in by_label(draw_graph(loss, seed, show_saved=True))["matmul"].text


def test_an_input_that_no_longer_exists_is_anonymous():
    w = torch.ones(3, requires_grad=True)
    out = (w + torch.ones(3)).sum()  # + saves nothing: the ones(3) tensor is gone after this line
    anonymous = [n for n in draw_graph(out).nodes if n.label == "(input)"]
    assert len(anonymous) == 1 and "no longer exists" in anonymous[0].text


def test_data_view_show_saved_names_the_saved_tensors(seed):
    picture = draw_graph(seed["loss"], seed, show_saved=True)
    assert "saved: x" in by_label(picture)["matmul"].text
    assert "saved: z, y" in by_label(picture)["BCE with logits"].text


# -- names, roots and inputs -------------------------------------------------------------------------
def test_names_from_locals_ignore_other_values_and_underscores():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a * 3
    _private = b.sum()
    alias = a
    scope = dict(a=a, b=b, alias=alias, _private=_private, n=3, f=print, arr=np.ones(2))
    picture = draw_graph(_private, scope)
    labels = [n.label for n in picture.nodes]
    assert labels == ["a, alias", "3", "*", "b", "sum", "output"]
    assert by_label(picture)["3"].text == "3\nconstant"


def test_a_leaf_is_a_one_node_picture():
    p = draw_graph(torch.ones(3), dict(x=torch.ones(1)))
    assert [(n.kind, n.label) for n in p.nodes] == [("input", "input [3]")] and p.edges == []
    w = torch.zeros(2, 2, requires_grad=True)
    for view in ("data", "autograd"):
        q = draw_graph(w, dict(w=w), view=view)
        assert [(n.kind, n.label, n.shape) for n in q.nodes] == [("parameter", "w", (2, 2))]
    assert w._acc is None  # drawing created no AccumulateGrad node


def test_several_roots_share_one_graph():
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    h = x.relu()
    out1, out2 = h.sum(), (h * h).mean()
    picture = draw_graph([out1, out2], dict(x=x, h=h, out1=out1, out2=out2))
    outputs = [n.label for n in picture.nodes if n.kind == "output"]
    assert outputs == ["out1", "out2"]
    assert [n.label for n in picture.nodes].count("h") == 1
    assert repr(picture).startswith("GraphPicture(data view of out1, out2:")
    ag = draw_graph([out1, out2], dict(x=x, h=h, out1=out1, out2=out2), view="autograd")
    assert [n.label for n in ag.nodes].count("ReluBackward0") == 1


def test_an_input_used_twice_is_one_box_with_two_arrows():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    picture = draw_graph(y, dict(x=x, y=y))
    xid = picture.node_id(x)
    assert [(e.tail, e.head) for e in picture.edges].count((xid, picture.node_id(y.grad_fn))) == 2


def test_op_labels_are_the_ops_own():
    from minigrad.viz._model import op_text

    a = torch.tensor([1.0, 2.0], requires_grad=True)
    m = torch.ones(2, 2, requires_grad=True)
    assert op_text((a + a).grad_fn) == "+"
    assert op_text((m @ m).grad_fn) == "matmul"
    assert op_text(a.log1p().grad_fn) == "log1p"  # the op's label, not its class name cut up
    assert op_text(torch.nn.functional.log_softmax(a, 0).grad_fn) == "log_softmax"
    assert op_text(torch.nn.functional.mse_loss(a, a.detach()).grad_fn) == "MSE loss"

    class MyFunction(torch.autograd.Function):  # no label: made from PyTorch's node name
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    assert op_text(MyFunction.apply(a).grad_fn) == "my_function"


def test_every_built_in_op_has_a_display_label():
    import inspect
    import minigrad.ops as ops
    from minigrad.autograd.function import Function

    missing = []
    for module in (
        ops.arithmetic,
        ops.unary,
        ops.activation,
        ops.reduction,
        ops.linalg,
        ops.shape,
        ops.loss,
        ops.inplace,
    ):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Function) and cls.builtin and not cls.label:
                missing.append(name)
    assert missing == []


# -- values ----------------------------------------------------------------------------------------
def test_value_text_is_short_with_at_most_four_decimals():
    assert _text.value_lines(np.float32(2.56129)) == ["2.5613"]
    assert _text.value_lines(np.array([-0.00001, 1.0, 2.5])) == ["[-1.000e-05, 1.0, 2.5]"]
    assert _text.value_lines(np.arange(10.0)) == ["[0.0, 1.0, 2.0, 3.0, …]"]
    big = _text.value_lines(np.ones((5, 6)))
    assert big == ["[1.0, 1.0, 1.0, 1.0, …]"] * 3 + ["…"]
    assert _text.value_lines(np.array([np.nan, np.inf, -np.inf])) == ["[nan, inf, -inf]"]
    assert _text.shape_text(()) == "scalar" and _text.shape_text((5, 3)) == "[5, 3]"


def test_show_values_and_grads(seed):
    loss = seed["loss"]
    before = draw_graph(loss, seed, show_values=True, show_grads=True)
    labels = by_label(before)
    assert "data [0.5424, 1.3166, 0.1436]" in labels["b"].text
    assert "grad None" in labels["b"].text
    assert labels["w"].text.split("\n") == [
        "w",
        "parameter [5, 3]",
        "data [1.2457, 2.2194, 0.1104]",
        "[0.1583, 1.2008, -0.3096]",
        "[0.4335, 0.6922, -0.3115]",
        "…",
        "grad None",
    ]  # 3 of 5 rows
    assert "data 2.5613" in labels["loss"].text
    loss.backward()
    after = by_label(draw_graph(loss, seed, show_grads=True))
    assert "grad [0.3083, 0.3307, 0.0774]" in after["b"].text


# -- escaping and bad input ----------------------------------------------------------------------------
NASTY = ["<script>alert(1)</script>", 'say "hi" & {go}', "a\\Nb \\G", "tab\there", "x" * 80]


def test_names_are_escaped_in_dot():
    a = torch.ones(2, requires_grad=True)
    b = a * 2
    c = b + 1
    d = c.sum()
    names = {NASTY[0]: a, NASTY[1]: b, NASTY[2]: c, NASTY[3]: d}
    picture = draw_graph(d, names)
    assert "<script" not in picture.source and "</script" not in picture.source
    nodes, _ = parse_dot(picture.source)  # every line still parses: nothing broke out of a label
    assert len(nodes) == len(picture.nodes)
    labels = [n.label for n in picture.nodes]
    assert NASTY[0] in labels and NASTY[1] in labels and NASTY[2] in labels
    assert "tab\\there" in labels  # control characters shown as escapes
    long = draw_graph(torch.ones(1), {NASTY[4]: torch.ones(1)})
    assert long is not None
    x = torch.ones(1)
    assert draw_graph(x, {NASTY[4]: x}).nodes[0].label == "x" * 39 + "…"


def test_edge_labels_notes_and_caption_are_escaped(seed):
    loss = seed["loss"]
    state = GraphState(
        active=loss.grad_fn,
        edge_labels={(loss.grad_fn, seed["z"].grad_fn): "<b>&"},
        notes={loss.grad_fn: '"<i>"'},
        caption="<script>x</script>",
    )
    source = draw_graph(loss, seed, state=state).source
    assert "&lt;b&gt;&amp;" in source and "&quot;&lt;i&gt;&quot;" in source
    assert "<script" not in source


@pytest.mark.parametrize(
    "bad, message",
    [
        (3, "needs a minigrad Tensor"),
        (np.ones(3), "got ndarray"),
        ([], "the list is empty"),
        ("loss", "got str"),
    ],
)
def test_a_non_tensor_root_is_a_clear_type_error(bad, message):
    with pytest.raises(TypeError, match=message):
        draw_graph(bad)


def test_other_bad_arguments(seed):
    loss = seed["loss"]
    with pytest.raises(TypeError, match=r"root\[1\] is a int"):
        draw_graph([loss, 1])
    with pytest.raises(TypeError, match="names= must be a mapping"):
        draw_graph(loss, [seed["x"]])
    with pytest.raises(ValueError, match="view must be"):
        draw_graph(loss, view="backward")
    with pytest.raises(ValueError, match="direction must be"):
        draw_graph(loss, direction="up")
    with pytest.raises(ValueError, match="max_nodes"):
        draw_graph(loss, max_nodes=0)
    with pytest.raises(TypeError, match="GraphState"):
        draw_graph(loss, state={"active": loss.grad_fn})
    assert draw_graph(loss, direction="tb").direction == "TB"
    assert 'rankdir="TB"' in draw_graph(loss, direction="TB").source


# -- the highlight state -----------------------------------------------------------------------------
def test_graph_state_is_immutable_and_replaceable(seed):
    node = seed["loss"].grad_fn
    state = GraphState(active=node, done={seed["z"].grad_fn}, caption="step 1")
    with pytest.raises(AttributeError, match="immutable"):
        state.active = None
    later = state.replace(active=None, caption="step 2")
    assert state.active is node and later.active is None and later.caption == "step 2"
    assert later.done == state.done
    with pytest.raises(TypeError, match="no field"):
        state.replace(colour="red")
    assert (
        repr(state)
        == "GraphState(active=1, done=1, pending=0, edge_labels=0, notes=0, caption='step 1')"
    )
    with pytest.raises(TypeError, match="pairs"):
        GraphState(edge_labels={node: "x"})


def test_states_look_different_by_width_fill_and_text(seed):
    loss, z, w = seed["loss"], seed["z"], seed["w"]
    base = draw_graph(loss, seed, view="autograd")
    state = GraphState(active=loss.grad_fn, done=[z.grad_fn], pending=[w._acc, w])
    picture = base.with_state(state)
    assert picture._model is base._model  # nothing walked again
    marks = {n.label: n.state for n in picture.nodes if n.state}
    assert marks == {
        "BinaryCrossEntropyWithLogitsBackward0": "active",
        "AddBackward0": "done",
        "AccumulateGrad": "pending",
        "w": "pending",
    }
    nodes, _ = parse_dot(picture.source)
    looks = {}
    for kind in ("active", "done", "pending"):
        box = next(n for n in picture.nodes if n.state == kind)
        classes, text, attrs = nodes[box.id]
        assert f"mg-{kind}" in classes
        looks[kind] = (
            re.search(r'fillcolor="([^"]+)"', attrs).group(1),
            re.search(r'penwidth="([^"]+)"', attrs).group(1),
            text[0].split()[0],
        )
    assert looks["active"] == ("#F0E442", "4", "►")  # each state's marker starts the box's text
    assert looks["done"] == ("#BFD9EE", "2.5", "●")
    assert looks["pending"] == ("#FFFFFF", "1", "○")
    assert "dashed" in nodes[picture.node_id(w)][2]
    # the legend explains the states that are used
    assert "running now" in picture.source and "still to run" in picture.source
    assert "running now" not in base.source
    assert base.with_state(None).source == base.source


def test_active_wins_over_done_and_pending(seed):
    node = seed["loss"].grad_fn
    picture = draw_graph(
        seed["loss"], seed, state=GraphState(active=node, done=[node], pending=[node])
    )
    assert [n.state for n in picture.nodes if n.state] == ["active"]


def test_edge_labels_find_the_drawn_arrow_in_either_view(seed):
    loss, z = seed["loss"], seed["z"]
    mm, acc_w = z.grad_fn.next_functions[0][0], seed["w"]._acc
    state = GraphState(
        edge_labels={
            (loss.grad_fn, z.grad_fn): "dL/dz",
            (mm, acc_w): "dL/dw",
            (z.grad_fn, torch.ones(1).grad_fn): "ignored",
        }
    )
    for view in ("data", "autograd"):
        picture = draw_graph(loss, seed, view=view, state=state)
        labelled = {(e.tail, e.head): e.label for e in picture.edges if e.label}
        assert sorted(labelled.values()) == ["dL/dw", "dL/dz"]
        z_box = picture.node_id(z) if view == "data" else picture.node_id(z.grad_fn)
        assert labelled[(z_box, picture.node_id(loss.grad_fn))] == "dL/dz"
        w_box = picture.node_id(seed["w"]) if view == "data" else picture.node_id(acc_w)
        assert labelled[(w_box, picture.node_id(mm))] == "dL/dw"
        _, dot_edges = parse_dot(picture.source)
        assert sum("label=<" in attrs for _, _, attrs in dot_edges) == 2


def test_notes_caption_and_ids_as_state_keys(seed):
    loss = seed["loss"]
    base = draw_graph(loss, seed)
    loss_box = base.node_id(loss)
    state = GraphState(active=loss_box, notes={loss.grad_fn: "grad 1.0000"}, caption="Step 1 of 5")
    picture = base.with_state(state)
    assert by_label(picture)["loss"].state == "active"
    assert by_label(picture)["BCE with logits"].text.endswith("grad 1.0000")
    assert "Step 1 of 5" in picture.source
    with pytest.raises(KeyError, match="not drawn"):
        base.node_id(torch.ones(2, requires_grad=True))
    # things that are not in the picture are ignored
    assert (
        base.with_state(GraphState(active=torch.ones(1), done=["nope"])).source.count("mg-active")
        == 0
    )


def test_node_ids_for_tensors(seed):
    data = draw_graph(seed["loss"], seed)
    labels = {n.id: n.label for n in data.nodes}
    assert labels[data.node_id(seed["z"])] == "z"
    assert labels[data.node_id(seed["z"].grad_fn)] == "+"
    assert labels[data.node_id(seed["w"]._acc)] == "w"
    unnamed = seed["z"] * 1  # a tensor the picture never saw, from a different graph
    with pytest.raises(KeyError):
        data.node_id(unnamed)
    ag = draw_graph(seed["loss"], seed, view="autograd")
    labels = {n.id: n.label for n in ag.nodes}
    assert labels[ag.node_id(seed["z"])] == "AddBackward0"
    assert labels[ag.node_id(seed["w"])] == "w"


# -- text/plain --------------------------------------------------------------------------------------
def test_text_plain_is_one_deterministic_line_without_addresses(seed):
    picture = draw_graph(seed["loss"], seed)
    text = picture._repr_mimebundle_()["text/plain"]
    assert text == "GraphPicture(data view of loss: 7 tensors, 3 operations)"
    assert "\n" not in text and not re.search(r"0x[0-9a-f]+", text)
    ag = draw_graph(seed["loss"], seed, view="autograd", show_saved=True)
    assert (
        repr(ag)
        == "GraphPicture(autograd view of loss: 3 Function nodes, 2 AccumulateGrad nodes, 3 saved values)"
    )
    stepped = ag.with_state(GraphState(active=seed["loss"].grad_fn))
    assert repr(stepped).endswith("; 1 active, 0 done, 0 pending)")
    assert isinstance(picture, GraphPicture)
    assert repr(picture.nodes[0]) == "PictureNode('t0', kind='input', label='x')"
    assert repr(picture.edges[0]) == "PictureEdge('t0' -> 'f0', kind='data')"


def test_mimebundle_include_and_exclude(seed):
    picture = draw_graph(seed["loss"], seed)
    assert set(picture._repr_mimebundle_()) == {"image/svg+xml", "image/png", "text/plain"}
    assert set(picture._repr_mimebundle_(include=["text/plain"])) == {"text/plain"}
    assert set(picture._repr_mimebundle_(exclude=["image/svg+xml"])) == {"image/png", "text/plain"}
    assert set(picture._repr_mimebundle_(exclude=["image/png"])) == {"image/svg+xml", "text/plain"}


def test_functional_seed_uses_the_same_graph_as_the_tutorial_code(seed):
    # the figure's graph is the tutorial's graph: same node names, same loss value
    x, y, w, b = seed["x"], seed["y"], seed["w"], seed["b"]
    z = torch.matmul(x, w) + b
    loss = F.binary_cross_entropy_with_logits(z, y)
    assert loss.grad_fn.name() == "BinaryCrossEntropyWithLogitsBackward0"
    assert f"{loss.item():.4f}" == "2.5613"
    again = draw_graph(loss, dict(x=x, y=y, w=w, b=b, z=z, loss=loss))
    assert again.source == draw_graph(seed["loss"], seed).source


def test_retained_intermediate_grads_and_saved_outputs_are_found():
    x = torch.tensor([0.5, 1.0], requires_grad=True)
    e = x.exp()  # exp saves its own output: the picture finds the tensor through it
    e.retain_grad()
    s = e.sum()
    s.backward(retain_graph=True)
    picture = draw_graph(s, dict(x=x, s=s), show_values=True, show_grads=True)
    unnamed = next(n for n in picture.nodes if n.kind == "intermediate")
    assert unnamed.label == "[2]"
    assert "data [1.6487, 2.7183]" in unnamed.text and "grad [1.0, 1.0]" in unnamed.text


def test_legend_can_be_left_out(seed):
    with_legend = draw_graph(seed["loss"], seed).source
    without = draw_graph(seed["loss"], seed, legend=False).source
    assert "<TABLE" in with_legend and "<TABLE" not in without
    assert (
        "Step 9"
        in draw_graph(seed["loss"], seed, legend=False, state=GraphState(caption="Step 9")).source
    )
