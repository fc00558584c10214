// Descent, on the search page: a result's summary reads a formula as its symbols, not
// as the markup of the formula's two renderings (KaTeX's HTML for the eye and MathML for
// screen readers). Sphinx builds the summary from the page's text in Search.htmlToText.
"use strict";
(() => {
  if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;
  const htmlToText = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    page.querySelectorAll(".katex-html, .eqno, .descent-explorer").forEach((node) => node.remove());
    return htmlToText(page.documentElement.outerHTML, anchor);
  };
})();
