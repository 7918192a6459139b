// No dead exports: everything a module of static/js exports is imported somewhere (another
// module, a test here, or bench/). A name only its own module uses is not exported; code
// nobody uses is deleted (ESLint's no-unused-vars finds it once it is not exported).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = new URL("../../", import.meta.url).pathname;

/** @param {string} dir @returns {string[]} */
function files(dir) {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return files(path);
    return /\.m?js$/.test(e.name) ? [path] : [];
  });
}

test("every export of static/js is imported by another module, a test or a benchmark", () => {
  const modules = files("static/js");
  const users = [...modules, ...files("tests/js"), ...files("bench")];
  const text = new Map(users.map((f) => [f, readFileSync(join(ROOT, f), "utf8")]));
  const unused = [];
  for (const file of modules) {
    const source = text.get(file);
    const names = [...source.matchAll(/^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([\w$]+)/gm)].map((m) => m[1]);
    for (const name of names) {
      const word = new RegExp(`\\b${name.replace("$", "\\$")}\\b`);
      if (!users.some((other) => other !== file && word.test(text.get(other)))) unused.push(`${file}: ${name}`);
    }
  }
  assert.deepEqual(unused, []);
});
