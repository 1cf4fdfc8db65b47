/* Talehouse library: resume at the paragraph on any device, and read marks on the contents.

   The part page is shared by every reader of an audience, so nothing in it is one reader's:
   - where a reader stopped is sent by the position beacon below (signed-in readers only:
     <html data-reader-account>), to the URL on the prose (`data-position-url`);
   - "Continue reading" links to the part with `#p-<paragraph id>`, handled here, so the page
     stays the cached one;
   - read marks arrive with the per-reader fragment (`data-read-parts`, space-separated ids).
   A paragraph's id is its `data-pid`, or "i<index>" among the prose's paragraphs where the
   text has no ids yet. */
(function () {
  "use strict";

  var SEND_EVERY_MS = 10000;
  var PARAGRAPH_ID = /^[A-Za-z0-9_-]{1,32}$/;
  var RESUME_HASH = /^#p-([A-Za-z0-9_-]{1,32})$/;
  var INDEX_ID = /^i(\d{1,6})$/;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // The part's own paragraphs: an open inline-comment thread inside the prose has <p>s too.
  function paragraphsOf(prose) {
    var withIds = prose.querySelectorAll("p[data-pid]");
    return withIds.length ? withIds : prose.querySelectorAll("p");
  }

  function idOf(paragraph, index) {
    var pid = paragraph.getAttribute("data-pid");
    return pid && PARAGRAPH_ID.test(pid) ? pid : "i" + index;
  }

  function findParagraph(prose, pid) {
    var paragraphs = paragraphsOf(prose);
    for (var i = 0; i < paragraphs.length; i++) {
      if (paragraphs[i].getAttribute("data-pid") === pid) return paragraphs[i];
    }
    var index = INDEX_ID.exec(pid);
    return index ? paragraphs[parseInt(index[1], 10)] || null : null;
  }

  // The paragraph the reader is at: the first whose bottom is below the top of the window.
  // Paragraphs run down the page in order, so a binary search finds it in a few layouts.
  function currentParagraphId(prose) {
    var paragraphs = paragraphsOf(prose);
    if (!paragraphs.length) return null;
    var low = 0;
    var high = paragraphs.length - 1;
    while (low < high) {
      var middle = (low + high) >> 1;
      if (paragraphs[middle].getBoundingClientRect().bottom > 1) high = middle;
      else low = middle + 1;
    }
    return idOf(paragraphs[low], low);
  }

  function setupPositionBeacon() {
    var prose = document.querySelector("[data-position-url]");
    if (!prose || !document.documentElement.dataset.readerAccount || !window.fetch) return;
    var url = prose.dataset.positionUrl;
    var lastSent = null;

    function send() {
      var pid = currentParagraphId(prose);
      if (!pid || pid === lastSent) return;
      lastSent = pid;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        keepalive: true,
        headers: { "X-CSRFToken": csrfToken() },
        body: new URLSearchParams({ at: pid }),
      }).then(
        function (response) {
          // Sent again at the next tick only if it failed on the way or on the server: a
          // refused paragraph (400, gone since this page was built) or the rate limit (429)
          // would be answered the same.
          if (!response.ok && response.status !== 429 && response.status !== 400) lastSent = null;
        },
        function () {
          lastSent = null;
        }
      );
    }

    // At most one every SEND_EVERY_MS while the page is in view, and one when it is hidden
    // (another tab, the phone locked, the page left), only when the paragraph changed.
    window.setInterval(function () {
      if (document.visibilityState === "visible") send();
    }, SEND_EVERY_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") send();
    });
  }

  function setupResume() {
    var match = RESUME_HASH.exec(window.location.hash);
    var prose = document.getElementById("prose");
    if (!match || !prose) return;
    var target = findParagraph(prose, match[1]);
    if (!target) return;
    target.classList.add("resume-point");
    target.setAttribute("tabindex", "-1");
    var moved = false;
    function bringIntoView() {
      if (!moved) target.scrollIntoView({ block: "start" });
    }
    bringIntoView();
    target.focus({ preventScroll: true });
    // The per-reader fragment and late images may change what is above the paragraph:
    // keep it in view until the reader scrolls themselves.
    ["wheel", "touchmove", "keydown"].forEach(function (name) {
      window.addEventListener(
        name,
        function () {
          moved = true;
        },
        { once: true, passive: true }
      );
    });
    document.addEventListener("htmx:afterSettle", bringIntoView);
    window.addEventListener("load", bringIntoView);
  }

  function markRead(holder) {
    var read = {};
    holder.dataset.readParts.split(/\s+/).forEach(function (id) {
      if (id) read[id] = true;
    });
    var label = holder.dataset.readLabel || "read";
    document.querySelectorAll(".toc li").forEach(function (item) {
      var link = item.querySelector("a[href]");
      var id = link && /\/parts\/(\d+)[-/]/.exec(link.getAttribute("href"));
      if (!id || !read[id[1]] || item.classList.contains("is-read")) return;
      item.classList.add("is-read");
      var text = document.createElement("span");
      text.className = "visually-hidden";
      text.textContent = " (" + label + ")";
      link.appendChild(text);
    });
    delete holder.dataset.readParts;
  }

  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[data-read-parts]").forEach(markRead);
  });

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    setupResume();
    setupPositionBeacon();
  });
})();
