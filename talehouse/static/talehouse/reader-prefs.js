/* Applies an anonymous reader's saved settings before first paint (no layout shift).
   Loaded synchronously in <head>; signed-in readers get their settings from the server. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  if (root.dataset.readerAccount) return;
  try {
    var saved = JSON.parse(window.localStorage.getItem("talehouse-reader") || "{}");
    ["theme", "font", "size", "spacing"].forEach(function (key) {
      if (typeof saved[key] === "string" && /^[a-z]{1,8}$/.test(saved[key])) {
        root.dataset[key] = saved[key];
      }
    });
  } catch (e) {
    /* storage blocked: keep the defaults */
  }
})();
