/* Talehouse inline comments: a comment button in every paragraph of the prose.

   The page is shared by every reader, so it carries only each paragraph's count and a link to
   the paragraph's comments page (which works without JavaScript). Here each link becomes a
   button that opens the paragraph's thread below it, fetched per reader (htmx): the thread,
   and the form for a signed-in reader. Escape or the Close button shuts it and gives focus
   back to the paragraph's button; a posted comment updates the button's count. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function upgrade(link) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    button.id = link.id;
    button.dataset.href = link.getAttribute("href");
    button.dataset.number = link.dataset.number || "";
    button.setAttribute("aria-expanded", "false");
    button.innerHTML = link.innerHTML;
    link.replaceWith(button);
  }

  function panelFor(button) {
    var id = button.getAttribute("aria-controls");
    return id ? document.getElementById(id) : null;
  }

  function focusHeading(panel) {
    var heading = panel.querySelector(".paragraph-thread-title");
    if (heading) heading.focus();
  }

  function close(button) {
    var panel = panelFor(button);
    if (panel) panel.remove();
    button.setAttribute("aria-expanded", "false");
    button.removeAttribute("aria-controls");
    var paragraph = button.closest("p");
    if (paragraph) paragraph.classList.remove("has-open-thread");
    button.focus();
  }

  function open(button) {
    var paragraph = button.closest("p");
    if (!paragraph || !window.htmx) {
      window.location.href = button.dataset.href;
      return;
    }
    var panel = document.createElement("div");
    panel.className = "pc-panel";
    panel.id = "pc-panel-" + button.id.slice(3);
    panel.setAttribute("role", "region");
    panel.setAttribute("aria-label", button.querySelector(".visually-hidden").textContent);
    paragraph.after(panel);
    paragraph.classList.add("has-open-thread");
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-controls", panel.id);
    // Focus moves in once htmx has settled the thread, not when it is merely swapped in: until
    // then its form is not yet enhanced, and a reader quick on the keyboard would post it as a
    // plain form and leave the page.
    panel.addEventListener("htmx:afterSettle", function settled() {
      panel.removeEventListener("htmx:afterSettle", settled);
      focusHeading(panel);
    });
    window.htmx.ajax("GET", button.dataset.href, { target: panel, swap: "innerHTML" });
  }

  function buttonOf(panel) {
    return document.querySelector("button.pc[aria-controls='" + panel.id + "']");
  }

  // After a comment is posted in a panel, the thread comes back with the paragraph's new
  // count: the button shows it, and focus goes to the thread's heading (which says it too).
  function refresh(panel) {
    var thread = panel.querySelector(".paragraph-thread");
    var button = buttonOf(panel);
    if (!thread || !button) return;
    var count = parseInt(thread.dataset.count || "0", 10);
    if (thread.dataset.label) button.querySelector(".visually-hidden").textContent = thread.dataset.label;
    button.querySelector(".pc-count").textContent = count ? String(count) : "";
    button.classList.toggle("has-comments", count > 0);
  }

  ready(function () {
    var prose = document.getElementById("prose");
    if (!prose) return;
    prose.querySelectorAll("a.pc").forEach(upgrade);

    prose.addEventListener("click", function (event) {
      var button = event.target.closest("button.pc");
      if (button) {
        if (button.getAttribute("aria-expanded") === "true") close(button);
        else open(button);
        return;
      }
      var closer = event.target.closest(".pc-close");
      if (closer) {
        var owner = buttonOf(closer.closest(".pc-panel"));
        if (owner) close(owner);
        return;
      }
      // A tap on a paragraph shows its button (buttons of paragraphs without comments are
      // faint until picked, hovered or focused).
      var paragraph = event.target.closest("p[data-pid]");
      if (paragraph && !event.target.closest("a, button, .pc-panel")) {
        prose.querySelectorAll("p.is-picked").forEach(function (other) {
          if (other !== paragraph) other.classList.remove("is-picked");
        });
        paragraph.classList.add("is-picked");
      }
    });

    prose.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      var panel = event.target.closest(".pc-panel");
      var button = panel ? buttonOf(panel) : null;
      if (button) {
        event.preventDefault();
        close(button);
      }
    });

    // A refused comment (400: empty, too long, closed, paragraph gone) comes back as the
    // thread with the message and the reader's text: show it like a success.
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var target = event.detail.target;
      if (event.detail.xhr.status === 400 && target && target.closest(".paragraph-thread")) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });

    // The thread replaces itself (outerHTML) after a post: remember which panel asked.
    var posting = null;
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      var elt = event.detail.elt;
      var config = event.detail.requestConfig;
      var isPost = config && String(config.verb).toLowerCase() === "post";
      posting = isPost && elt && elt.closest ? elt.closest(".pc-panel") : null;
    });

    document.body.addEventListener("htmx:afterSettle", function () {
      var panel = posting;
      posting = null;
      if (!panel || !panel.isConnected) return;
      refresh(panel);
      var field = panel.querySelector("textarea[aria-invalid]");
      if (field) field.focus();
      else focusHeading(panel);
    });
  });
})();
