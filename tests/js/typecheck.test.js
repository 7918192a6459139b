// The type check's reach (jsconfig.json): tsc checks, strictly, every module that starts with
// `// @ts-check`. The modules below are not typed yet. The list may only shrink: a new module must
// be typed, and a module typed since must leave the list.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";

const ROOT = new URL("../../static/js/", import.meta.url).pathname;

const NOT_TYPED_YET = new Set([
]);

/** @param {string} dir @returns {string[]} every .js file under dir, relative to ROOT */
function modules(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return modules(path);
    return e.name.endsWith(".js") ? [relative(ROOT, path)] : [];
  });
}

const checked = (file) => readFileSync(join(ROOT, file), "utf8").startsWith("// @ts-check");

test("every module is type-checked, except the ones listed as not typed yet", () => {
  const missing = modules(ROOT).filter((f) => !checked(f) && !NOT_TYPED_YET.has(f));
  assert.deepEqual(missing, [], "start these with // @ts-check and make `tsc -p jsconfig.json` pass");
});

test("the list of untyped modules names only modules that exist and are still untyped", () => {
  const all = new Set(modules(ROOT));
  const stale = [...NOT_TYPED_YET].filter((f) => !all.has(f) || checked(f));
  assert.deepEqual(stale, [], "remove these from NOT_TYPED_YET");
});
