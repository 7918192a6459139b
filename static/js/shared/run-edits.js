// @ts-check
// One run added at the end, or one run removed, the others unchanged: what a live session does
// without restarting them (`add_run`, `remove_run`; docs/protocol.md, "Adding and removing
// runs"). Anything else about the list of runs needs new runs.

/**
 * @param {unknown[]} prev the runs as they were
 * @param {unknown[]} next the runs now
 * @returns {{ kind: "add", run: number } | { kind: "remove", run: number } | null}
 */
export function listEdit(prev, next) {
  const same = (/** @type {unknown} */ a, /** @type {unknown} */ b) => JSON.stringify(a) === JSON.stringify(b);
  if (next.length === prev.length + 1 && prev.every((r, i) => same(r, next[i]))) return { kind: "add", run: prev.length };
  if (next.length !== prev.length - 1 || !next.length) return null;
  let i = 0;
  while (i < next.length && same(prev[i], next[i])) i += 1;
  return next.slice(i).every((r, k) => same(r, prev[i + k + 1])) ? { kind: "remove", run: i } : null;
}
