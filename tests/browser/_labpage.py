"""Drive one JupyterLab page with Playwright: open notebooks, run them, read what they show.

One browser page holds JupyterLab for the whole session (booting JupyterLab costs seconds; opening
a notebook in the running app costs a fraction of that). The page is started with
``--LabApp.expose_app_in_browser=True``, so ``window.jupyterapp`` gives the document manager,
the notebook panels and their models: waiting for "kernel idle" or "run-all finished" reads
JupyterLab's own state instead of guessing from pixels.

Everything the page does that the tests forbid is recorded here, never silently dropped:
``blocked`` (requests to anything but the server on 127.0.0.1, which are aborted) and ``console``
(console errors and uncaught page errors, minus the documented noise in ``CONSOLE_NOISE``).
"""

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

from _suite import WIDGET_MIME

TIMEOUT_MS = 120_000  # kernel start and run-all: generous, others use the same 2 cores
ACTION_MS = 30_000  # clicks, screenshots, selectors

# Console errors that are not a problem of their own. Each entry: (regex on the message text,
# why it is harmless). Everything else fails the test. JupyterLab 4.6 with ipywidgets 8.1 logged
# no console error of its own in these runs (only "debug" messages, which are not checked), so
# the list holds just the echo of our own network guard; add an entry only with its reason.
CONSOLE_NOISE = (
    # Chromium reports every aborted request (our network guard aborts all requests that would
    # leave 127.0.0.1) as a console error; the request itself is recorded in ``blocked`` and
    # fails the test there, so counting it twice would only hide which rule fired.
    (
        r"^Failed to load resource: net::ERR_FAILED$",
        "an aborted request; already recorded and judged by the network guard",
    ),
)


# Resolves once the layout has settled: the window's size and the boxes of ``selector`` read the
# same across two animation frames, twice in a row (JupyterLab lays out on animation frames after
# a resize; a scroll may be smooth). Replaces fixed sleeps after a resize or a scroll.
_LAYOUT_SETTLED = """
async (selector) => {
  const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
  const read = () => JSON.stringify([window.innerWidth, window.innerHeight, Array.from(
      document.querySelectorAll(selector), (n) => {
        const r = n.getBoundingClientRect();
        return [r.left, r.top, r.width, r.height];
      })]);
  let last = read(), same = 0;
  for (let i = 0; i < 200 && same < 2; i++) {
    await frame();
    await frame();
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return same >= 2;
}
"""


def wait_layout(page, selector=".jp-Cell, .minigrad-widget"):
    """Wait until the page's layout has settled (see ``_LAYOUT_SETTLED``); no fixed sleep."""
    if not page.evaluate(_LAYOUT_SETTLED, selector):
        raise AssertionError("the page's layout did not settle")


def _is_noise(text):
    return any(re.search(pattern, text) for pattern, _ in CONSOLE_NOISE)


# JavaScript run in the page. ``PANEL`` finds the notebook panel for a path.
_PANEL = """
// A panel whose kernel is still starting is first let finish: JupyterLab's widget manager waits
// on the same sessionContext.ready and then reads session.kernel, so ending the session or
// disposing the panel before then throws "Cannot read properties of null (reading 'kernel')".
const settled = async (panel) => {
  if (!panel.sessionContext || panel.sessionContext.isDisposed) return;
  const ready = panel.sessionContext.ready.catch(() => {});
  await Promise.race([ready, new Promise((done) => setTimeout(done, 10000))]);
  await new Promise((done) => setTimeout(done, 0));  // the listeners waiting on ready run first
  // Then let the kernel answer the debugger: JupyterLab's debugger asks the kernel of the
  // notebook just shown for its state (a control-channel debug_request), and ending that kernel
  // first logs "Could not restore the debugger state: Canceled future for debug_request".
  // ``_futures`` is the kernel connection's own table of requests awaiting their replies.
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const debugging = () => kernel && kernel._futures && Array.from(kernel._futures.values()).some(
      (f) => f.msg && f.msg.header && f.msg.header.msg_type === 'debug_request' && !f.isDisposed);
  const deadline = Date.now() + 10000;
  while (debugging() && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 20));
  }
};
const panelFor = (path) => {
  const app = window.jupyterapp;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.widgets) return w;
  }
  return null;
};
"""

_OPEN = (
    _PANEL
    + """
async (path) => {
  const app = window.jupyterapp;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  return panel.id;
}
"""
)

_KERNEL_IDLE = (
    _PANEL
    + """
(path) => {
  const panel = panelFor(path);
  if (!panel || !panel.sessionContext.isReady) return false;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected'
         && panel.content.widgets.length > 0 && panel.node.querySelectorAll('.jp-Cell').length > 0;
}
"""
)

_RUN_ALL = (
    _PANEL
    + """
async (path) => {
  const app = window.jupyterapp;
  const panel = panelFor(path);
  app.shell.activateById(panel.id);
  return await app.commands.execute('notebook:run-all-cells');
}
"""
)

# Finished: the kernel is idle and no cell waits ("[*]"). Cells after an error are never run;
# ``problems_in`` reports them as "not executed".
_DONE = (
    _PANEL
    + """
(path) => {
  const panel = panelFor(path);
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  for (const cell of panel.content.widgets) {
    if (cell.model.type !== 'code') continue;
    const prompt = cell.node.querySelector('.jp-InputPrompt');
    if (prompt && prompt.textContent.includes('*')) return false;
  }
  return true;
}
"""
)

# One entry per code cell: what the model holds and what the DOM shows for each output.
_REPORT = (
    _PANEL
    + """
(path) => {
  const panel = panelFor(path);
  const cells = [];
  panel.content.widgets.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    const outputs = [];
    const area = cell.outputArea;
    for (let i = 0; i < cell.model.outputs.length; i++) {
      const model = cell.model.outputs.get(i);
      const json = model.toJSON();
      const child = area.widgets[i];
      const node = child ? child.node.querySelector('.jp-OutputArea-output') : null;
      const text = node ? node.textContent : '';
      const rect = node ? node.getBoundingClientRect() : {width: 0, height: 0};
      outputs.push({
        type: json.output_type,
        name: json.name || null,
        mimes: Object.keys(json.data || {}),
        text: (json.text || (json.data && json.data['text/plain']) || '').toString(),
        ename: json.ename || null,
        evalue: json.evalue || null,
        domMime: node ? node.getAttribute('data-mime-type') : null,
        domText: text.slice(0, 2000),
        width: rect.width, height: rect.height,
        widgetViews: node ? node.querySelectorAll('.jupyter-widgets').length : 0,
        widgetLeftover: /Loading widget\\.\\.\\.|Error displaying widget|Error creating widget/.test(text),
      });
    }
    cells.push({index, source: cell.model.sharedModel.getSource(),
                executionCount: cell.model.executionCount, outputs});
  });
  return cells;
}
"""
)

# Open and run notebooks in the background, ``width`` at a time, each with its own kernel: opened
# without being activated (the tab shown stays the one a test is looking at) and run through the
# run-all command addressed to its panel (``widgetId``, ``activate: false``). The state of each
# is in ``window.minigradBackground[path]``: "running", then "ran" or "error: ...".
_BACKGROUND = """
async ([paths, width]) => {
  const app = window.jupyterapp;
  const state = window.minigradBackground = window.minigradBackground || {};
  for (const path of paths) state[path] = 'waiting';
  const idle = (panel) => {
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    return panel.sessionContext.isReady && !!kernel && kernel.status === 'idle'
           && kernel.connectionStatus === 'connected';
  };
  const one = async (path) => {
    state[path] = 'running';
    try {
      const panel = await app.commands.execute(
          'docmanager:open', {path, factory: 'Notebook', options: {activate: false}});
      await panel.context.ready;
      await panel.sessionContext.ready;
      while (!idle(panel)) await new Promise((done) => setTimeout(done, 50));
      await app.commands.execute('notebook:run-all-cells', {widgetId: panel.id, activate: false});
      state[path] = 'ran';
    } catch (error) {
      state[path] = 'error: ' + error;
    }
  };
  const queue = paths.slice();
  const lane = async () => { while (queue.length) await one(queue.shift()); };
  // not awaited: the tests go on while these run
  Array.from({length: Math.min(width, queue.length)}, lane);
}
"""

_BACKGROUND_STATE = "(path) => (window.minigradBackground || {})[path] || null"

_CLOSE = (
    _PANEL
    + """
async (path) => {
  const panel = panelFor(path);
  if (!panel) return;
  await settled(panel);
  const session = panel.sessionContext.session;
  panel.context.model.dirty = false;  // no "save your work?" dialog: the copy is throw-away
  panel.dispose();
  if (session) {
    try { await window.jupyterapp.serviceManager.sessions.shutdown(session.id); } catch (e) {}
  }
}
"""
)


class LabPage:
    """A JupyterLab page plus the record of forbidden requests and console errors."""

    def __init__(self, context, server):
        self.server = server
        self.context = context
        self.blocked = []  # (url, resource type)
        self.console = []  # message texts
        self.noise = []  # console errors ignored as documented noise (kept for the report)
        self.guard_mark = self.checked_mark = None  # the per-test guard's window (conftest.py)
        self.background_note = ""
        context.route("**/*", self._route)
        self.page = context.new_page()
        self.page.on("console", self._on_console)
        # context.route does not see WebSockets: watch them (the kernels' must stay local)
        self.page.on("websocket", self._on_websocket)
        self.page.on("pageerror", self._on_pageerror)
        self.page.set_default_timeout(ACTION_MS)

    # -- guards --------------------------------------------------------------------------------
    def _route(self, route):
        url = route.request.url
        scheme = urlsplit(url).scheme
        if (scheme in ("http", "https") and self._local(url)) or scheme in ("data", "blob"):
            route.continue_()
        else:
            self.blocked.append((url, route.request.resource_type))
            route.abort()

    def _local(self, url):
        parts = urlsplit(url)
        return parts.hostname == "127.0.0.1" and parts.port == self.server.port

    def _on_websocket(self, websocket):
        if not self._local(websocket.url):
            self.blocked.append((websocket.url, "websocket"))

    def _on_pageerror(self, error):
        # the message and the first frames of the stack: enough to tell whose code threw
        stack = (getattr(error, "stack", "") or "").splitlines()[1:4]
        where = " | ".join(line.strip() for line in stack)
        self.console.append(f"pageerror: {error}" + (f"  [{where}]" if where else ""))

    def _on_console(self, message):
        if message.type != "error":
            return
        text = message.text
        where = message.location.get("url", "") if message.location else ""
        if _is_noise(text):
            self.noise.append(text)
        else:
            self.console.append(f"{text}  [{where}]" if where else text)

    def mark(self):
        return len(self.blocked), len(self.console)

    def open_guard(self, background, since_last_check):
        """Start a test's guard window (conftest.py checks it after the test): from the last
        test's check when ``since_last_check`` (so nothing the page did between two tests goes
        unchecked), else from now; with notebooks running in the ``background`` the problems
        found name them, as they may be theirs."""
        start = since_last_check and self.checked_mark is not None
        self.guard_mark = self.checked_mark if start else self.mark()
        background = sorted(background)
        self.background_note = (
            "notebooks ran in the background meanwhile, so it may be theirs: "
            + ", ".join(background)
            if background
            else ""
        )

    def problems_since(self, mark):
        b, c = mark
        problems = [
            f"request left the server on 127.0.0.1: {url} ({kind})"
            for url, kind in self.blocked[b:]
        ]
        problems += [f"console error: {text}" for text in self.console[c:]]
        return problems

    # -- the app -------------------------------------------------------------------------------
    def boot(self):
        self.page.goto(self.server.lab_url("lab"))
        self.page.wait_for_function("() => !!window.jupyterapp", timeout=TIMEOUT_MS)
        self.page.evaluate("async () => { await window.jupyterapp.restored; }")
        self.page.wait_for_selector("#jp-main-statusbar")
        self.page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # wider notebooks

    def reset(self, keep=()):
        """Close dialogs and every open document but ``keep`` (paths), shutting their kernels
        down: a failed test must not spoil the next one."""
        for _ in range(3):
            if self.page.locator(".jp-Dialog").count() == 0:
                break
            self.page.keyboard.press("Escape")
            self.page.wait_for_timeout(100)
        # Let a panel whose kernel is still starting finish (``settled``), close it, then end
        # its kernel through the session manager: ending a session under a live or starting
        # panel nulls ``sessionContext.session`` under JupyterLab's widget manager, which then
        # threw "Cannot read properties of null (reading 'kernel')" into the next test.
        self.page.evaluate(
            _PANEL
            + """async (keep) => {
            const app = window.jupyterapp;
            const sessions = [];
            for (const w of Array.from(app.shell.widgets('main'))) {
              if (w.context && keep.includes(w.context.path)) continue;
              await settled(w);
              const session = w.sessionContext && w.sessionContext.session;
              if (session) sessions.push(session.id);
              if (w.context && w.context.model) w.context.model.dirty = false;
              w.dispose();
            }
            // all at once: each waits for its kernel process to end
            await Promise.all(sessions.map(
                (id) => app.serviceManager.sessions.shutdown(id).catch(() => {})));
        }""",
            list(keep),
        )

    def is_open(self, path):
        return self.page.evaluate(_PANEL + "(path) => !!panelFor(path)", path)

    def open(self, path, timeout_ms=TIMEOUT_MS):
        """Open a notebook (relative to the server root) and wait for cells and an idle kernel."""
        self.page.evaluate(_OPEN, path)
        self.page.wait_for_function(_KERNEL_IDLE, arg=path, timeout=timeout_ms)
        return Notebook(self, path)

    def start_in_background(self, paths, width=2):
        """Open and run ``paths`` in the background, ``width`` at a time (see ``_BACKGROUND``);
        ``finish_background`` waits for one of them."""
        self.page.evaluate(_BACKGROUND, [list(paths), width])

    def finish_background(self, path, timeout_ms=TIMEOUT_MS):
        """The Notebook for ``path`` once its background run has ended and no cell waits."""
        self.page.wait_for_function(
            "(path) => { const s = (window.minigradBackground || {})[path];"
            " return s === 'ran' || (typeof s === 'string' && s.startsWith('error')); }",
            arg=path,
            timeout=timeout_ms,
        )
        state = self.page.evaluate(_BACKGROUND_STATE, path)
        if state != "ran":
            raise AssertionError(f"{path}: opening or running it in the background failed: {state}")
        self.page.wait_for_function(_DONE, arg=path, timeout=timeout_ms)
        return Notebook(self, path)


class Notebook:
    def __init__(self, lab, path):
        self.lab, self.path, self.page = lab, path, lab.page

    @property
    def node(self):
        """A locator for this notebook's panel."""
        panel_id = self.page.evaluate(_PANEL + "(path) => panelFor(path).id", self.path)
        return self.page.locator(f"[id='{panel_id}']")

    def activate(self):
        """Bring this notebook's tab to the front (hidden tabs cannot be clicked or shot)."""
        self.page.evaluate(
            _PANEL
            + """(path) => {
            window.jupyterapp.shell.activateById(panelFor(path).id); }""",
            self.path,
        )
        self.node.wait_for(state="visible")

    def kernel_idle(self):
        return self.page.evaluate(_KERNEL_IDLE, self.path)

    def restart_kernel(self, timeout_ms=TIMEOUT_MS):
        """A new kernel for this notebook (as Kernel → Restart, without the dialog); wait idle.
        The old kernel first answers the debugger (``settled``), as before a close: ending it
        mid-request logs "Could not restore the debugger state" (found by the projector page's
        guard)."""
        self.page.evaluate(
            _PANEL
            + """async (path) => {
              const panel = panelFor(path);
              await settled(panel);
              await panel.sessionContext.restartKernel();
            }""",
            self.path,
        )
        self.page.wait_for_function(_KERNEL_IDLE, arg=self.path, timeout=timeout_ms)

    def run_all(self, timeout_ms=TIMEOUT_MS):
        started = time.monotonic()
        ok = self.page.evaluate(_RUN_ALL, self.path)
        self.page.wait_for_function(_DONE, arg=self.path, timeout=timeout_ms)
        return ok, time.monotonic() - started

    def report(self):
        return self.page.evaluate(_REPORT, self.path)

    def wait_widgets(self, timeout_ms=30_000):
        """Wait until no widget output says "Loading widget..." any more; return the report."""
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            cells = self.report()
            pending = [
                o
                for c in cells
                for o in c["outputs"]
                if WIDGET_MIME in o["mimes"] and "Loading widget..." in o["domText"]
            ]
            if not pending or time.monotonic() > deadline:
                return cells
            self.page.wait_for_timeout(100)

    def screenshot(self, path):
        """The whole notebook in one picture: the viewport is made as tall as the notebook's
        scrolled content (capped), scrolled to the top, and restored afterwards."""
        page = self.page
        size = page.viewport_size
        height = page.evaluate(
            _PANEL
            + """(path) => {
            const outer = panelFor(path).content.node.querySelector('.jp-WindowedPanel-outer')
                          || panelFor(path).content.node;
            outer.scrollTop = 0;
            return outer.scrollHeight;
        }""",
            self.path,
        )
        page.set_viewport_size(
            {"width": size["width"], "height": int(min(max(height + 200, size["height"]), 16000))}
        )
        try:
            wait_layout(page)  # JupyterLab's layout pass after the resize
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path))
        finally:
            page.set_viewport_size(size)

    def error_nodes(self):
        """Outputs the DOM shows as errors: stderr text and tracebacks (JupyterLab renders both
        with the stderr MIME type). Independent of the model check in ``problems_in``."""
        return self.node.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        ).count()

    def close(self):
        self.page.evaluate(_CLOSE, self.path)


def problems_in(cells):
    """Errors and leftovers a clean run must not show, as readable lines (empty when clean)."""
    problems = []
    for cell in cells:
        where = f"cell {cell['index']} ({cell['source'].splitlines()[0][:60] if cell['source'] else ''!r})"
        if cell["executionCount"] is None and cell["source"].strip():  # JupyterLab skips blanks
            problems.append(f"{where}: not executed")
        for out in cell["outputs"]:
            if out["type"] == "error":
                problems.append(f"{where}: {out['ename']}: {out['evalue']}")
            elif out["type"] == "stream" and out["name"] == "stderr":
                problems.append(f"{where}: stderr: {out['text'][:300]!r}")
            elif out["domMime"] == "application/vnd.jupyter.stderr":
                problems.append(f"{where}: stderr shown: {out['domText'][:300]!r}")
            if WIDGET_MIME in out["mimes"]:
                if out["widgetLeftover"]:
                    problems.append(f"{where}: widget not rendered: {out['domText'][:200]!r}")
                elif out["widgetViews"] == 0:
                    problems.append(f"{where}: widget output without a rendered widget view")
                elif out["width"] < 2 or out["height"] < 2:
                    problems.append(
                        f"{where}: widget view has no size ({out['width']:.0f}x{out['height']:.0f})"
                    )
    return problems
