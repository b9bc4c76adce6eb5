// Community Portal: small progressive enhancements. Every feature works without this file.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }
  window.portal = { csrfToken: csrfToken };

  // Forms in pages kept for many members carry no token: a browser that sends no
  // Sec-Fetch-Site header gets this one's added as the form leaves.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.method !== "post" || !csrfToken() || form.querySelector('input[name$="csrf_token"]')) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "csrf_token";
    input.value = csrfToken();
    form.appendChild(input);
  }, true);

  // Markdown editors: Write / Preview tabs backed by the server's own renderer.
  function setupMarkdownEditor(editor) {
    var tabs = editor.querySelector('[role="tablist"]');
    var textarea = editor.querySelector("textarea");
    var preview = editor.querySelector(".markdown-editor__preview");
    if (!tabs || !textarea || !preview) return;
    tabs.hidden = false;
    var buttons = tabs.querySelectorAll("button");
    function show(mode) {
      buttons.forEach(function (b) { b.setAttribute("aria-selected", String(b.dataset.mode === mode)); });
      if (mode === "write") {
        preview.hidden = true; textarea.hidden = false; textarea.focus(); return;
      }
      preview.textContent = "Rendering preview…";
      preview.hidden = false; textarea.hidden = true;
      var body = new URLSearchParams({ text: textarea.value });
      fetch(editor.dataset.previewUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
      }).then(function (r) { return r.json(); }).then(function (data) {
        if (data.html !== undefined) {
          preview.innerHTML = data.html || "<p class=\"muted\">Nothing to preview yet.</p>";
        } else {
          preview.textContent = data.error || "Preview is not available.";
        }
      }).catch(function () { preview.textContent = "Preview is not available right now."; });
    }
    buttons.forEach(function (b) { b.addEventListener("click", function () { show(b.dataset.mode); }); });
  }

  // Forms with data-confirm ask before they submit (e.g. delete).
  function setupConfirm(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }

  // Close an open <details> menu with Escape or a click elsewhere.
  function setupMenus() {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      document.querySelectorAll("details.menu[open]").forEach(function (menu) {
        menu.open = false; menu.querySelector("summary").focus();
      });
    });
    document.addEventListener("click", function (event) {
      document.querySelectorAll("details.menu[open]").forEach(function (menu) {
        if (!menu.contains(event.target)) menu.open = false;
      });
    });
  }

  // The review queue from the keyboard: j and k move between items, a, h and d approve, hide
  // or delete the current one (the buttons carry data-key). Not while typing a reason.
  function setupReviewKeys() {
    var items = Array.prototype.slice.call(document.querySelectorAll(".review-item"));
    if (!items.length) return;
    var current = 0;
    function go(index) {
      current = Math.max(0, Math.min(items.length - 1, index));
      items[current].focus();
    }
    document.addEventListener("keydown", function (event) {
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
      if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
      var inside = items.indexOf(event.target.closest && event.target.closest(".review-item"));
      if (inside >= 0) current = inside;
      if (event.key === "j") go(current + 1);
      else if (event.key === "k") go(current - 1);
      else {
        var button = items[current].querySelector('button[data-key="' + event.key + '"]');
        if (button) button.click();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupReviewKeys();
    document.querySelectorAll("[data-markdown-editor]").forEach(setupMarkdownEditor);
    document.querySelectorAll("form[data-confirm]").forEach(setupConfirm);
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
    setupMenus();
  });
})();
