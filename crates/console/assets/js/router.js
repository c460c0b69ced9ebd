// Hash routes, so every page is a link and the server serves one document:
// `#/` state machines, `#/new` the editor for a new one, `#/machine/<arn>` one state machine,
// `#/edit/<arn>` its editor, `#/execution/<arn>` one execution.

const routes = [];
let current = null;
let leaving = false;

/** Registers `pattern` (a RegExp over the hash) → `load(params)` resolving to a page module. */
export function route(pattern, load) {
  routes.push({ pattern, load });
}

export const machineLink = (arn) => `#/machine/${encodeURIComponent(arn)}`;
export const editLink = (arn) => `#/edit/${encodeURIComponent(arn)}`;
export const executionLink = (arn) => `#/execution/${encodeURIComponent(arn)}`;

/** Navigates; `reload` re-renders the current page. */
export function go(hash, reload = false) {
  if (location.hash === hash && reload) render();
  else location.hash = hash;
}

/** Starts routing into `main`. */
export function start(main, onError) {
  let previous = location.hash;
  window.addEventListener("hashchange", async () => {
    if (leaving) return;
    if (current && current.canLeave && !(await current.canLeave())) {
      leaving = true;
      history.replaceState(null, "", previous);
      leaving = false;
      return;
    }
    previous = location.hash;
    render();
  });
  window.addEventListener("beforeunload", (event) => {
    if (current && current.dirty && current.dirty()) event.preventDefault();
  });
  async function renderInto() {
    current?.unmount?.();
    current = null;
    const hash = location.hash || "#/";
    for (const { pattern, load } of routes) {
      const match = hash.match(pattern);
      if (!match) continue;
      const params = match.slice(1).map(decodeURIComponent);
      try {
        const page = await load();
        current = (await page.mount(main, ...params)) || null;
      } catch (error) {
        onError(error);
      }
      main.focus({ preventScroll: true });
      return;
    }
    onError(new Error(`No page at ${hash}`));
  }
  render = renderInto;
  render();
}

let render = () => {};
