// @ts-check
// The server's refusals in plain words. Pydantic words a bad number as "Input should be a valid
// number, unable to parse string as a number" or "Input should be greater than 0"; a student
// reads "must be a number" and "must be more than 0". Our own messages (the network's shape,
// say) are plain already and pass through.

/** @type {[RegExp, (m: RegExpExecArray) => string][]} pydantic's wording -> ours */
const RULES = [
  [/^Input should be a valid (number|integer)/i, (m) => `must be ${m[1] === "integer" ? "a whole number" : "a number"} (like 0.5 or -2)`],
  [/^Input should be greater than or equal to (\S+)/i, (m) => `must be at least ${m[1]}`],
  [/^Input should be greater than (\S+)/i, (m) => `must be more than ${m[1]}`],
  [/^Input should be less than or equal to (\S+)/i, (m) => `must be at most ${m[1]}`],
  [/^Input should be less than (\S+)/i, (m) => `must be less than ${m[1]}`],
  [/^Input should be a finite number/i, () => "must be an ordinary number (not infinite)"],
  [/^Input should be a valid list/i, () => "must be a list of numbers, like [1, 2]"],
  [/^List should have at least (\d+) items?/i, (m) => `needs at least ${m[1]} value${m[1] === "1" ? "" : "s"}`],
  [/^List should have at most (\d+) items?/i, (m) => `takes at most ${m[1]} values`],
  [/^Field required/i, () => "is missing"],
  [/^Input should be (.+)/i, (m) => `must be ${m[1]}`],
];

/**
 * A refusal's message in plain words.
 * @param {string} msg the server's message, without the field's name in front
 */
export function plainMessage(msg) {
  const text = String(msg).replace(/^Value error, /, "");
  for (const [pattern, words] of RULES) {
    const m = pattern.exec(text);
    if (m) return words(m);
  }
  return text;
}
