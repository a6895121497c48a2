// Keep the team page's widget preview in step with the branding fields as they are edited.
document.addEventListener("input", (event) => {
  const preview = document.getElementById("widget-preview");
  if (!preview) return;
  const { id, value } = event.target;
  if (id === "id_accent_color") preview.style.setProperty("--brand", value);
  if (id === "id_name") {
    preview.querySelectorAll('[data-preview="name"]').forEach((el) => (el.textContent = value));
  }
  if (id === "id_logo_url") {
    const logo = preview.querySelector('[data-preview="logo"]');
    logo.src = value;
    logo.hidden = !value;
    preview.querySelector('[data-preview="initial"]').hidden = Boolean(value);
  }
});
