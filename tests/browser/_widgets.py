"""Read what minigrad's widgets show in the page, through the CSS classes minigrad/widgets/_html.py
gives them (``minigrad-stepper``, ``minigrad-next``, ``minigrad-grad-table``...), and the graph
picture's own classes (``g.node.mg-active`` is the node running now; ``<title>`` names it).
"""

import re
import time

_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")

_STEPPER_STATE = """
(box) => {
  const text = (sel) => { const n = box.querySelector(sel); return n ? n.innerText.trim() : null; };
  const grads = {};
  for (const row of box.querySelectorAll('.minigrad-grad-table tbody tr')) {
    const cells = row.querySelectorAll('td');
    const name = cells[0].innerText.replace('◀ just updated', '').trim();
    grads[name] = cells[1].innerText.trim();
  }
  const svg = box.querySelector('.minigrad-picture svg');
  return {
    active: svg ? Array.from(svg.querySelectorAll('g.node.mg-active > title'))
                      .map(t => t.textContent) : null,
    done: svg ? svg.querySelectorAll('g.node.mg-done').length : null,
    caption: text('.minigrad-status'),
    step: text('.minigrad-slider .widget-readout'),
    steps: (box.querySelector('.minigrad-slider [aria-valuemax]') || {getAttribute: () => null})
             .getAttribute('aria-valuemax'),
    incoming: text('.minigrad-arrival'),
    chain: Array.from(box.querySelectorAll('.minigrad-chain')).map(n => n.innerText.trim()),
    info: text('.minigrad-info'),
    grads,
  };
}
"""

_EXPLORER_STATE = """
(box) => {
  const table = box.querySelector('.minigrad-history-table');
  const header = Array.from(table.querySelectorAll('thead th')).map(th => th.innerText.trim());
  const rows = Array.from(table.querySelectorAll('tbody tr')).map(tr =>
      Array.from(tr.querySelectorAll('td')).map(td => td.innerText.trim()));
  return {header, rows, status: box.querySelector('.minigrad-status').innerText.trim()};
}
"""


def numbers(text):
    """Every number in a text, in order (``[5, 3]``-style shapes must not be in ``text``)."""
    return [float(m) for m in _NUMBER.findall(text or "")]


def after(cell):
    """The value an explorer's history cell ends on (``before + this call = after``: the after)."""
    return numbers(cell.rsplit("=", 1)[-1].rsplit("after:", 1)[-1])


def printed_tensor(text, which=0):
    """The numbers of the ``which``-th ``tensor(...)`` printed in a stdout text."""
    blocks = re.findall(r"tensor\((.*?)\)(?:\s|$)", text, flags=re.S)
    return numbers(re.sub(r",\s*(requires_grad|grad_fn|dtype)=.*", "", blocks[which], flags=re.S))


def stepper_state(box):
    return box.evaluate(_STEPPER_STATE)


def explorer_state(box):
    return box.evaluate(_EXPLORER_STATE)


def wait_change(page, read, before, idle=None, timeout=20.0):
    """Poll ``read()`` until it differs from ``before``, then until it has settled.

    One click updates several widgets (slider, picture, panes), each by its own message from the
    kernel, so the first change seen may be only part of it. The kernel's "idle" status comes
    after all messages of the handler on the same channel: once ``idle()`` holds and two reads
    100 ms apart agree, the update is complete."""
    deadline = time.monotonic() + timeout
    while True:
        now = read()
        if now != before:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"the widget did not change within {timeout:.0f} s: {now}")
        page.wait_for_timeout(50)
    return settle(page, read, idle, deadline - time.monotonic(), now)


def settle(page, read, idle=None, timeout=20.0, now=None):
    """``read()`` once the kernel is idle and two reads 100 ms apart agree."""
    deadline = time.monotonic() + timeout
    now = read() if now is None else now
    while True:
        page.wait_for_timeout(100)
        again = read()
        if again == now and (idle is None or idle()):
            return now
        if time.monotonic() > deadline:
            raise AssertionError(f"the widget did not settle within {timeout:.0f} s: {again}")
        now = again


def wait_until(page, read, ok, timeout=20.0, idle=None):
    """Poll ``read()`` until ``ok`` holds, then until it has settled (see ``wait_change``: the
    field ``ok`` looks at may arrive before the rest of the same update)."""
    deadline = time.monotonic() + timeout
    while True:
        now = read()
        if ok(now):
            now = settle(page, read, idle, max(deadline - time.monotonic(), 5.0), now)
            if ok(now):
                return now
            continue
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached within {timeout:.0f} s: {now}")
        page.wait_for_timeout(50)
