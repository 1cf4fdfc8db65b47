/* Applies the reader's saved settings before first paint (no layout shift). Loaded
   synchronously in <head>. A page rendered for one member carries their account's settings
   (data-reader-source="account"): those are kept in the browser too, so the shared pages,
   which name nobody, show them from the first paint as well. */
(function () {
  "use strict";
  var root = document.documentElement;
  var KEYS = ["theme", "font", "size", "spacing", "stats"];
  root.classList.add("js");
  try {
    if (root.dataset.readerSource === "account") {
      var fromAccount = {};
      KEYS.forEach(function (key) {
        fromAccount[key] = root.dataset[key];
      });
      window.localStorage.setItem("talehouse-reader", JSON.stringify(fromAccount));
      return;
    }
    var saved = JSON.parse(window.localStorage.getItem("talehouse-reader") || "{}");
    KEYS.forEach(function (key) {
      if (typeof saved[key] === "string" && /^[a-z]{1,8}$/.test(saved[key])) {
        root.dataset[key] = saved[key];
      }
    });
  } catch (e) {
    /* storage blocked: keep what the page says */
  }
})();
