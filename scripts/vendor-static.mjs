// Copy the front-end packages installed by `npm ci` into Shidian's static files.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "src", "shidian", "static", "vendor");
const files = [
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["node_modules/echarts/dist/echarts.min.js", "echarts.min.js"],
];
mkdirSync(target, { recursive: true });
for (const [from, to] of files) {
  copyFileSync(join(root, from), join(target, to));
  console.log(`static: ${to}`);
}
