// The export page's "Select all" toggle checks or clears every field's checkbox. The
// library wires it with an inline onchange attribute, which the Content-Security-Policy
// refuses; templates/admin/import_export/export.html drops it for this listener.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input.select-toggle").forEach((toggle) => {
    toggle.addEventListener("change", () => {
      document
        .querySelectorAll('.selectable-field-export-row input[type="checkbox"]')
        .forEach((checkbox) => {
          checkbox.checked = toggle.checked;
        });
    });
  });
});
