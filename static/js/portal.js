// Small behaviours, without inline scripts: selects marked data-autosubmit submit their form.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
});

// SLA countdown badges: elements with data-deadline show the time left (or overdue).
(function () {
  function fmt(ms) {
    var neg = ms < 0, m = Math.floor(Math.abs(ms) / 60000), d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60);
    var s = d ? d + "d " + h + "h" : h ? h + "h " + (m % 60) + "m" : (m % 60) + "m";
    return (neg ? "−" : "") + s;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-deadline"));
      if (!isNaN(due)) { el.textContent = fmt(due - now); }
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  setInterval(tick, 30000);
})();

// The ticket composer: a canned reply chosen in the list is inserted where the cursor is.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (!(el.matches && el.matches("select[data-insert-into]"))) { return; }
  var option = el.options[el.selectedIndex];
  var area = document.getElementById(el.getAttribute("data-insert-into"));
  if (!area || !option || !option.hasAttribute("data-body")) { return; }
  var text = option.getAttribute("data-body");
  var start = area.selectionStart || 0, end = area.selectionEnd || 0;
  area.value = area.value.slice(0, start) + text + area.value.slice(end);
  area.focus();
  area.selectionStart = area.selectionEnd = start + text.length;
  el.selectedIndex = 0;
});
