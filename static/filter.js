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

  // Words as the search compares them: letters and digits apart, punctuation dropped, so "KN-23", "kn23" and
  // "KN 23" are the same two words, and "Hwasong-15" is "hwasong" then "15".
  function words(text) {
    return fold(text).replace(/([a-z])(?=[0-9])|([0-9])(?=[a-z])/g, "$1$2 ").split(/[^a-z0-9]+/).filter(Boolean);
  }

  // Each entry's words: what the line shows, its ISO date, and what data-search adds (the province).
  var items = Array.prototype.map.call(document.querySelectorAll("ol.timeline > li.entry"), function (li) {
    var time = li.querySelector("time");
    var iso = time ? time.getAttribute("datetime").slice(0, 10) : "";
    return { li: li, data: li.dataset, iso: iso, words: words(li.textContent + " " + (li.dataset.search || "")) };
  });
  var totals = { incidents: 0, context: 0 };
  items.forEach(function (it) { totals[it.data.kind === "context" ? "context" : "incidents"] += 1; });

  // Missile names and classes, each matched whole: "hwasong 15" is the Hwasong-15, not a Hwasong-12 on the 15th.
  var names = {};
  items.forEach(function (it) {
    [it.data.name, it.data["class"]].forEach(function (name) { if (name) names[words(name).join(" ")] = true; });
  });

  // Every option's own label, before counts are added to it.
  var labels = {};
  FIELDS.forEach(function (name) {
    labels[name] = Array.prototype.map.call(form.elements[name].options, function (o) { return o.text; });
  });

  // Dates in the forms people type: 2017-07-04, 2017/7/4, 4 July 2017, July 4, 2017, Jul 2017, 2017-07.
  var MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
  var M = "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|" +
    "oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?";
  var D = "(\\d{1,2})(?:st|nd|rd|th)?";
  var DATES = [
    [new RegExp("\\b(\\d{4})[-/.](\\d{1,2})(?:[-/.](\\d{1,2}))?\\b"), function (m) { return [m[1], m[2], m[3]]; }],
    [new RegExp("\\b" + D + " " + M + ",? (\\d{4})\\b"), function (m) { return [m[3], m[2], m[1]]; }],
    [new RegExp("\\b" + M + " " + D + ",? (\\d{4})\\b"), function (m) { return [m[3], m[1], m[2]]; }],
    [new RegExp("\\b" + M + ",? (\\d{4})\\b"), function (m) { return [m[2], m[1], null]; }],
    [new RegExp("\\b" + D + " " + M + "(?![a-z])"), function (m) { return [null, m[2], m[1]]; }],
    [new RegExp("\\b" + M + " " + D + "\\b"), function (m) { return [null, m[1], m[2]]; }]
  ];

  function two(n) { return ("0" + Number(n)).slice(-2); }

  // A date found in the query as a test of an entry's ISO date; the query without it.
  function takeDate(query) {
    for (var i = 0; i < DATES.length; i += 1) {
      var m = DATES[i][0].exec(query);
      if (!m) continue;
      var ymd = DATES[i][1](m), month = ymd[1];
      if (isNaN(month)) month = MONTHS.indexOf(month.slice(0, 3)) + 1;
      if (month < 1 || month > 12) continue;
      var test = new RegExp("^" + (ymd[0] || "\\d{4}") + "-" + two(month) + (ymd[2] ? "-" + two(ymd[2]) : ""));
      return { test: test, rest: query.slice(0, m.index) + " " + query.slice(m.index + m[0].length) };
    }
    return null;
  }

  // Does a run of words appear in a list of words, one after another? The last may be the start of a word
  // ("hwas" finds "Hwasong"), unless the run is a whole name.
  function run(list, terms, whole) {
    var last = terms.length - 1;
    for (var i = 0; i + last < list.length; i += 1) {
      var j = 0;
      while (j < last && list[i + j] === terms[j]) j += 1;
      if (j === last && (whole ? list[i + j] === terms[j] : list[i + j].indexOf(terms[j]) === 0)) return true;
    }
    return false;
  }

  // The query as tests: dates, whole names, and runs of words (what was typed joined, like "KN-23"); an entry
  // must pass them all, in any order.
  function parse(text) {
    var query = fold(text).replace(/\s+/g, " ").trim(), tests = [], found;
    while (query && (found = takeDate(query))) {
      tests.push((function (re) { return function (it) { return re.test(it.iso); }; })(found.test));
      query = found.rest.replace(/\s+/g, " ").trim();
    }
    var chunks = query.split(" ").filter(Boolean).map(words).filter(function (w) { return w.length; });
    for (var i = 0; i < chunks.length; i += 1) {
      var terms = chunks[i], whole = false;
      for (var k = chunks.length; k > i; k -= 1) {  // the longest run of typed words that makes a name
        var joined = [].concat.apply([], chunks.slice(i, k));
        if (names[joined.join(" ")]) { terms = joined; whole = true; i = k - 1; break; }
      }
      tests.push((function (t, w) { return function (it) { return run(it.words, t, w); }; })(terms, whole));
    }
    return tests;
  }

  function state() {
    var s = { tests: parse(form.elements.q.value) };
    FIELDS.forEach(function (name) { s[name] = form.elements[name].value; });
    return s;
  }

  // Does an entry pass every filter (but the one named `skip`, when counting that filter's options)?
  function passes(it, s, skip) {
    for (var i = 0; i < FIELDS.length; i += 1) {
      var name = FIELDS[i];
      if (name !== skip && s[name] && (it.data[name] || "") !== s[name]) return false;
    }
    for (var j = 0; j < s.tests.length; j += 1) {
      if (!s.tests[j](it)) return false;
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
    var order = document.getElementById("order-link");
    if (order) order.search = query ? "?" + query : "";
    if ("?" + query !== location.search && (query || location.search)) {
      history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }
  }

  // A shared URL restores the filters, whatever the case of its names and values (?CLASS=icbm); values the form
  // does not offer are ignored.
  var params = {};
  new URLSearchParams(location.search).forEach(function (value, key) { params[key.toLowerCase()] = value; });
  FIELDS.forEach(function (name) {
    var select = form.elements[name], value = words(params[name] || "").join(" ");
    if (!value) return;
    each(select.options, function (option, i) {
      if (option.value && (words(option.value).join(" ") === value || words(labels[name][i]).join(" ") === value)) {
        select.value = option.value;
      }
    });
  });
  if (params.q) form.elements.q.value = params.q;
  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
})();
