// "Similar questions and ideas" while someone types a title: fields marked data-similar-source
// fill the #similar-items region (debounced, announced politely to screen readers). Without
// JavaScript the form simply works without suggestions.
(function () {
  "use strict";

  var MIN_CHARS = 10;
  var DELAY_MS = 350;

  function label(item) {
    if (item.type === "idea") {
      return item.status ? item.status.replace(/_/g, " ") : "idea";
    }
    if (item.status === "duplicate" || item.status === "closed") return item.status;
    return item.solved ? "✓ solved" : "question";
  }

  function render(region, items, url) {
    region.textContent = "";
    if (!items.length) return;
    var heading = document.createElement("h2");
    heading.className = "similar-items__title";
    heading.textContent = "Similar questions and ideas";
    var hint = document.createElement("p");
    hint.className = "similar-items__hint";
    hint.textContent = "One of these may already answer it. They open in a new tab.";
    var list = document.createElement("ul");
    list.className = "similar-items__list";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = item.title;
      var meta = document.createElement("span");
      meta.className = "similar-items__meta pill pill--" + (item.solved ? "solved" : (item.status || "new"));
      meta.textContent = label(item) + " · " + item.votes + " vote" + (item.votes === 1 ? "" : "s");
      li.appendChild(link);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(meta);
      list.appendChild(li);
    });
    region.appendChild(heading);
    region.appendChild(hint);
    region.appendChild(list);
  }

  function setup(input) {
    var region = document.getElementById(input.dataset.similarTarget || "similar-items");
    if (!region) return;
    var type = region.dataset.similarType || "any";
    var endpoint = region.dataset.similarUrl || "/search/similar";
    var timer = null;
    var lastQuery = "";
    var controller = null;

    function lookUp() {
      var query = input.value.trim();
      if (query === lastQuery) return;
      lastQuery = query;
      if (query.length < MIN_CHARS) { region.textContent = ""; return; }
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      var url = endpoint + "?type=" + encodeURIComponent(type) + "&q=" + encodeURIComponent(query);
      fetch(url, { headers: { "Accept": "application/json" }, signal: controller && controller.signal })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (items) { render(region, items, url); })
        .catch(function () { /* suggestions are optional; the form still works */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, DELAY_MS);
    });
    if (input.value.trim().length >= MIN_CHARS) lookUp();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-similar-source]").forEach(setup);
  });
})();
