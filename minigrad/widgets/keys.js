// Keys for a minigrad stepping widget (shipped inside the Python package: nothing is fetched).
//
// → / PageDown / Space step forward, ← / PageUp back, Home to the start, End to the end; a
// presenter's clicker sends PageDown / PageUp. They work
//   * with the focus anywhere inside the widget (after a click on it, or Tab to a button), and
//   * with the widget's cell selected in the notebook's command mode (no mouse needed: select
//     the cell with ↑ / ↓, then step), for widgets that ask for it (cell_keys); Space is left
//     to JupyterLab there.
// The keys handled here never reach JupyterLab's notebook shortcuts. At the last step a forward
// key (and at the first step a backward key) is left alone, so a clicker goes on scrolling the
// notebook past the widget.
const KEYS = {
  ArrowRight: "next", PageDown: "next", " ": "next", Spacebar: "next",
  ArrowLeft: "prev", PageUp: "prev", Home: "home", End: "end",
};
const EDITABLE = "input, textarea, select, [contenteditable=''], [contenteditable='true'], .cm-editor, .jp-Editor";

function widgetFor(event) {
  const target = event.target instanceof Element ? event.target : null;
  const inside = target && target.closest(".minigrad-widget[data-mg-keys='1']");
  if (inside) return { box: inside, focused: true };
  const active = document.activeElement;
  if (!active || active.closest(EDITABLE)) return null;
  const notebook = active.closest(".jp-Notebook");
  if (!notebook) return null;
  const cell = notebook.querySelector(".jp-Cell.jp-mod-active");
  const box = cell && cell.querySelector(".minigrad-widget[data-mg-keys='1'][data-mg-cell-keys='1']");
  return box ? { box, focused: false } : null;
}

function onKey(event) {
  const action = KEYS[event.key];
  if (!action || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const found = widgetFor(event);
  if (!found) return;
  const { box, focused } = found;
  if (focused && event.target.closest && event.target.closest(EDITABLE)) {
    event.stopPropagation();  // typing in the widget's own text box: its keys, not the notebook's
    return;
  }
  const space = event.key === " " || event.key === "Spacebar";
  if (space && !focused) return;
  const target = event.target instanceof Element ? event.target : null;
  if (focused && target && target.closest(".widget-slider") && !space) {
    event.stopPropagation();  // the slider moves itself (the widget follows it)
    return;
  }
  const state = box.__minigradState ? box.__minigradState() : { index: -1, count: 0 };
  const atEnd = state.index >= state.count - 1, atStart = state.index < 0;
  if ((action === "next" && atEnd && !focused) || (action === "prev" && atStart && !focused)) {
    return;  // nothing to do here: let the notebook scroll on
  }
  event.stopPropagation();
  event.preventDefault();  // no page scroll, no button click from Space
  if (event.type === "keydown") box.__minigradStep(action);
}

function install() {
  if (window.__minigradKeys) return;
  window.__minigradKeys = true;
  // on the window, in the capture phase: before JupyterLab's own shortcut handling
  window.addEventListener("keydown", onKey, true);
  window.addEventListener("keyup", (event) => {
    if (!KEYS[event.key]) return;
    const found = widgetFor(event);
    if (found && found.focused) {
      event.stopPropagation();
      if (event.key === " " || event.key === "Spacebar") event.preventDefault();
    }
  }, true);
}

// ipywidgets' Play draws icon-only buttons: give each a name screen readers can say
const ICON_NAMES = { "fa-play": "Play", "fa-pause": "Pause", "fa-stop": "Stop", "fa-retweet": "Repeat" };

function nameButtons(box) {
  for (const button of box.querySelectorAll(".minigrad-play button")) {
    if (button.getAttribute("aria-label")) continue;
    for (const [icon, name] of Object.entries(ICON_NAMES)) {
      if (button.querySelector("." + icon)) {
        button.setAttribute("aria-label", name);
        button.setAttribute("title", name);
      }
    }
  }
}

function attach(el, model) {
  const box = el.closest(".minigrad-widget");
  if (!box) return false;
  box.__minigradStep = (action) => model.send({ key: action });
  box.__minigradState = () => ({ index: model.get("index"), count: model.get("count") });
  box.dataset.mgCellKeys = model.get("cell_keys") ? "1" : "0";
  nameButtons(box);
  setTimeout(() => nameButtons(box), 500);  // Play may be drawn after this helper
  if (box.dataset.mgKeys === "1") return true;
  box.dataset.mgKeys = "1";
  if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
  box.setAttribute("aria-keyshortcuts", "ArrowRight PageDown Space ArrowLeft PageUp Home End");
  // a click on the picture or a panel gives the widget the focus, so the keys work at once
  box.addEventListener("mousedown", (event) => {
    if (!event.target.closest("button, input, select, textarea")) {
      setTimeout(() => box.focus({ preventScroll: true }), 0);
    }
  });
  return true;
}

function render({ model, el }) {
  install();
  el.classList.add("minigrad-keys");
  let tries = 0;
  const tryAttach = () => {
    if (attach(el, model) || ++tries > 200) return;
    setTimeout(tryAttach, 25);  // the view is put into the page after render returns
  };
  tryAttach();
}

export default { render };
