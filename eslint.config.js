// ESLint for the browser modules (static/js), the Node unit tests (tests/js) and this config.
// Style is left to review; these rules catch mistakes: unused code, undefined names, shadowed loops.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", ".venv/", "build/", "bench/out/", "tests/artifacts/"] },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      // Plotly is a global: /vendor/plotly/plotly.min.js, loaded on demand by shared/plots.js.
      globals: { ...globals.browser, Plotly: "readonly" },
    },
  },
  {
    // Evaluated inside the page by bench/browser.py (page.evaluate), not imported.
    files: ["bench/**/*.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.browser, Plotly: "readonly" } },
  },
  {
    files: ["tests/js/**/*.{js,mjs}", "eslint.config.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node } },
  },
  {
    rules: {
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_", caughtErrors: "none" }],
      eqeqeq: ["error", "smart"],
      "no-var": "error",
      "prefer-const": "error",
      "no-shadow": "error",
      "no-implicit-globals": "error",
    },
  },
];
