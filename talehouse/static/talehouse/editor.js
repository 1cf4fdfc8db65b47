/* Autosave for the part editor: drafts are saved every few seconds while the writer types. */
(function () {
  "use strict";
  var AUTOSAVE_EVERY_MS = 5000;

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  // The editor replaces the labelled textarea with its own text box: give that box the
  // textarea's label, so screen readers announce "Text" rather than an unnamed field.
  function labelEditor(form) {
    var label = form.querySelector("#id_body_label");
    if (!label) return;
    var apply = function () {
      var box = form.querySelector("[contenteditable=true]");
      if (box && !box.hasAttribute("aria-labelledby")) {
        box.setAttribute("aria-labelledby", label.id);
        box.setAttribute("aria-multiline", "true");
      }
      return Boolean(box);
    };
    if (apply()) return;
    var observer = new MutationObserver(function () {
      if (apply()) observer.disconnect();
    });
    observer.observe(form, { childList: true, subtree: true });
  }

  ready(function () {
    var form = document.getElementById("part-form");
    if (form) labelEditor(form);
    if (!form || !form.dataset.autosaveUrl) return;
    var status = form.querySelector("[data-autosave-status]");
    var words = form.querySelector("[data-word-count]");
    var title = form.querySelector("input[name=title]");
    var body = form.querySelector("textarea[name=body]");
    var lastSent = null;
    var saving = false;

    function snapshot() {
      return (title ? title.value : "") + "\u0000" + (body ? body.value : "");
    }

    lastSent = snapshot();

    function save() {
      var current = snapshot();
      if (saving || current === lastSent || !title || !title.value.trim()) return;
      saving = true;
      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
      data.append("title", title.value);
      data.append("body", body ? body.value : "");
      data.append("autosave", "1");
      var token = form.querySelector("input[name=client_token]");
      if (token) data.append("client_token", token.value);
      fetch(form.dataset.autosaveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
        body: data,
      })
        .then(function (response) {
          return response.json().then(function (json) {
            return { ok: response.ok, json: json };
          });
        })
        .then(function (result) {
          if (!result.ok) {
            if (status) status.textContent = result.json.error || status.dataset.failed;
            return;
          }
          lastSent = current;
          if (result.json.autosave_url) {
            // The first autosave of a new part created it: keep editing that draft.
            form.dataset.autosaveUrl = result.json.autosave_url;
            form.action = result.json.edit_url;
            window.history.replaceState(null, "", result.json.edit_url);
          }
          if (words && result.json.word_count_label) words.textContent = result.json.word_count_label;
          if (status) status.textContent = result.json.saved_label;
        })
        .catch(function () {
          if (status) status.textContent = status.dataset.offline;
        })
        .finally(function () {
          saving = false;
        });
    }

    window.setInterval(save, AUTOSAVE_EVERY_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") save();
    });
  });
})();
