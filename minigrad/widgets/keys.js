// Keys for a minigrad stepping widget: with the focus anywhere inside it, → / PageDown / Space
// step forward, ← / PageUp back, Home to the start, End to the end (a presenter's clicker sends
// PageDown / PageUp). The keys are kept from JupyterLab, whose notebook shortcuts would
// otherwise move the selection away. Shipped inside the Python package: nothing is fetched.
const KEYS = {
  ArrowRight: "next", PageDown: "next", " ": "next", Spacebar: "next",
  ArrowLeft: "prev", PageUp: "prev", Home: "home", End: "end",
};

function attach(el, model) {
  const box = el.closest(".minigrad-widget");
  if (!box) return false;
  if (box.dataset.mgKeys === "1") return true;
  box.dataset.mgKeys = "1";
  if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
  box.setAttribute("aria-keyshortcuts", "ArrowRight PageDown Space ArrowLeft PageUp Home End");
  const inSlider = (target) => target && target.closest && target.closest(".widget-slider, .slider-container");
  box.addEventListener("keydown", (event) => {
    const action = KEYS[event.key];
    if (!action || event.altKey || event.ctrlKey || event.metaKey) return;
    event.stopPropagation();  // never reaches the notebook's shortcuts
    if (inSlider(event.target) && (event.key === "ArrowRight" || event.key === "ArrowLeft")) {
      return;  // the slider moves itself (and the widget follows it)
    }
    event.preventDefault();  // no page scroll, no second step from a focused button's Space
    if (!event.repeat || action === "next" || action === "prev") model.send({ key: action });
  });
  box.addEventListener("keyup", (event) => {
    if (KEYS[event.key]) {
      event.stopPropagation();
      if (event.key === " " || event.key === "Spacebar") event.preventDefault();  // no button click
    }
  });
  // a click on the picture or a panel gives the widget the focus, so the keys work at once
  box.addEventListener("mousedown", (event) => {
    if (!event.target.closest("button, input, select, textarea")) {
      setTimeout(() => box.focus({ preventScroll: true }), 0);
    }
  });
  return true;
}

function render({ model, el }) {
  el.classList.add("minigrad-keys");
  let tries = 0;
  const tryAttach = () => {
    if (attach(el, model) || ++tries > 200) return;
    setTimeout(tryAttach, 25);  // the view is put into the page after render returns
  };
  tryAttach();
}

export default { render };
