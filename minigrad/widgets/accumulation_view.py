"""The ipywidgets face of ``AccumulationExplorer``: buttons that act on the real tensors, and the
history of every call as ``before + this call = after``."""

import ipywidgets as W

from .. import _format
from ._html import MUTED, SIZES, TEXT, bundle, button, code, error_box, esc, panel, pre, table
from ._stepping import KeyBridge


class AccumulationView:
    def __init__(self, model, size="normal", clicker=False):
        self.model, self.size = model, size
        self._syncing = False
        self.backward_button = button(
            "backward(v)",
            "Call out.backward(v) on your tensors: adds into .grad",
            "minigrad-backward",
            size,
            "arrow-left",
        )
        self.zero_button = button(
            "zero_()", "Call .grad.zero_() on every input", "minigrad-zero", size, "eraser"
        )
        self.forward_button = button(
            "forward again",
            "Compute out again (a new graph), keeping .grad",
            "minigrad-forward",
            size,
            "refresh",
        )
        self.forward_button.layout.display = "none"
        s = SIZES[size]
        self.retain_toggle = W.ToggleButton(
            value=model.retain_graph,
            description="",
            tooltip="Keep the graph after backward (retain_graph)",
            layout=W.Layout(height=s["button_height"], width="auto"),
        )
        self.retain_toggle.style.font_size = s["font"]
        self.retain_toggle.add_class("minigrad-retain")
        self._label_toggle()
        self.backward_button.on_click(lambda _: self.backward())
        self.zero_button.on_click(lambda _: self.zero_())
        self.forward_button.on_click(lambda _: self.forward_again())
        self.retain_toggle.observe(self._on_toggle, names="value")
        self.status = W.HTML()
        self.status.add_class("minigrad-status")
        self.history_pane = W.HTML(layout=W.Layout(max_height="22em", overflow="auto"))
        self.history_pane.add_class("minigrad-history")
        # keys: → / PageDown call backward(v), Home calls zero_(); with clicker=True also when the
        # widget's cell is merely selected (they act on real tensors: students opt in)
        self.keys = KeyBridge(
            index=-1,
            count=1 << 30,
            cell_keys=bool(clicker),
            layout=W.Layout(width="0px", height="0px", overflow="hidden"),
        )
        self.keys.on_msg(self._on_key)
        bar = W.HBox(
            [
                self.backward_button,
                self.zero_button,
                self.retain_toggle,
                self.forward_button,
                self.keys,
            ],
            layout=W.Layout(flex_flow="row wrap", align_items="center"),
        )
        bar.add_class("minigrad-controls")
        self.box = W.VBox([bar, self.status, self.history_pane])
        for css in ("minigrad-widget", "minigrad-accumulation", f"minigrad-size-{size}"):
            self.box.add_class(css)
        self.render()

    def _on_key(self, widget, content, buffers):
        action = content.get("key") if isinstance(content, dict) else None
        if action == "next":
            self.backward()
        elif action == "home":
            self.zero_()

    def _label_toggle(self):
        self.retain_toggle.description = f"retain_graph={self.model.retain_graph}"
        self.retain_toggle.icon = "check-square-o" if self.model.retain_graph else "square-o"

    def _on_toggle(self, change):
        if not self._syncing:
            self.model.retain_graph = bool(change["new"])
            self._label_toggle()
            self.render()

    def set_retain_graph(self, value):
        self.model.retain_graph = value
        self._syncing = True
        try:
            self.retain_toggle.value = value
        finally:
            self._syncing = False
        self._label_toggle()
        self.render()

    def backward(self):
        entry = self.model.backward()
        self.render()
        return entry

    def zero_(self):
        entry = self.model.zero_()
        self.render()
        return entry

    def forward_again(self):
        entry = self.model.forward_again()
        self.render()
        return entry

    def render(self):
        m, size = self.model, self.size
        v = "v" if m.gradient is not None else ""
        call = f"out.backward({v}{', ' if v else ''}retain_graph={m.retain_graph})"
        status = (
            f"<div>Each <b>backward(v)</b> runs {code(call)} on your real tensors, and "
            f"<b>zero_()</b> runs {code('.grad.zero_()')}. Successful backward calls: {m.calls}.</div>"
        )
        if m.error:
            status += error_box(m.error, m.hint, size)
            if m.needs_forward:
                status += (
                    "<div>Press <b>forward again</b> to compute <i>out</i> once more: a new graph, "
                    "while the <i>.grad</i> values stay.</div>"
                    if m.forward is not None
                    else "<div>Re-run the cell that computes <i>out</i> (a new graph), then press "
                    "backward again.</div>"
                )
        self.forward_button.layout.display = (
            "" if (m.needs_forward and m.forward is not None) else "none"
        )
        self.status.value = panel(status, size, live=True)
        self.history_pane.value = self.history_html()

    def history_html(self):
        m, size = self.model, self.size
        rows = []
        for i, entry in enumerate(m.history):
            cells = [str(i), code(entry.action)]
            for name in m.inputs:
                cells.append(pre(_change(entry, name), size))
            if entry.error:
                cells[1] += (
                    f'<div class="minigrad-error-row" style="{TEXT}">'
                    f"✗ {esc(_short(entry.error))}</div>"
                )
            rows.append(cells)
        header = ["#", "action"] + [
            esc(f"{name}.grad: before + this call = after") for name in m.inputs
        ]
        note = (
            "" if len(rows) > 1 else f'<div style="{MUTED}">No calls yet: press backward(v).</div>'
        )
        return panel(
            table(rows, header, size, "minigrad-history-table", highlight=len(rows) - 1) + note,
            size,
        )

    def bundle(self, text):
        return bundle(self.box, "AccumulationExplorer", None, text, self.history_html())

    def close(self):
        for w in (
            self.backward_button,
            self.zero_button,
            self.forward_button,
            self.retain_toggle,
            self.keys,
            self.status,
            self.history_pane,
            self.box,
        ):
            w.close()


def _change(entry, name):
    """``before + added = after`` for a backward; the value alone for the other actions."""
    after, before = entry.grads.get(name), entry.before.get(name)
    if entry.action.startswith("backward") and not entry.error and after is not None:
        added = entry.added(name)
        if max(_format.array_of(after).size, 1) <= 6:
            first = "None" if before is None else _format.compact(before, 6)
            return f"{first} + {_format.compact(added, 6)} = {_format.compact(after, 6)}"
        return (
            f"before:\n{_format.block(before)}\n+ this call:\n{_format.block(added)}\n"
            f"= after:\n{_format.block(after)}"
        )
    return _format.block(after) if after is not None else "None"


def _short(message, limit=90):
    return message if len(message) <= limit else message[: limit - 1] + "…"
