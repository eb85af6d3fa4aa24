"""The ipywidgets face of ``BackwardStepper``: controls, the picture, the chain rule, the grads.

Layout, top to bottom: what step this is; the controls; the picture beside the step's arithmetic
(side by side when the cell is wide, one above the other on a projector); the leaves' ``.grad``;
the legend, folded. Every state of the picture comes from one layout (``viz.Frames``), so no box
moves while stepping; every text comes from the model.
"""

import ipywidgets as W

from . import _common
from ._html import (
    MUTED,
    SIZES,
    bundle,
    button,
    code,
    draw,
    error_box,
    esc,
    legend_html,
    muted,
    panel,
    picture_html,
    pre,
    table,
)
from ._stepping import RENDER_LOCK, Stepping


def state_of(marks, picture):
    """The model's ``GraphState`` with each ``data | grad`` note moved to the box of the tensor
    its node stands for (in the data view, the result box rather than the operation)."""
    return marks.replace(
        notes={picture.result_id(node) or node: lines for node, lines in marks.notes}
    )


class StepperView(Stepping):
    prefetch = False  # a step's picture is a few string edits of one layout: nothing to prepare

    def __init__(
        self, model, view="autograd", size="normal", direction="TB", max_nodes=300, predict=False
    ):
        self.model, self.size, self.view_name = model, size, view
        self.predict_mode = bool(predict)
        self._answered = set()  # steps whose prediction was checked (predict mode)
        self._init_pictures()
        messages = []
        self._base = self._frames = None
        if isinstance(model.root, _common.Tensor) and model.nodes:
            self._base = draw(
                model.root,
                model.namer.names,
                dict(
                    view=view,
                    max_nodes=max_nodes,
                    direction=direction,
                    legend=False,
                    compact=view == "autograd",
                ),
                messages,
            )
        self._picture_message = messages[0] if messages else "no graph to draw"
        if self._base is not None:
            self._frames = self._base.frames(
                [state_of(model.marks(i), self._base) for i in range(-1, len(model.steps))]
            )
        n = len(model.steps)
        self.status = W.HTML()
        self.status.add_class("minigrad-status")
        self.picture_pane = W.HTML(
            layout=W.Layout(flex="1 1 380px", min_width="0", overflow="hidden")
        )
        self.picture_pane.add_class("minigrad-picture")
        self.info = W.HTML(layout=W.Layout(flex="1 1 300px", min_width="16em"))
        self.info.add_class("minigrad-info")
        self.grads = W.HTML()
        self.grads.add_class("minigrad-grads")
        self.legend = W.HTML(legend_html(view, size) if self._base is not None else "")
        self.legend.add_class("minigrad-legend-pane")
        controls = self._build_controls(n, size, play=not self.predict_mode)
        middle = W.HBox(
            [self.picture_pane, self.info],
            layout=W.Layout(flex_flow="row wrap", align_items="flex-start", width="100%"),
        )
        parts = [self.status, controls]
        if self.predict_mode:
            parts.append(self._build_predict(size))
        self.box = W.VBox(parts + [middle, self.grads, self.legend], layout=W.Layout(width="100%"))
        for css in ("minigrad-widget", "minigrad-stepper", f"minigrad-size-{size}"):
            self.box.add_class(css)
        self.go(model.index)

    # -- predict, then press Next ------------------------------------------------------------------
    def _build_predict(self, size):
        s = SIZES[size]
        self.question = W.HTML()
        self.question.add_class("minigrad-question")
        self.answer_box = W.Text(
            placeholder="e.g. -2.0 or [1, 2]",
            continuous_update=False,
            description="",
            layout=W.Layout(width="14em", height=s["button_height"]),
        )
        self.answer_box.add_class("minigrad-answer")
        self.answer_box.style.font_size = s["font"]  # noqa (ipywidgets 8 text style)
        self.check_button = button(
            "Check",
            "Check your prediction (Enter in the box does too)",
            "minigrad-check-prediction",
            size,
            "check",
        )
        self.feedback = W.HTML()
        self.feedback.add_class("minigrad-feedback")
        self.check_button.on_click(lambda _: self.submit(self.answer_box.value))
        self.answer_box.observe(
            lambda change: self.submit(change["new"]) if change["new"] else None, names="value"
        )
        bar = W.HBox(
            [self.question, self.answer_box, self.check_button, self.feedback],
            layout=W.Layout(flex_flow="row wrap", align_items="center"),
        )
        bar.add_class("minigrad-predict")
        return bar

    def submit(self, text):
        """Check a prediction for the next step; Next then shows that step."""
        upcoming = self.model.index + 1
        if not self.predict_mode or upcoming >= len(self.model.steps):
            return None
        if upcoming in self._answered:
            return self.model.predictions.get(upcoming, True), "Already checked: press Next."
        right, message = self.model.check_prediction(upcoming, text)
        if self.model.question(upcoming) is None or upcoming in self.model.predictions:
            self._answered.add(upcoming)
        mark = "✔" if right else "✘"
        self.feedback.value = panel(
            f'<span class="minigrad-feedback-{"right" if right else "wrong"}">'
            f"{mark} {esc(message)}</span>",
            self.size,
            live=True,
        )
        self._sync_predict()
        return right, message

    def go(self, i):
        if (
            self.predict_mode
            and i > self.model.index
            and self.model.index + 1 not in self._answered
            and self.model.question(self.model.index + 1) is not None
        ):
            i = self.model.index  # predict first: the step is shown once its prediction was checked
        result = super().go(i)
        if self.predict_mode:
            self.feedback.value = (
                self.feedback.value if self.model.index + 1 in self._answered else ""
            )
            self.answer_box.value = ""
            self._sync_predict()
        return result

    def _sync_predict(self):
        upcoming = self.model.index + 1
        asked = self.model.question(upcoming)
        waiting = asked is not None and upcoming not in self._answered
        self.next_button.disabled = waiting or upcoming >= len(self.model.steps)
        self.answer_box.disabled = check_off = not waiting
        self.check_button.disabled = check_off
        if asked is None:
            self.question.value = panel(
                muted("Nothing to predict: press Next.")
                if upcoming < len(self.model.steps)
                else muted("Done: every step is shown."),
                self.size,
            )
        elif waiting:
            self.question.value = panel(f"<b>Predict</b> {esc(asked[0])}:", self.size)
        else:
            self.question.value = panel("Now press <b>Next</b> to see the step.", self.size)

    # -- pictures ----------------------------------------------------------------------------------
    def _make_picture(self, i):
        """The ``GraphPicture`` of step ``i`` (its own render: for ``.nodes``, PNG and saving)."""
        if self._base is None:
            return None
        return self._base.with_state(state_of(self.model.marks(i), self._base))

    def frame(self, i=None):
        """The SVG the widget shows at step ``i``, or ``None`` (no renderer, nothing drawn)."""
        i = self.model.index if i is None else i
        if self._frames is None:
            return None
        try:
            with RENDER_LOCK:
                return self._frames.frame(i + 1)
        except Exception as error:  # a picture problem must not break the widget
            self._picture_message = f"No picture: {_common.error_text(error)}"
            return None

    # -- panes -----------------------------------------------------------------------------------
    def render(self):
        m, size = self.model, self.size
        if m.error and not m.steps:
            status = "<b>backward() cannot start</b>"
        else:
            status = f"<b>Backward, {esc(m.caption())}</b>"
        if m.steps:
            status += " " + muted("(a replay: no .grad is changed until you call backward())")
        if m.error:
            status += error_box(m.error, m.hint, size)
            if m.steps:
                plural = "" if len(m.steps) == 1 else "s"
                status += f"<div>The engine stopped after {len(m.steps)} step{plural}.</div>"
        self.status.value = panel(status, size, live=True)
        self.picture_pane.value = picture_html(self.frame(), size, self._picture_message)
        self.info.value = panel(self._info_html(), size, "minigrad-step", live=True)
        self.grads.value = panel(self._grads_html(), size, "minigrad-leaf-grads")

    def _info_html(self):
        m, size = self.model, self.size
        step = m.current
        if step is None:
            if not m.steps:
                return f'<i style="{MUTED}">No steps to show.</i>'
            first = m.steps[0]
            where = (
                "your gradient v"
                if m.gradient is not None
                else f"d{m.root_name}/d{m.root_name} = 1"
            )
            return (
                f"Press <b>Next</b> (or →): backward starts at <b>{esc(m.label(first.node))}</b> "
                f"with the gradient {code(_common.compact(first.incoming, 6))} {muted('(' + where + ')')}."
            )
        label = m.label(step.node)
        kind = "" if step.node.name() in label else " " + muted(f"({step.node.name()})")
        parts = [
            f"<div><b>{esc(label)}</b>{kind}</div>",
            f'<div class="minigrad-arrival">{esc(m.arrival())}</div>',
        ]
        lines = m.chain_lines()
        for line in lines:
            warn = "" if line.agrees else " ⚠ differs from the engine's gradient"
            parts.append(pre(line.text() + warn, size, "minigrad-chain"))
        if step.leaf is None and not lines:
            parts.append(
                f'<div style="{MUTED}">no input needs a gradient: nothing is sent on</div>'
            )
        if step.node.formula:
            parts.append(f'<div style="{MUTED}">local derivatives: {code(step.node.formula)}</div>')
        return "".join(parts)

    def _grads_html(self):
        m, size = self.model, self.size
        grads = m.leaf_grads()
        if not grads:
            return f'<i style="{MUTED}">No leaf tensor requires grad.</i>'
        just = m.current.node if m.current is not None and m.current.leaf is not None else None
        rows, highlight = [], None
        for i, node in enumerate(m.leaves):
            name = m.namer.leaf_name[node]
            g = grads[name]
            if node is just:
                highlight = i
            mark = " ◀ just updated" if node is just else ""
            rows.append(
                [
                    f"<b>{esc(name)}</b>{esc(mark)}",
                    pre(_common.block(g), size) if g is not None else code("None"),
                ]
            )
        return table(rows, ["leaf", ".grad so far"], size, "minigrad-grad-table", highlight)

    def bundle(self, text):
        return bundle(
            self.box,
            "BackwardStepper",
            self.picture(),
            text,
            picture_html(None, self.size, self._picture_message),
            svg=self.frame(),
        )
