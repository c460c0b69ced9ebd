// Copies the LICENSE file of every npm package that esbuild put into a vendored bundle to
// <out>/licenses/<package>-<version>.LICENSE, and writes <out>/VERSIONS.txt.
// Usage: node collect-licenses.mjs <out> meta-*.json
import { readFileSync, writeFileSync, mkdirSync, readdirSync, copyFileSync } from "node:fs";
import { join } from "node:path";

const [out, ...metas] = process.argv.slice(2);
const packages = new Map();
for (const meta of metas) {
  const inputs = Object.keys(JSON.parse(readFileSync(meta, "utf8")).inputs);
  for (const input of inputs) {
    const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (match) packages.set(match[1], join("node_modules", match[1]));
  }
}
mkdirSync(join(out, "licenses"), { recursive: true });
const lines = [];
for (const [name, dir] of [...packages].sort()) {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const licence = readdirSync(dir).find((file) => /^(licen[sc]e|copying)/i.test(file));
  if (!licence) throw new Error(`${name} ships no licence file`);
  const target = `${name.replace("/", "__")}-${manifest.version}.LICENSE`;
  copyFileSync(join(dir, licence), join(out, "licenses", target));
  lines.push(`${name} ${manifest.version} ${manifest.license} licenses/${target}`);
}
writeFileSync(join(out, "VERSIONS.txt"), lines.join("\n") + "\n");
console.log(lines.join("\n"));
