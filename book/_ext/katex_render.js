// Renders TeX to HTML with KaTeX for book/_ext/katex_math.py: one JSON request per line
// on stdin ({"tex": ..., "display": true|false}), one JSON answer per line on stdout
// ({"html": ...} or {"error": ...}).
"use strict";
const readline = require("readline");
const katex = require("katex");

const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  const { tex, display } = JSON.parse(line);
  let answer;
  try {
    const html = katex.renderToString(tex, {
      displayMode: display,
      throwOnError: true,
      output: "htmlAndMathml",
      strict: "error",
    });
    // The MathML copy is what screen readers read; its TeX annotation would only show up
    // as raw LaTeX in search snippets and copied text.
    answer = { html: html.replace(/<annotation encoding="application\/x-tex">[\s\S]*?<\/annotation>/g, "") };
  } catch (error) {
    answer = { error: String(error.message || error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
