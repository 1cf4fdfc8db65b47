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
    // Once the form is submitted (Save, Publish) the submit owns the part: a later autosave
    // would race it, and after publishing it is refused.
    var submitted = false;
    var pausedForEmpty = false;
    var statusBeforePause = "";

    function snapshot() {
      return (title ? title.value : "") + "\u0000" + (body ? body.value : "");
    }

    lastSent = snapshot();

    // No words and no scene break: what a reader would see as an empty part.
    function isBlank(html) {
      var doc = new DOMParser().parseFromString(html || "", "text/html");
      return !doc.body.textContent.trim() && !doc.body.querySelector("hr");
    }

    // Whether the body the server holds is blank: an autosave must not replace text with
    // nothing unasked.
    var savedBodyIsBlank = isBlank(body ? body.value : "");

    // Select all + Delete is one keystroke away from autosaving an empty draft over the real
    // one: pause instead, and say how to get the text back. Save draft still saves it empty.
    function emptiedSinceSave() {
      var emptied = Boolean(body) && !savedBodyIsBlank && isBlank(body.value);
      if (emptied !== pausedForEmpty && status) {
        if (emptied) {
          statusBeforePause = status.textContent;
          status.textContent = status.dataset.emptied;
        } else if (status.textContent === status.dataset.emptied) {
          status.textContent = statusBeforePause;
        }
        status.classList.toggle("is-paused", emptied);
      }
      pausedForEmpty = emptied;
      return emptied;
    }

    if (body) body.addEventListener("input", emptiedSinceSave);
    form.addEventListener("submit", function () {
      submitted = true;
    });

    function save() {
      var current = snapshot();
      if (submitted || saving || current === lastSent || !title || !title.value.trim()) return;
      if (emptiedSinceSave()) return;
      var sentBody = body ? body.value : "";
      saving = true;
      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
      data.append("title", title.value);
      data.append("body", sentBody);
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
            return { ok: response.ok, status: response.status, json: json };
          });
        })
        .then(function (result) {
          if (!result.ok) {
            // 409: the server holds text this page took for blank (another tab wrote it), and
            // autosave never empties a draft: pause as after Select all + Delete.
            if (result.status === 409) savedBodyIsBlank = false;
            if (status) status.textContent = result.json.error || status.dataset.failed;
            return;
          }
          lastSent = current;
          savedBodyIsBlank = isBlank(sentBody);
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
