// Boots the console: the theme switch, the routes, and one place where failures are shown.

import { route, start } from "./router.js";
import { h, replace } from "./dom.js";

route(/^#\/?$/, () => import("./pages/machines.js"));
route(/^#\/new$/, () => import("./pages/editor.js"));
route(/^#\/machine\/(.+)$/, () => import("./pages/machine.js"));
route(/^#\/edit\/(.+)$/, () => import("./pages/editor.js"));
route(/^#\/execution\/(.+)$/, () => import("./pages/execution.js"));

/** Dark mode follows the system until the switch is used; the choice is remembered. */
function theme() {
  const button = document.getElementById("theme");
  const apply = (dark) => {
    document.documentElement.dataset.theme = dark ? "dark" : "light";
    button.setAttribute("aria-pressed", dark ? "true" : "false");
    button.textContent = dark ? "Light mode" : "Dark mode";
  };
  const saved = localStorage.getItem("fluxo.theme");
  apply(saved ? saved === "dark" : matchMedia("(prefers-color-scheme: dark)").matches);
  button.addEventListener("click", () => {
    const dark = document.documentElement.dataset.theme !== "dark";
    localStorage.setItem("fluxo.theme", dark ? "dark" : "light");
    apply(dark);
  });
}

theme();
const main = document.getElementById("main");
start(main, (error) => {
  console.error(error);
  replace(main, h("div", { class: "failure", role: "alert" }, h("h1", {}, "Something went wrong"), h("p", {}, error.message || String(error)),
    h("p", {}, h("a", { href: "#/" }, "Back to the state machines"))));
});
