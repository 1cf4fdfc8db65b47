/* Talehouse progressive enhancement: reader settings, the read beacon, htmx CSRF. */
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // htmx requests carry the CSRF token like forms do.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // Reader settings: apply at once, remember in the browser, and on the account if signed in.
  function setupReaderSettings() {
    var root = document.documentElement;
    document.querySelectorAll("form[data-reader-settings]").forEach(function (form) {
      form.addEventListener("change", function () {
        var settings = {};
        ["theme", "font", "size", "spacing"].forEach(function (key) {
          var checked = form.querySelector("input[name=" + key + "]:checked");
          if (checked) {
            settings[key] = checked.value;
            root.dataset[key] = checked.value;
          }
        });
        try {
          window.localStorage.setItem("talehouse-reader", JSON.stringify(settings));
        } catch (e) {
          /* storage blocked */
        }
        if (root.dataset.readerAccount) {
          fetch(form.action, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
            body: JSON.stringify(settings),
          });
        }
      });
      // Reflect what reader-prefs.js applied from localStorage.
      if (!root.dataset.readerAccount) {
        ["theme", "font", "size", "spacing"].forEach(function (key) {
          var input = form.querySelector("input[name=" + key + "][value='" + root.dataset[key] + "']");
          if (input) input.checked = true;
        });
      }
    });
  }

  // A first-party visitor id, so an anonymous reader counts once per part per day.
  function ensureVisitorId() {
    if (/(?:^|; )th_visitor=/.test(document.cookie)) return;
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var id = Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = "th_visitor=" + id + "; Max-Age=31536000; Path=/; SameSite=Lax" + secure;
  }

  // The read beacon: sent once the text has been in view for a moment (AO3-style hits).
  function setupReadBeacon() {
    var prose = document.querySelector("[data-read-beacon]");
    if (!prose || !("IntersectionObserver" in window)) return;
    var needed = parseInt(prose.dataset.readAfterMs || "3000", 10);
    var visibleSince = null;
    var seen = 0;
    var sent = false;
    var timer = null;

    function send() {
      if (sent) return;
      sent = true;
      ensureVisitorId();
      fetch(prose.dataset.readBeacon, {
        method: "POST",
        credentials: "same-origin",
        keepalive: true,
      }).catch(function () {
        sent = false;
      });
    }

    function check() {
      if (visibleSince !== null && seen + (Date.now() - visibleSince) >= needed) send();
    }

    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting && document.visibilityState === "visible") {
          if (visibleSince === null) visibleSince = Date.now();
          if (!timer) timer = window.setInterval(check, 500);
        } else if (visibleSince !== null) {
          seen += Date.now() - visibleSince;
          visibleSince = null;
        }
      });
      if (sent) {
        observer.disconnect();
        window.clearInterval(timer);
      }
    });
    observer.observe(prose);
  }

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    setupReaderSettings();
    setupReadBeacon();
  });
})();
