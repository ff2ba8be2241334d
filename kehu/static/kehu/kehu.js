// Behaviour shared by every page, kept out of inline handlers (the Content-Security-Policy
// allows no inline script): a <select data-autosubmit> submits its form when changed.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.dataset.autosubmit !== undefined && target.form) {
    target.form.submit();
  }
});
