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

  // "@" in a Markdown editor or comment box offers members' names (a listbox under it):
  // arrows move, Enter or Tab writes the name, Escape closes.
  var mentionBoxes = 0;
  function setupMentions(textarea, url) {
    var list = document.createElement("ul");
    list.className = "mentions";
    list.id = "mentions-" + (++mentionBoxes);
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Members to mention");
    list.hidden = true;
    textarea.insertAdjacentElement("afterend", list);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", list.id);  // (aria-expanded is not for a textbox)
    var members = [], active = 0, timer = null, asked = "";

    function typed() {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var match = /(?:^|[\s(])@([\w'.\-]{1,40})$/u.exec(before);
      return match ? match[1] : null;
    }
    function close() {
      list.hidden = true; members = [];
      textarea.removeAttribute("aria-activedescendant");
    }
    function render() {
      list.textContent = "";
      members.forEach(function (member, index) {
        var option = document.createElement("li");
        option.id = list.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", String(index === active));
        option.textContent = member.name;
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(index); });
        list.appendChild(option);
      });
      list.hidden = !members.length;
      if (members.length) textarea.setAttribute("aria-activedescendant", list.id + "-" + active);
    }
    function choose(index) {
      var prefix = typed();
      if (prefix === null) return close();
      var caret = textarea.selectionStart;
      var start = caret - prefix.length;
      var written = members[index].handle + " ";
      textarea.value = textarea.value.slice(0, start) + written + textarea.value.slice(caret);
      textarea.selectionStart = textarea.selectionEnd = start + written.length;
      close();
      textarea.focus();
    }
    textarea.addEventListener("input", function () {
      var prefix = typed();
      clearTimeout(timer);
      if (prefix === null) return close();
      timer = setTimeout(function () {
        asked = prefix;
        fetch(url + "?q=" + encodeURIComponent(prefix), {
          credentials: "same-origin", headers: { "Accept": "application/json" }
        }).then(function (r) { return r.ok ? r.json() : { members: [] }; }).then(function (data) {
          if (asked !== typed()) return;  // typed on since: a newer answer comes
          members = data.members || []; active = 0; render();
        }).catch(close);
      }, 150);
    });
    textarea.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : members.length - 1)) % members.length;
        render();
      } else if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault(); choose(active);
      } else if (event.key === "Escape") {
        event.preventDefault(); close();
      }
    });
    textarea.addEventListener("blur", function () { setTimeout(close, 100); });
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
    document.querySelectorAll("textarea[data-mentions-url]").forEach(function (textarea) {
      setupMentions(textarea, textarea.dataset.mentionsUrl);
    });
    document.querySelectorAll("form[data-confirm]").forEach(setupConfirm);
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
    setupMenus();
  });
})();
