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

// A form sent back with errors: each invalid field is described by its error message (also
// where a template wrote the message without an id), and the first one gets the focus.
document.addEventListener("DOMContentLoaded", () => {
  const invalid = [...document.querySelectorAll(".is-invalid, [aria-invalid=true]")];
  invalid.forEach((field, index) => {
    field.setAttribute("aria-invalid", "true");
    const described = field.getAttribute("aria-describedby");
    if (described && document.getElementById(described)) return;
    const holder = field.closest("td, .mb-3, [class*=col-]") || field.parentElement;
    const message = holder ? holder.querySelector(".invalid-feedback") : null;
    if (!message) {
      if (described) field.removeAttribute("aria-describedby");
      return;
    }
    message.id = message.id || `${field.id || field.name || "field"}-error-${index}`;
    message.setAttribute("role", "alert");
    field.setAttribute("aria-describedby", message.id);
  });
  const first = invalid.find((field) => field.offsetParent !== null);
  if (first) {
    first.focus();
  } else if (!document.querySelector("[autofocus]")) {
    const alert = document.querySelector("form .alert-danger[role=alert]");
    if (alert) {
      alert.setAttribute("tabindex", "-1");
      alert.focus();
    }
  }
});
