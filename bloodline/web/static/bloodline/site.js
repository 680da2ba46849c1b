// Page behaviour that would otherwise be inline handlers (the Content-Security-Policy forbids
// inline script). A tree node's "expand" button is used once: after its children load it
// is marked expanded and disabled.
document.addEventListener("htmx:afterRequest", function (event) {
  var element = event.detail && event.detail.elt;
  if (element && element.matches && element.matches("[data-expand-once]")) {
    element.setAttribute("aria-expanded", "true");
    element.disabled = true;
  }
});
