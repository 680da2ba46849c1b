// Keyboard-wedge scanners type the bar code followed by Enter. In a form marked
// data-scan-form, Enter in a one-line field moves on to the next text field instead of
// sending the form; after the last one it sends the form as usual. Selects keep the choice
// made before scanning. Without this script the form still works, one field at a time.
document.addEventListener("keydown", function (event) {
  if (event.key !== "Enter" || event.isComposing) return;
  var field = event.target;
  var form = field.form;
  if (!form || !form.hasAttribute("data-scan-form") || field.tagName !== "INPUT") return;
  var texts = Array.prototype.filter.call(form.elements, function (el) {
    if (el.disabled || el.readOnly) return false;
    if (el.tagName === "TEXTAREA") return true;
    return el.tagName === "INPUT" && /^(text|search|number|tel)$/.test(el.type);
  });
  var index = texts.indexOf(field);
  if (index < 0 || index === texts.length - 1) return;
  event.preventDefault();
  var next = texts[index + 1];
  next.focus();
  if (next.select) next.select();
});
