/* Tag suggestions: existing tags offered in a native <datalist> while a tag is typed.

   A text box opts in with data-tag-suggest="<the tags:suggest URL, with ?kind= if one kind>".
   Its tags are separated by commas, so suggestions are for the last name being typed, and each
   option's value is the whole box with that name completed: choosing one keeps the names before
   it, and the browser's own matching of what is typed against the options keeps working.
   The datalist is the browser's: arrow keys, Enter and screen readers work as with any other.
   Without this script (or when a request fails) the box is a plain text box. */
(function () {
  "use strict";

  var DELAY_MS = 150;
  var answers = {}; // URL -> the tags it returned, for this page's life

  function splitLast(value) {
    // "Found Family, Sl" -> head "Found Family, " and name "Sl".
    var comma = value.lastIndexOf(",");
    var rest = value.slice(comma + 1);
    var name = rest.replace(/^\s+/, "");
    return { head: value.slice(0, value.length - name.length), name: name.trim() };
  }

  function describe(tag, showKind) {
    var parts = [];
    if (tag.synonym_of) parts.push(tag.name + " → " + tag.synonym_of);
    if (showKind) parts.push(tag.kind_label);
    return parts.join(" · ");
  }

  function fill(input, list, head, tags) {
    var showKind = input.getAttribute("data-tag-suggest").indexOf("kind=") < 0;
    var seen = {};
    var options = [];
    tags.forEach(function (tag) {
      var value = head + tag.name;
      if (seen[value.toLowerCase()]) return; // the same name in two kinds
      seen[value.toLowerCase()] = true;
      var option = document.createElement("option");
      option.value = value;
      var label = describe(tag, showKind);
      if (label) option.label = label;
      options.push(option);
    });
    list.replaceChildren.apply(list, options);
  }

  function setUp(input) {
    var list = document.createElement("datalist");
    list.id = input.id + "-suggestions";
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    var timer = 0;
    var latest = "";

    function ask() {
      var typed = splitLast(input.value);
      if (!typed.name) {
        list.replaceChildren();
        return;
      }
      var base = input.getAttribute("data-tag-suggest");
      var url = base + (base.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(typed.name);
      latest = url;
      if (answers[url]) {
        fill(input, list, typed.head, answers[url]);
        return;
      }
      fetch(url, { credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { tags: [] };
        })
        .then(function (data) {
          answers[url] = data.tags || [];
          // An answer that arrives after the next keystroke's is not shown over it.
          if (url === latest) fill(input, list, splitLast(input.value).head, answers[url]);
        })
        .catch(function () {
          /* offline or limited: the box still takes any tag typed */
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      // A suggestion chosen makes the box's value an option's (browsers differ in how they
      // mark that input event): nothing more to suggest until the next name is begun.
      var chosen = Array.prototype.some.call(list.options, function (option) {
        return option.value === input.value;
      });
      if (chosen) {
        latest = "";
        list.replaceChildren();
        return;
      }
      timer = window.setTimeout(ask, DELAY_MS);
    });
  }

  function start() {
    document.querySelectorAll("input[data-tag-suggest]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
