// The type check's reach (jsconfig.json): tsc checks, strictly, every module that starts with
// `// @ts-check`, and every module must: a new one is typed from its first line.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";

const ROOT = new URL("../../static/js/", import.meta.url).pathname;

/** @param {string} dir @returns {string[]} every .js file under dir, relative to ROOT */
function modules(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return modules(path);
    return e.name.endsWith(".js") ? [relative(ROOT, path)] : [];
  });
}

const checked = (file) => readFileSync(join(ROOT, file), "utf8").startsWith("// @ts-check");

test("every module is type-checked", () => {
  const all = modules(ROOT);
  assert.ok(all.length > 50, "the modules were found");
  const missing = all.filter((f) => !checked(f));
  assert.deepEqual(missing, [], "start these with // @ts-check and make `tsc -p jsconfig.json` pass");
});
