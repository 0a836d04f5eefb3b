// Small behaviours, without inline scripts: selects marked data-autosubmit submit their form.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
});
