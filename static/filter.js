// Salvo's timeline filters: progressive enhancement over the full list, which works without this file.
// The query string keeps the state (?class=ICBM&year=2017&q=sohae), so a filtered view can be shared.
// Nothing is fetched: everything filtered is already in the page.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form || !window.URLSearchParams || !history.replaceState) return;
  var FIELDS = ["period", "class", "outcome", "year", "kind"];
  var count = document.getElementById("f-count");
  var empty = document.getElementById("f-empty");
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  // Search text folded once: lower case, no accents.
  function fold(text) {
    text = text.toLowerCase();
    return text.normalize ? text.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : text;
  }

  // Each entry's words: what the line shows, its ISO date, and what data-search adds (the province).
  var items = Array.prototype.map.call(document.querySelectorAll("ol.timeline > li.entry"), function (li) {
    var time = li.querySelector("time");
    var iso = time ? time.getAttribute("datetime").slice(0, 10) : "";
    var text = li.textContent + " " + iso + " " + (li.dataset.search || "");
    return { li: li, data: li.dataset, text: fold(text.replace(/\s+/g, " ")) };
  });
  var totals = { incidents: 0, context: 0 };
  items.forEach(function (it) { totals[it.data.kind === "context" ? "context" : "incidents"] += 1; });

  // Every option's own label, before counts are added to it.
  var labels = {};
  FIELDS.forEach(function (name) {
    labels[name] = Array.prototype.map.call(form.elements[name].options, function (o) { return o.text; });
  });

  // A search word matches the start of a word in an entry, and every word must match, in any order:
  // "4 July 2017" finds the 4th of July, not the 14th, nor "23:42", "3,724 km" or "Hwasong-14".
  function word(term) {
    return new RegExp("(?:^|[\\s(\"'/\u201c\u2018])" + term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  }

  function state() {
    var s = { terms: fold(form.elements.q.value).split(/\s+/).filter(Boolean).map(word) };
    FIELDS.forEach(function (name) { s[name] = form.elements[name].value; });
    return s;
  }

  // Does an entry pass every filter (but the one named `skip`, when counting that filter's options)?
  function passes(it, s, skip) {
    for (var i = 0; i < FIELDS.length; i += 1) {
      var name = FIELDS[i];
      if (name !== skip && s[name] && (it.data[name] || "") !== s[name]) return false;
    }
    for (var j = 0; j < s.terms.length; j += 1) {
      if (!s.terms[j].test(it.text)) return false;
    }
    return true;
  }

  function plural(n, noun) { return n + " " + noun + (n === 1 ? "" : "s"); }

  function apply() {
    var s = state();
    var shown = { incidents: 0, context: 0 };
    items.forEach(function (it) {
      var ok = passes(it, s, null);
      it.li.hidden = !ok;
      if (ok) shown[it.data.kind === "context" ? "context" : "incidents"] += 1;
    });
    // Hide the year and term headings left with nothing under them.
    each(document.querySelectorAll("ol.timeline"), function (ol) {
      var visible = ol.querySelector("li.entry:not([hidden])") !== null;
      ol.hidden = !visible;
      var heading = ol.previousElementSibling;
      if (heading && heading.classList.contains("year")) heading.hidden = !visible;
    });
    each(document.querySelectorAll("section.term"), function (section) {
      section.hidden = section.querySelector("li.entry:not([hidden])") === null;
    });
    // Each option says how many entries it would leave, given the other filters.
    FIELDS.forEach(function (name) {
      var tally = {};
      items.forEach(function (it) {
        if (passes(it, s, name)) tally[it.data[name] || ""] = (tally[it.data[name] || ""] || 0) + 1;
      });
      each(form.elements[name].options, function (option, i) {
        var label = labels[name][i];
        option.text = option.value ? label + " (" + (tally[option.value] || 0) + ")" : label;
      });
    });
    count.textContent = shown.incidents + " of " + plural(totals.incidents, "incident") +
      (totals.context ? " and " + shown.context + " of " + plural(totals.context, "context event") : "") + " shown";
    empty.hidden = shown.incidents + shown.context !== 0;
    // The URL follows the form, so the view can be shared or bookmarked.
    var params = new URLSearchParams();
    ["q"].concat(FIELDS).forEach(function (name) {
      var value = form.elements[name].value.trim();
      if (value) params.set(name, value);
    });
    var query = params.toString();
    if ("?" + query !== location.search && (query || location.search)) {
      history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }
  }

  // A shared URL restores the filters; values the form does not offer are ignored.
  var params = new URLSearchParams(location.search);
  FIELDS.forEach(function (name) {
    var select = form.elements[name], value = params.get(name);
    each(select.options, function (option) { if (option.value === value) select.value = value; });
  });
  if (params.has("q")) form.elements.q.value = params.get("q");
  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
})();
