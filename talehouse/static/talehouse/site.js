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

  // The reader settings, as in reader-prefs.js and accounts.models.READER_SETTING_CHOICES.
  var READER_KEYS = ["theme", "font", "size", "spacing", "stats"];

  // A choice made on this page wins over the account's settings arriving late with the
  // per-reader fragment (they were read before the choice was saved).
  var settingsChangedHere = false;

  // Reader settings: apply at once, remember in the browser, and on the account if signed in.
  function setupReaderSettings() {
    var root = document.documentElement;
    document.querySelectorAll("form[data-reader-settings]").forEach(function (form) {
      form.addEventListener("change", function () {
        settingsChangedHere = true;
        var settings = {};
        READER_KEYS.forEach(function (key) {
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
          fetch(form.dataset.accountUrl, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
            body: JSON.stringify(settings),
          });
        }
      });
      // Reflect what reader-prefs.js applied (a shared page is rendered with the defaults).
      reflect(form);
    });
  }

  function reflect(form) {
    var root = document.documentElement;
    READER_KEYS.forEach(function (key) {
      var input = form.querySelector("input[name=" + key + "][value='" + root.dataset[key] + "']");
      if (input) input.checked = true;
    });
  }

  // On a shared page, the per-reader fragment brings the member's account settings: apply
  // them and keep them in the browser, so the next page shows them from its first paint.
  document.addEventListener("htmx:afterSettle", function () {
    var account = document.getElementById("reader-account");
    if (!account || !account.dataset.theme) return;
    if (settingsChangedHere) {
      delete account.dataset.theme;
      return;
    }
    var root = document.documentElement;
    var settings = {};
    READER_KEYS.forEach(function (key) {
      settings[key] = account.dataset[key];
      root.dataset[key] = account.dataset[key];
    });
    try {
      window.localStorage.setItem("talehouse-reader", JSON.stringify(settings));
    } catch (e) {
      /* storage blocked */
    }
    document.querySelectorAll("form[data-reader-settings]").forEach(reflect);
    delete account.dataset.theme;
  });

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
      // The beacon's response sets the first-party visitor cookie (never the shared page).
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

/* Scheduling a part: a writer who never chose a time zone starts from the browser's. */
(function () {
  "use strict";
  var zone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  document.querySelectorAll("input[data-browser-time-zone]").forEach(function (input) {
    input.value = zone;
  });
})();
