// Behaviour shared by every page, kept out of inline handlers (the Content-Security-Policy
// allows no inline script): a <select data-autosubmit> submits its form when changed.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.dataset.autosubmit !== undefined && target.form) {
    target.form.submit();
  }
});

// A list's "More filters" button (narrow screens) opens and closes the other filters.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-filter-toggle]") : null;
  if (!button) return;
  const form = button.closest("form");
  if (!form) return;
  const open = form.classList.toggle("filters-open");
  button.setAttribute("aria-expanded", open ? "true" : "false");
});
