"""What the stepping widgets (``BackwardStepper``, ``ForwardRecorder``) share: Reset / Prev /
Next / Play and a slider around a model with ``go``, the keys of a presenter's clicker, and
pictures cached per step (prepared in the background when they take a Graphviz run).

The slider counts steps done: ``slider.value == model.index + 1`` (0 = before the first).
Each view wires its handlers once, in ``__init__``: a re-run cell makes a new view, never a
second handler on an old one.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anywidget
import ipywidgets as W
import traitlets

from ._html import SIZES, button

PREFETCH = True  # render the next step's picture in the background (bench/widgets.py turns it off)
RENDER_LOCK = threading.Lock()  # one Graphviz run at a time, for all widgets
_executor = None
_WAIT = 90.0  # seconds; longer than the renderer's own timeout


def executor():
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minigrad-widgets")
    return _executor


class KeyBridge(anywidget.AnyWidget):
    """An invisible helper inside a widget's box: it listens for the stepping keys on the whole
    box (``keys.js``) and sends them here as ``{"key": "next" | "prev" | "home" | "end"}``."""

    _esm = (Path(__file__).with_name("keys.js")).read_text(encoding="utf-8")
    index = traitlets.Int(-1).tag(sync=True)  # where the widget is, so that the last step can
    count = traitlets.Int(0).tag(sync=True)  # let a clicker scroll on past it
    cell_keys = traitlets.Bool(True).tag(
        sync=True
    )  # keys also act when the widget's cell is selected


class Stepping:
    """Controls and a picture cache around ``self.model`` (a ``Cursor``). Subclasses define
    ``_make_picture(i)`` (anything, or ``None``; may be slow) and ``render()``."""

    MAX_CACHED = 32  # pictures kept per widget (a re-run cell leaves the old widget alive)
    prefetch = True

    def _init_pictures(self):
        self._pictures = {}
        self._futures = {}
        self._lock = threading.Lock()
        self._syncing = False

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
        if (
            not (PREFETCH and self.prefetch)
            or not 0 <= i < len(self.model.steps)
            or i in self._futures
        ):
            return
        with self._lock:
            if i in self._pictures:
                return
        self._futures = {k: f for k, f in self._futures.items() if not f.done()}
        self._futures[i] = executor().submit(self._render_in_background, i)

    def _render_in_background(self, i):
        picture = self._picture_at(i)
        if picture is not None and hasattr(picture, "html"):
            with RENDER_LOCK:
                picture.html()

    def _build_controls(self, n, size, play=True):
        s = SIZES[size]
        self.reset_button = button(
            "Reset", "Back to before the first step (Home)", "minigrad-reset", size, "undo"
        )
        self.prev_button = button(
            "Prev", "One step back (← or PageUp)", "minigrad-prev", size, "step-backward"
        )
        self.next_button = button(
            "Next",
            "Run the next step (→, PageDown or Space)",
            "minigrad-next",
            size,
            "step-forward",
        )
        self.slider = W.IntSlider(
            value=0,
            min=0,
            max=n,
            step=1,
            description="step",
            tooltip="Steps done so far",
            continuous_update=True,
            layout=W.Layout(width=s["slider_width"]),
        )
        self.slider.add_class("minigrad-slider")
        self.reset_button.on_click(lambda _: self.go(-1))
        self.prev_button.on_click(lambda _: self.go(self.model.index - 1))
        self.next_button.on_click(lambda _: self.go(self.model.index + 1))
        self.slider.observe(self._on_slider, names="value")
        controls = [self.reset_button, self.prev_button, self.next_button]
        self.play = None
        if play:
            # Play's own buttons are icons only: their names come from the description/tooltip
            self.play = W.Play(
                value=0,
                min=0,
                max=n,
                step=1,
                interval=1200,
                show_repeat=False,
                description="Play",
                tooltip="Play all steps, one every 1.2 s (Play / Pause / Stop)",
                disabled=n == 0,
                layout=W.Layout(height=s["button_height"]),
            )
            self.play.add_class("minigrad-play")
            self._link = W.link((self.play, "value"), (self.slider, "value"))
            controls.append(self.play)
        controls.append(self.slider)
        self.keys = KeyBridge(
            count=n, layout=W.Layout(width="0px", height="0px", overflow="hidden")
        )
        self.keys.on_msg(self._on_key)
        controls.append(self.keys)
        bar = W.HBox(controls, layout=W.Layout(flex_flow="row wrap", align_items="center"))
        bar.add_class("minigrad-controls")
        for c in (self.reset_button, self.prev_button, self.next_button, self.slider):
            c.disabled = n == 0
        return bar

    def _on_key(self, widget, content, buffers):
        action = content.get("key") if isinstance(content, dict) else None
        moves = {
            "next": self.model.index + 1,
            "prev": self.model.index - 1,
            "home": -1,
            "end": len(self.model.steps) - 1,
        }
        if action in moves:
            self.go(moves[action])

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
        self.keys.index = self.model.index
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
