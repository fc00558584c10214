// Descent: repairs to markup that the theme and docutils generate, found by axe-core.
// Three controls get an accessible name that contains their visible label (WCAG 2.5.3,
// "label in name"), so that a speech-input user can say what they see; bibliography
// entries get a role that a list may contain.

// The colour-mode button shows only icons, each titled with its mode, while the button
// itself is named "Color mode". Hide the icons from assistive technology. Font Awesome's
// script swaps each <i> for an <svg> after the page loads, so do it again when it does.
function hideModeIcons(button) {
  button.querySelectorAll("i, svg").forEach((icon) => {
    icon.setAttribute("aria-hidden", "true");
    icon.removeAttribute("title");
    icon.querySelectorAll("title").forEach((title) => title.remove());
  });
}

document.addEventListener("DOMContentLoaded", () => {
  // "Show code cell source" toggles were named "Toggle hidden content"; their visible
  // text is a better name.
  document
    .querySelectorAll('summary[aria-label="Toggle hidden content"]')
    .forEach((summary) => summary.removeAttribute("aria-label"));
  // The search field shows "Search Ctrl+K" but was named "Search" only.
  document
    .querySelectorAll(".search-button-field[aria-label]")
    .forEach((button) => button.removeAttribute("aria-label"));
  // docutils gives bibliography entries the deprecated role doc-biblioentry inside a
  // role="list", which may only contain list items.
  document
    .querySelectorAll('.citation-list > [role="doc-biblioentry"]')
    .forEach((entry) => entry.setAttribute("role", "listitem"));
  document.querySelectorAll(".theme-switch-button").forEach((button) => {
    hideModeIcons(button);
    new MutationObserver(() => hideModeIcons(button)).observe(button, {
      childList: true,
      subtree: true,
    });
  });
});
