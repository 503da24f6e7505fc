// Salvo's timeline filters: progressive enhancement over the full list (which works without this file).
// The URL's query string keeps the state, so a filtered view can be shared.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) return;
  var items = Array.prototype.slice.call(document.querySelectorAll("ol.timeline > li.entry"));
  var fields = ["period", "class", "outcome", "year", "kind"];
  var count = document.getElementById("f-count");
  var empty = document.getElementById("f-empty");

  function state() {
    var s = {};
    fields.concat("q").forEach(function (name) { s[name] = form.elements[name].value.trim(); });
    s.q = s.q.toLowerCase();
    return s;
  }

  function apply(push) {
    var s = state();
    var shown = 0;
    items.forEach(function (li) {
      var ok = fields.every(function (name) { return !s[name] || li.dataset[name] === s[name]; }) &&
        (!s.q || li.dataset.search.indexOf(s.q) !== -1);
      li.hidden = !ok;
      if (ok) shown += 1;
    });
    document.querySelectorAll("ol.timeline").forEach(function (ol) {
      var visible = ol.querySelector("li.entry:not([hidden])") !== null;
      ol.hidden = !visible;
      var heading = ol.previousElementSibling;
      if (heading && heading.classList.contains("year")) heading.hidden = !visible;
    });
    document.querySelectorAll("section.term").forEach(function (section) {
      section.hidden = section.querySelector("li.entry:not([hidden])") === null;
    });
    count.textContent = shown + " of " + items.length + " shown";
    empty.hidden = shown !== 0;
    if (push) {
      var params = new URLSearchParams();
      fields.concat("q").forEach(function (name) {
        var value = form.elements[name].value.trim();
        if (value) params.set(name, value);
      });
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }
  }

  var params = new URLSearchParams(location.search);
  fields.concat("q").forEach(function (name) {
    if (params.has(name)) form.elements[name].value = params.get(name);
  });
  form.hidden = false;
  form.addEventListener("input", function () { apply(true); });
  form.addEventListener("change", function () { apply(true); });
  form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply(false);
})();
