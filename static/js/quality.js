// The unit's follow-up: a print button, shown only where it works (without JS the browser's
// own print prints the same page).
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
