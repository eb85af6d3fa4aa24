"""The ipywidgets face of ``ForwardRecorder``: the graph growing one operation at a time.

Each step draws a different graph (the part built so far), so its picture is a Graphviz run of
its own, prepared in the background while the student looks at the current one.
"""

import ipywidgets as W

from ._html import code, draw, esc, legend_html, panel, picture_html, table, bundle, MUTED
from ._stepping import RENDER_LOCK, Stepping


class RecorderView(Stepping):
    def __init__(self, model, view="data", size="normal", max_nodes=300, direction="TB"):
        self.model, self.size, self.view_name = model, size, view
        self.options = dict(view=view, max_nodes=max_nodes, direction=direction, legend=False)
        self._init_pictures()
        self._picture_message = ""
        n = len(model.steps)
        self.status = W.HTML()
        self.status.add_class("minigrad-status")
        # the pane's own margins (2 px a side) must fit in the cell too
        self.picture_pane = W.HTML(layout=W.Layout(width="calc(100% - 4px)", overflow="hidden"))
        self.picture_pane.add_class("minigrad-picture")
        self.info = W.HTML()
        self.info.add_class("minigrad-info")
        self.legend = W.HTML(legend_html(view, size) if n else "")
        controls = self._build_controls(n, size, play=True)
        self.box = W.VBox(
            [self.status, controls, self.picture_pane, self.info, self.legend],
            layout=W.Layout(width="100%"),
        )
        for css in ("minigrad-widget", "minigrad-recorder", f"minigrad-size-{size}"):
            self.box.add_class(css)
        self.go(model.index)

    def _make_picture(self, i):
        if i < 0:
            return None
        messages = []
        base = draw(self.model.roots(i), self.model.names, self.options, messages)
        if base is None:
            self._picture_message = messages[0]
            return None
        return base.with_state(self.model.marks(i).replace(notes=self.model.notes(i)))

    def _svg(self, picture):
        if picture is None:
            return None
        try:
            with RENDER_LOCK:
                return picture.svg()
        except Exception as error:  # no renderer: say so, with the DOT text's fix
            self._picture_message = str(error)
            return None

    def render(self):
        m, size = self.model, self.size
        if not m.steps:
            self.status.value = panel(
                f"<b>{esc(m.empty_title())}</b><div>{esc(m.empty_reason())}</div>",
                size,
                "minigrad-nothing-recorded",
            )
        else:
            self.status.value = panel(f"<b>Forward, {esc(m.caption())}</b>", size, live=True)
        message = "before the first operation: no graph yet" if m.steps else "no graph was recorded"
        svg = self._svg(self.picture())
        self.picture_pane.value = picture_html(svg, size, self._picture_message or message)
        self.info.value = panel(self._info_html(), size, "minigrad-step")

    def _info_html(self):
        m, size = self.model, self.size
        parts = []
        if m.index >= 0:
            d = m.describe(m.index)
            parts.append(
                f"<div>new tensor <b>{esc(d['name'])}</b> {esc(d['shape'])}, "
                f"{code('grad_fn=<' + d['grad_fn'] + '>')}</div>"
            )
            parts.append(f"<div>made from: {esc(', '.join(d['inputs']) or 'nothing')}</div>")
            if d["new_leaves"]:
                parts.append(
                    f"<div>leaves joining the graph: {esc(', '.join(d['new_leaves']))} "
                    f'<span style="{MUTED}">(AccumulateGrad nodes)</span></div>'
                )
            if d["formula"]:
                parts.append(f"<div>its backward: {code(d['formula'])}</div>")
        elif m.steps:
            parts.append(
                f"<div>Press <b>Next</b> (or →) to replay the forward pass, one operation at a "
                f"time ({len(m.steps)} recorded).</div>"
            )
        rows = [[esc(name), esc(text)] for name, text in m.cuts(m.index)]
        if rows:
            parts.append(
                "<div><b>Cut from the graph</b> (detach): a fresh leaf with no grad_fn; "
                "backward stops there.</div>"
                + table(rows, ["tensor", "what happened"], size, "minigrad-detached")
            )
        rows = [[esc(name), esc(text)] for name, text in m.untracked()]
        if rows and m.steps:
            parts.append(
                "<div><b>Not recorded</b> (no graph node):</div>"
                + table(rows, ["tensor", "why"], size, "minigrad-untracked")
            )
        return "".join(parts)

    def bundle(self, text):
        return bundle(
            self.box, "ForwardRecorder", self.picture(), text, self.status.value + self.info.value
        )
