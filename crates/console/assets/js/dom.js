// Building the page without markup strings: every piece of user content becomes a text node or an
// attribute value set through the DOM, so a state named `<img src=x onerror=alert(1)>` shows as
// text. No module of the console uses innerHTML.

const SVG_NS = "http://www.w3.org/2000/svg";

/** Appends children (nodes, strings as text, arrays, null/false skipped) to an element. */
function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else if (child instanceof Node) element.appendChild(child);
    else element.appendChild(document.createTextNode(String(child)));
  }
  return element;
}

function setAttributes(element, attributes) {
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (name === "style") {
      throw new Error("inline styles are refused by the Content-Security-Policy; use a class");
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
}

/** An HTML element: `h("button", {class: "x", onclick}, "text", child)`. */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  return append(element, children);
}

/** An SVG element, same calling convention as `h`. */
export function s(tag, attributes, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attributes);
  return append(element, children);
}

/** Replaces an element's children. */
export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/** Shows a transient message at the bottom of the screen (announced to screen readers). */
export function toast(message, kind = "info") {
  const region = document.getElementById("toasts");
  const item = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" }, message);
  region.appendChild(item);
  setTimeout(() => item.remove(), kind === "error" ? 8000 : 4000);
}

/** A modal dialog built on <dialog>; resolves with the value `onSubmit` returns, or null. */
export function dialog(title, body, { submitLabel = "OK", onSubmit = () => true } = {}) {
  return new Promise((resolve) => {
    const error = h("p", { class: "dialog-error", role: "alert" });
    const form = h(
      "form",
      { method: "dialog", class: "dialog-form" },
      h("h2", {}, title),
      body,
      error,
      h(
        "div",
        { class: "dialog-actions" },
        h("button", { type: "button", class: "secondary", onclick: () => close(null) }, "Cancel"),
        h("button", { type: "submit", class: "primary" }, submitLabel),
      ),
    );
    const element = h("dialog", { "aria-label": title }, form);
    let settled = false;
    function close(value) {
      if (settled) return;
      settled = true;
      element.close();
      element.remove();
      resolve(value);
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const value = await onSubmit();
        if (value !== undefined && value !== false) close(value);
      } catch (failure) {
        replace(error, failure.message || String(failure));
      }
    });
    element.addEventListener("cancel", (event) => {
      event.preventDefault();
      close(null);
    });
    document.body.appendChild(element);
    element.showModal();
  });
}
