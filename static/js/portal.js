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

// The header: the sections' "Menu" disclosure is open on wide screens (its summary is
// hidden there), folded below 1,100 px; an open menu closes on Escape or a click elsewhere.
(function () {
  var wide = window.matchMedia("(min-width: 1100px)");
  function sync() {
    document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = wide.matches; });
  }
  document.addEventListener("DOMContentLoaded", sync);
  wide.addEventListener("change", sync);
  function closeMenus(except) {
    document.querySelectorAll("header.top details[open]").forEach(function (d) {
      if (d !== except && !(d.hasAttribute("data-open-wide") && wide.matches)) { d.open = false; }
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest ? event.target.closest("header.top details") : null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeMenus(null); }
  });
})();

// A refused form: its error summary takes the focus, so that it is read out first.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
});

// A box that scrolls (a wide table on a phone) must be reachable with the keyboard.
(function () {
  function mark() {
    document.querySelectorAll("table.list, .table-wrap, .scroll").forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
      if (scrolls && !el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); }
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  document.addEventListener("htmx:afterSwap", mark);
  window.addEventListener("resize", mark);
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
