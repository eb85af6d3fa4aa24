"""The ipywidgets layer of the three widgets: buttons, a slider and HTML panes, nothing more.

Every decision lives in the models; a view turns a model's state into HTML strings and forwards
clicks. Rules kept here:

- nothing is ever printed (nbval would report the stdout): panes are ``HTML`` widgets whose
  ``value`` is replaced;
- text colours are JupyterLab's CSS variables, so light and dark themes both read well; the
  graph picture brings its own white background;
- every control is a real, focusable ipywidgets control with a description and a tooltip, and
  carries a stable CSS class (``minigrad-next``...) for browser tests;
- each view wires its handlers once, in ``__init__``: a re-run cell makes a new view, never a
  second handler on an old one;
- the picture of the *next* step is rendered in a background thread while the student looks at
  the current one (``PREFETCH``), so a click only swaps HTML. Rendering runs the Graphviz program
  as a subprocess (tens of ms for a big graph); all of the widgets' renders share one lock.

This module imports ipywidgets; it is only imported when a widget is built.
"""
import html
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import ipywidgets as W

from . import _common
from ._common import compact, values_text

# scale: picture size; min_scale: how far a wide picture may shrink to fit the cell (beyond
# that the picture pane scrolls sideways). "large" may shrink to 0.8 (normal: 0.6): at 1.0 the
# seed graph's first backward step, the loss node, was cut off on a 1100 px wide cell
SIZES = {
    "normal": dict(font="13px", mono="12px", button_height="32px", slider_width="320px",
                   scale=1.0, min_scale=0.6),
    "large": dict(font="20px", mono="18px", button_height="48px", slider_width="480px",
                  scale=1.6, min_scale=0.8),
}
VIEWS = ("data", "autograd")
_TEXT = "color: var(--jp-ui-font-color1, inherit);"
_MUTED = "color: var(--jp-ui-font-color2, inherit);"
_BORDER = "var(--jp-border-color2, #999)"
_CODE_FONT = "var(--jp-code-font-family, monospace)"


def check_options(size, view=None, direction="LR"):
    """Wrong options are the caller's mistake: raised at once, unlike graph errors (shown)."""
    if size not in SIZES:
        raise ValueError(f"size must be 'normal' or 'large', got {size!r}")
    if view is not None and view not in VIEWS:
        raise ValueError(f"view must be 'data' or 'autograd', got {view!r}")
    if direction not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"direction must be 'LR', 'TB', 'RL' or 'BT', got {direction!r}")


# -- small HTML builders -------------------------------------------------------------------------
def esc(text):
    return html.escape(str(text), quote=True)


def panel(inner, size, css="", live=False):
    """A block of text in the theme's colours; ``live``: screen readers announce its changes."""
    s = SIZES[size]
    aria = ' aria-live="polite"' if live else ""
    return (f'<div class="minigrad-panel {css}"{aria} style="{_TEXT} font-size: {s["font"]}; '
            f'font-family: var(--jp-ui-font-family, sans-serif); line-height: 1.4;">{inner}</div>')


def pre(text, size, css=""):
    s = SIZES[size]
    return (f'<pre class="{css}" style="margin: 0; padding: 0; background: transparent; color: inherit; '
            f'font-family: {_CODE_FONT}; font-size: {s["mono"]}; line-height: 1.3; '
            f'white-space: pre;">{esc(text)}</pre>')


def code(text):
    # font-size relative to the panel: JupyterLab's own rule would pin every <code> to 13px,
    # tiny next to size="large" text
    return (f'<code style="font-family: {_CODE_FONT}; font-size: 0.92em; color: inherit; '
            f'background: transparent;">{esc(text)}</code>')


_TYPED = re.compile(r"^([A-Za-z]+(?:Error|Exception)): ")


def error_box(message, hint, size):
    """PyTorch's message, word for word, with a sentence for students under it."""
    s = SIZES[size]
    typed = _TYPED.match(message)
    kind = typed.group(1) if typed else "RuntimeError"
    if typed:
        message = message[typed.end():]
    hint_html = f'<div style="margin-top: 0.3em;">{esc(hint)}</div>' if hint else ""
    return (f'<div class="minigrad-error" role="alert" style="{_TEXT} font-size: {s["font"]}; '
            f'border-left: 4px solid var(--jp-error-color1, #d32f2f); padding: 0.3em 0.6em; '
            f'background: var(--jp-layout-color2, transparent); margin: 0.3em 0;">'
            f'<b>{esc(kind)}</b> (shown here instead of raised):<br>'
            f'<span style="font-family: {_CODE_FONT};">{esc(message)}</span>{hint_html}</div>')


def table(rows, header, size, css=""):
    """``rows``: lists of HTML cells (already escaped)."""
    cell = (f'style="border: 1px solid {_BORDER}; padding: 0.2em 0.5em; vertical-align: top; '
            'text-align: left;"')
    head = "".join(f"<th {cell}>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td {cell}>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (f'<table class="{css}" style="border-collapse: collapse; color: inherit; '
            f'margin: 0.3em 0;"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def scaled_svg(svg, factor, min_factor):
    """The picture at ``factor`` times its size (the viewBox keeps it sharp). When wider than the
    cell it shrinks to fit, but never below ``min_factor`` (text must stay readable): beyond
    that the pane scrolls sideways."""
    def size(m):
        width, height = float(m.group(1)), float(m.group(2))
        return (f'<svg width="{width * factor:.2f}pt" height="{height * factor:.2f}pt" '
                f'style="max-width: 100%; min-width: {width * min_factor:.2f}pt; height: auto;"')
    return _SVG_SIZE.sub(size, svg, count=1)


def picture_html(picture, size, message=""):
    if picture is None:
        return panel(f'<i style="{_MUTED}">{esc(message or "no picture")}</i>', size)
    try:
        with RENDER_LOCK:
            svg = picture.html()
        inner = scaled_svg(svg, SIZES[size]["scale"], SIZES[size]["min_scale"])
    except Exception as error:  # a picture problem must not break the widget
        inner = f'<i>{esc(_common.error_text(error))}</i>'
    return f'<div class="minigrad-svg" style="width: 100%; overflow-x: auto;">{inner}</div>'


def button(description, tooltip, css, size, icon=""):
    s = SIZES[size]
    b = W.Button(description=description, tooltip=tooltip, icon=icon,
                 layout=W.Layout(height=s["button_height"], width="auto", min_width="5em"))
    b.style.font_size = s["font"]
    b.add_class(css)
    return b


WIDGET_METADATA_KEY = "minigrad-widget"


def bundle(box, kind, picture, text, html_fallback=None):
    """The widget view, a static picture (SVG, else HTML) and deterministic text/plain, plus
    metadata naming the widget (``{"minigrad-widget": kind}``), which tells tools that this
    output is a widget even once its live view is removed (tools/run_notebooks.py does that)."""
    data = dict(box._repr_mimebundle_())
    data["text/plain"] = text
    if picture is not None:
        try:
            with RENDER_LOCK:
                data["image/svg+xml"] = picture.svg()
        except Exception:  # no renderer: the picture's own fallback (DOT text and the fix)
            data["text/html"] = picture.html()
    elif html_fallback is not None:
        data["text/html"] = html_fallback
    return data, {WIDGET_METADATA_KEY: kind}


def draw(root, names, options, message_out):
    """``draw_graph`` without ever raising (the reason goes to ``message_out``)."""
    try:
        from ..viz import draw_graph
        return draw_graph(root, names, **options)
    except Exception as error:
        message_out.append(f"No picture: {_common.error_text(error)}")
        return None


def state_of(marks, notes=None):
    from ..viz import GraphState
    return GraphState(active=marks.active, done=marks.done, pending=marks.pending,
                      edge_labels=marks.edge_labels, notes=notes, caption=marks.caption)


PREFETCH = True  # render the next step's picture in the background (bench/widgets.py turns it off)
RENDER_LOCK = threading.Lock()
_executor = None
_WAIT = 90.0  # seconds; longer than the renderer's own timeout


def executor():
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minigrad-widgets")
    return _executor


class _Stepping:
    """Prev / Next / Reset buttons, a slider and (optionally) Play, around a model with ``go``;
    pictures cached per index, the next one prepared in the background.

    The slider counts steps done: ``slider.value == model.index + 1`` (0 = before the first).
    Subclasses define ``_make_picture(i)`` (a GraphPicture or None) and ``render()``."""

    MAX_CACHED = 32  # pictures kept per widget (a re-run cell leaves the old widget alive)

    def _init_pictures(self):
        self._pictures = {}
        self._futures = {}
        self._lock = threading.Lock()

    def picture(self, i=None):
        """The picture of step ``i`` (default: the current one); waits for a background render."""
        i = self.model.index if i is None else i
        future = self._futures.pop(i, None)
        if future is not None:
            try:
                future.result(timeout=_WAIT)
            except Exception:  # the main thread renders (and reports) it again
                pass
        return self._picture_at(i)

    def _picture_at(self, i):
        with self._lock:
            if i in self._pictures:
                return self._pictures[i]
        picture = self._make_picture(i)
        with self._lock:
            if len(self._pictures) >= self.MAX_CACHED:
                self._pictures.clear()
            return self._pictures.setdefault(i, picture)

    def _prefetch(self, i):
        if not PREFETCH or not 0 <= i < len(self.model.steps) or i in self._futures:
            return
        with self._lock:
            if i in self._pictures:
                return
        self._futures = {k: f for k, f in self._futures.items() if not f.done()}
        self._futures[i] = executor().submit(self._render_in_background, i)

    def _render_in_background(self, i):
        picture = self._picture_at(i)
        if picture is not None:
            with RENDER_LOCK:
                picture.html()

    def _build_controls(self, n, size, play=True):
        s = SIZES[size]
        self.reset_button = button("Reset", "Back to before the first step", "minigrad-reset", size, "undo")
        self.prev_button = button("Prev", "One step back", "minigrad-prev", size, "step-backward")
        self.next_button = button("Next", "Run the next step", "minigrad-next", size, "step-forward")
        self.slider = W.IntSlider(value=0, min=0, max=n, step=1, description="step",
                                  tooltip="Steps done so far", continuous_update=True,
                                  layout=W.Layout(width=s["slider_width"]))
        self.slider.add_class("minigrad-slider")
        self.reset_button.on_click(lambda _: self.go(-1))
        self.prev_button.on_click(lambda _: self.go(self.model.index - 1))
        self.next_button.on_click(lambda _: self.go(self.model.index + 1))
        self.slider.observe(self._on_slider, names="value")
        controls = [self.reset_button, self.prev_button, self.next_button]
        self.play = None
        if play:
            self.play = W.Play(value=0, min=0, max=n, step=1, interval=900, show_repeat=False,
                               description="Play", tooltip="Play all steps, one per second",
                               disabled=n == 0, layout=W.Layout(height=s["button_height"]))
            self.play.add_class("minigrad-play")
            self._link = W.link((self.play, "value"), (self.slider, "value"))
            controls.append(self.play)
        controls.append(self.slider)
        bar = W.HBox(controls, layout=W.Layout(flex_flow="row wrap", align_items="center"))
        bar.add_class("minigrad-controls")
        for c in (self.reset_button, self.prev_button, self.next_button, self.slider):
            c.disabled = n == 0
        return bar

    def _on_slider(self, change):
        if not self._syncing:
            self.go(change["new"] - 1)

    def go(self, i):
        self.model.go(i)
        self._syncing = True
        try:
            self.slider.value = self.model.index + 1
        finally:
            self._syncing = False
        self.render()
        self._prefetch(self.model.index + 1)
        return self.model.index

    def close(self):
        for future in self._futures.values():
            future.cancel()
        for w in self._widgets():
            w.close()

    def _widgets(self):
        found = [self.box]
        stack = [self.box]
        while stack:
            w = stack.pop()
            for child in getattr(w, "children", ()):
                found.append(child)
                stack.append(child)
        return found


# -- BackwardStepper -----------------------------------------------------------------------------
class StepperView(_Stepping):
    def __init__(self, model, view="data", size="normal", max_nodes=300, direction="LR"):
        check_options(size, view, direction)
        self.model, self.size, self.view_name = model, size, view
        self._syncing = False
        self._init_pictures()
        messages = []
        self._base = None
        if isinstance(model.root, _common.Tensor):
            self._base = draw(model.root, model.namer.names,
                              dict(view=view, max_nodes=max_nodes, direction=direction), messages)
        self._picture_message = messages[0] if messages else "no graph to draw"
        n = len(model.steps)
        self.status = W.HTML()
        self.status.add_class("minigrad-status")
        # overflow: a picture wider than the cell scrolls inside its own pane (the pane would
        # otherwise grow with it and push its right-hand side out of sight)
        self.picture_pane = W.HTML(layout=W.Layout(width="100%", overflow="auto"))
        self.picture_pane.add_class("minigrad-picture")
        self.info = W.HTML(layout=W.Layout(flex="1 1 auto", min_width="18em"))
        self.info.add_class("minigrad-info")
        self.grads = W.HTML(layout=W.Layout(flex="1 1 auto", min_width="14em"))
        self.grads.add_class("minigrad-grads")
        controls = self._build_controls(n, size)
        details = W.HBox([self.info, self.grads], layout=W.Layout(flex_flow="row wrap"))
        self.box = W.VBox([self.status, controls, self.picture_pane, details])
        self.box.add_class("minigrad-stepper")
        self.box.add_class(f"minigrad-size-{size}")
        self.go(model.index)

    def _make_picture(self, i):
        if self._base is None:
            return None
        notes = {}
        for node in self.model.leaves:  # each leaf box shows its .grad once accumulated
            k = self.model._acc_index.get(node)
            if k is not None and k <= i:
                notes[node] = "grad " + compact(self.model.steps[k].grad_after)
        return self._base.with_state(state_of(self.model.marks(i), notes))

    def render(self):
        m, size = self.model, self.size
        if m.error and not m.steps:
            status = "<b>backward() cannot start</b>"
        else:
            status = f"<b>Backward, {esc(m.caption())}</b>"
        if m.steps:
            status += (f' <span style="{_MUTED}">(a replay: your tensors\' .grad is not changed; '
                       f'call {esc("backward()")} for that)</span>')
        if m.error:
            status += error_box(m.error, m.hint, size)
            if m.steps:
                plural = "" if len(m.steps) == 1 else "s"
                status += f"<div>The engine stopped after {len(m.steps)} step{plural}.</div>"
        self.status.value = panel(status, size, live=True)
        self.picture_pane.value = picture_html(self.picture(), size, self._picture_message)
        self.info.value = panel(self._info_html(), size, "minigrad-step")
        self.grads.value = panel(self._grads_html(), size, "minigrad-leaf-grads")

    def _info_html(self):
        m, size = self.model, self.size
        step = m.current
        if step is None:
            if not m.steps:
                return f'<i style="{_MUTED}">No steps to show.</i>'
            first = m.steps[0]
            where = "your gradient v" if m.gradient is not None else "d root / d root = 1"
            return (f"Press <b>Next</b>: backward starts at {esc(m.label(first.node))} with the "
                    f"gradient {code(compact(first.incoming, 6))} "
                    f'<span style="{_MUTED}">({where})</span>.')
        label = m.label(step.node)
        kind = ""
        if label != step.node.name():
            kind = f' <span style="{_MUTED}">({esc(step.node.name())})</span>'
        parts = [f"<div><b>{esc(label)}</b>{kind}</div>"]
        if step.node.formula:
            parts.append(f"<div>local derivative: {code(step.node.formula)}</div>")
        parts.append("<div>gradient arriving:</div>"
                     + pre(values_text(step.incoming), size, "minigrad-incoming"))
        if step.leaf is not None:
            name = m.label(step.node)
            before = values_text(step.grad_before) if step.grad_before is not None else "None"
            parts.append(f"<div>{esc(name)}.grad before:</div>" + pre(before, size))
            parts.append(f"<div>{esc(name)}.grad after (what backward() leaves there):</div>"
                         + pre(values_text(step.grad_after), size, "minigrad-grad-after"))
        else:
            rows = []
            for child, label, g in m.sends(step):
                rows.append([esc(label), pre(values_text(g), size) if g is not None
                             else f'<i style="{_MUTED}">nothing</i>'])
            if rows:
                parts.append(table(rows, ["sends to", "gradient"], size, "minigrad-sends"))
            else:
                parts.append(f'<div style="{_MUTED}">no input needs a gradient: nothing is sent on</div>')
        return "".join(parts)

    def _grads_html(self):
        m, size = self.model, self.size
        grads = m.leaf_grads()
        if not grads:
            return f'<i style="{_MUTED}">No leaf tensor requires grad.</i>'
        just = m.current.node if m.current is not None and m.current.leaf is not None else None
        rows = []
        for node in m.leaves:
            name = m.namer.leaf_name[node]
            g = grads[name]
            mark = " ◀ just updated" if node is just else ""
            rows.append([f"<b>{esc(name)}</b>{esc(mark)}",
                         pre(values_text(g), size) if g is not None else code("None")])
        return table(rows, ["leaf", ".grad"], size, "minigrad-grad-table")

    def bundle(self, text):
        return bundle(self.box, "BackwardStepper", self.picture(), text,
                      picture_html(None, self.size, self._picture_message))


# -- AccumulationExplorer ------------------------------------------------------------------------
class AccumulationView:
    MAX_ROWS = 6

    def __init__(self, model, size="normal"):
        check_options(size)
        self.model, self.size = model, size
        self._syncing = False
        self.backward_button = button("backward(v)", "Call out.backward(v) on your tensors: adds into .grad",
                                      "minigrad-backward", size, "arrow-left")
        self.zero_button = button("zero_()", "Call .grad.zero_() on every input", "minigrad-zero",
                                  size, "eraser")
        s = SIZES[size]
        self.retain_toggle = W.ToggleButton(value=model.retain_graph, description="",
                                            tooltip="Keep the graph after backward (retain_graph)",
                                            layout=W.Layout(height=s["button_height"], width="auto"))
        self.retain_toggle.style.font_size = s["font"]
        self.retain_toggle.add_class("minigrad-retain")
        self._label_toggle()
        self.backward_button.on_click(lambda _: self.backward())
        self.zero_button.on_click(lambda _: self.zero_())
        self.retain_toggle.observe(self._on_toggle, names="value")
        self.status = W.HTML()
        self.status.add_class("minigrad-status")
        self.history_pane = W.HTML()
        self.history_pane.add_class("minigrad-history")
        bar = W.HBox([self.backward_button, self.zero_button, self.retain_toggle],
                     layout=W.Layout(flex_flow="row wrap", align_items="center"))
        bar.add_class("minigrad-controls")
        self.box = W.VBox([bar, self.status, self.history_pane])
        self.box.add_class("minigrad-accumulation")
        self.box.add_class(f"minigrad-size-{size}")
        self.render()

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

    def render(self):
        m, size = self.model, self.size
        v = "v" if m.gradient is not None else ""
        call = f"out.backward({v}{', ' if v else ''}retain_graph={m.retain_graph})"
        status = (f"<div>Each <b>backward(v)</b> runs {code(call)} on your real tensors, and "
                  f"<b>zero_()</b> runs {code('.grad.zero_()')}. Successful backward calls: {m.calls}.</div>")
        if m.error:
            status += error_box(m.error, m.hint, size)
        self.status.value = panel(status, size, live=True)
        self.history_pane.value = self.history_html()

    def history_html(self):
        m, size = self.model, self.size
        entries = list(enumerate(m.history))
        note = ""
        if len(entries) > self.MAX_ROWS:
            note = f'<div style="{_MUTED}">({len(entries) - self.MAX_ROWS} earlier rows not shown)</div>'
            entries = entries[-self.MAX_ROWS:]
        rows = []
        for i, entry in entries:
            cells = [str(i), code(entry.action)]
            for name in m.inputs:
                g = entry.grads.get(name)
                cells.append(pre(values_text(g), size) if g is not None else code("None"))
            if entry.error:
                cells[1] += (f'<div class="minigrad-error-row" style="{_TEXT}">'
                             f"✗ {esc(_short(entry.error))}</div>")
            rows.append(cells)
        header = ["#", "action"] + [esc(f"{name}.grad") for name in m.inputs]
        return panel(note + table(rows, header, size, "minigrad-history-table"), size)

    def bundle(self, text):
        return bundle(self.box, "AccumulationExplorer", None, text, self.history_html())

    def close(self):
        for w in (self.backward_button, self.zero_button, self.retain_toggle, self.status,
                  self.history_pane, self.box):
            w.close()


def _short(message, limit=90):
    return message if len(message) <= limit else message[:limit - 1] + "…"


# -- ForwardRecorder -----------------------------------------------------------------------------
class RecorderView(_Stepping):
    def __init__(self, model, view="data", size="normal", max_nodes=300, direction="LR"):
        check_options(size, view, direction)
        self.model, self.size, self.view_name = model, size, view
        self.options = dict(view=view, max_nodes=max_nodes, direction=direction)
        self._syncing = False
        self._init_pictures()
        self._picture_message = ""
        n = len(model.steps)
        self.status = W.HTML()
        self.status.add_class("minigrad-status")
        # overflow: a picture wider than the cell scrolls inside its own pane (the pane would
        # otherwise grow with it and push its right-hand side out of sight)
        self.picture_pane = W.HTML(layout=W.Layout(width="100%", overflow="auto"))
        self.picture_pane.add_class("minigrad-picture")
        self.info = W.HTML()
        self.info.add_class("minigrad-info")
        controls = self._build_controls(n, size, play=True)
        self.box = W.VBox([self.status, controls, self.picture_pane, self.info])
        self.box.add_class("minigrad-recorder")
        self.box.add_class(f"minigrad-size-{size}")
        self.go(model.index)

    def _make_picture(self, i):
        if i < 0:
            return None
        messages = []
        base = draw(self.model.roots(i), self.model.names, self.options, messages)
        if base is None:
            self._picture_message = messages[0]
            return None
        return base.with_state(state_of(self.model.marks(i), self.model.notes(i)))

    def render(self):
        m, size = self.model, self.size
        if not m.steps:
            self.status.value = panel(f"<b>{esc(m.empty_title())}</b><div>{esc(m.empty_reason())}</div>",
                                      size, "minigrad-nothing-recorded")
        else:
            self.status.value = panel(f"<b>Forward, {esc(m.caption())}</b>", size, live=True)
        message = "before the first operation: no graph yet" if m.steps else "no graph was recorded"
        self.picture_pane.value = picture_html(self.picture(), size, self._picture_message or message)
        self.info.value = panel(self._info_html(), size, "minigrad-step")

    def _info_html(self):
        m, size = self.model, self.size
        parts = []
        if m.index >= 0:
            d = m.describe(m.index)
            parts.append(f"<div>new tensor <b>{esc(d['name'])}</b> {esc(d['shape'])}, "
                         f"{code('grad_fn=<' + d['grad_fn'] + '>')}</div>")
            parts.append(f"<div>made from: {esc(', '.join(d['inputs']) or 'nothing')}</div>")
            if d["new_leaves"]:
                parts.append(f"<div>leaves joining the graph: {esc(', '.join(d['new_leaves']))} "
                             f'<span style="{_MUTED}">(AccumulateGrad nodes)</span></div>')
            if d["formula"]:
                parts.append(f"<div>its backward: {code(d['formula'])}</div>")
        elif m.steps:
            parts.append(f'<div>Press <b>Next</b> to replay the forward pass, one operation at a time '
                         f'({len(m.steps)} recorded).</div>')
        rows = [[esc(name), esc(text)] for name, text in m.cuts(m.index)]
        if rows:
            parts.append("<div><b>Cut from the graph</b> (detach): a fresh leaf with no grad_fn; "
                         "backward stops there.</div>" + table(rows, ["tensor", "what happened"], size,
                                                               "minigrad-detached"))
        rows = [[esc(name), esc(text)] for name, text in m.untracked()]
        if rows and m.steps:
            parts.append("<div><b>Not recorded</b> (no graph node):</div>"
                         + table(rows, ["tensor", "why"], size, "minigrad-untracked"))
        return "".join(parts)

    def bundle(self, text):
        return bundle(self.box, "ForwardRecorder", self.picture(), text, self.status.value + self.info.value)
