// Descent: a figure opens at full size when tapped, so that its smallest labels can be
// read on a phone. Each figure image sits in a link to its own file (book/_ext/
// reader_page.py), which works without this script; with it, the image opens in a dialog
// over the page, scrolls in both directions, and closes with the button, Escape or a tap
// outside it.
"use strict";

function zoomDialog() {
  let dialog = document.getElementById("descent-zoom");
  if (dialog) return dialog;
  dialog = document.createElement("dialog");
  dialog.id = "descent-zoom";
  dialog.setAttribute("aria-label", "Figure at full size");
  dialog.innerHTML =
    '<form method="dialog"><button class="descent-zoom-close">Close</button></form>' +
    '<div class="descent-zoom-frame"><img alt="" /></div>';
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  document.body.append(dialog);
  return dialog;
}

document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.descent-zoom");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  const figure = link.querySelector("img");
  if (!figure) return;
  event.preventDefault();
  const dialog = zoomDialog();
  const image = dialog.querySelector("img");
  image.alt = figure.alt;
  image.src = link.href;
  // Twice the width it has on the page, and at least the width of the screen: small
  // labels become legible, and the reader scrolls to the part they want.
  const width = Math.max(figure.clientWidth * 2, Math.min(window.innerWidth - 32, figure.naturalWidth));
  image.style.width = `${width}px`;
  dialog.showModal();
});

// Keyboard focus for code blocks, tables and displayed formulas that scroll sideways (the
// theme's script calls this for code and tables, see book/_ext/reader_page.py; this file
// for formulas, below): each is measured when it comes near the screen, so that loading a
// long chapter does not lay out all of it at once.
window.descentLazyTabStop = (() => {
  let observer = null;
  return (element) => {
    if (!("IntersectionObserver" in window)) return;
    observer ??= new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          const box = entry.target;
          const scrolls = box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
          box.tabIndex = scrolls ? 0 : -1;
          observer.unobserve(box);
        }
      },
      { rootMargin: "300px 0px" },
    );
    observer.observe(element);
  };
})();

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".katex-display[tabindex]").forEach(window.descentLazyTabStop);
});
