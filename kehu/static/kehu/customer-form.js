// Customer form: show the licence section for organisations and the person section for
// individuals (the hidden section's values are cleared by the server on save).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-kind-form]");
  if (!form) return;
  const kind = form.querySelector("[name=kind]");
  const sync = () => {
    const value = kind.value;
    const org = form.querySelector('[data-section="organization"]');
    const person = form.querySelector('[data-section="individual"]');
    if (org) org.hidden = value === "individual";
    if (person) person.hidden = value === "organization";
  };
  kind.addEventListener("change", sync);
  sync();
});
