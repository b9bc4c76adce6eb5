// Support Q&A enhancements: votes update in place, tag suggestions, one submit per click.
// Every one of these works as a plain form without it.
(function () {
  "use strict";

  function setPressed(widget, myVote) {
    widget.querySelectorAll("form").forEach(function (form) {
      var input = form.querySelector("[data-vote-value]");
      var button = form.querySelector("button");
      var direction = input.dataset.voteValue;
      var pressed = (direction === "up" && myVote === 1) || (direction === "down" && myVote === -1);
      button.setAttribute("aria-pressed", String(pressed));
      input.value = pressed ? "withdraw" : direction;
    });
  }

  function setupVote(widget) {
    var score = widget.querySelector("[data-vote-score]");
    var message = widget.querySelector("[data-vote-message]");
    var busy = false;  // a vote on its way; buttons stay enabled so keyboard focus stays put
    widget.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (busy) return;
        busy = true;
        widget.setAttribute("aria-busy", "true");
        fetch(form.action, {
          method: "POST", body: new FormData(form), credentials: "same-origin",
          headers: { "Accept": "application/json", "X-CSRFToken": window.portal.csrfToken() }
        }).then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        }).then(function (result) {
          if (result.ok) {
            score.firstChild.nodeValue = String(result.data.score);
            setPressed(widget, result.data.my_vote);
            message.textContent = "";
          } else {
            message.textContent = result.data.error || "Your vote could not be saved.";
          }
        }).catch(function () {
          message.textContent = "Your vote could not be saved. Check your connection and try again.";
        }).finally(function () {
          busy = false;
          widget.removeAttribute("aria-busy");
        });
      });
    });
  }

  function setupTagSuggestions(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.dataset.suggestUrl;
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var parts = input.value.split(/[,\s]+/);
        var last = parts.pop();
        if (!last) { list.innerHTML = ""; return; }
        fetch(url + "?q=" + encodeURIComponent(last), { headers: { "Accept": "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            list.innerHTML = "";
            var prefix = parts.length ? parts.join(", ") + ", " : "";
            (data.tags || []).forEach(function (tag) {
              var option = document.createElement("option");
              option.value = prefix + tag;
              option.label = tag;
              list.appendChild(option);
            });
          }).catch(function () { list.innerHTML = ""; });
      }, 150);
    });
  }

  // A second click while the first submit is on its way does nothing (the server also
  // refuses a second question from the same form).
  function setupSubmitOnce(button) {
    var form = button.form;
    form.addEventListener("submit", function () {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-vote]").forEach(function (widget) {
      if (widget.querySelector("form")) setupVote(widget);
    });
    document.querySelectorAll("[data-suggest-url]").forEach(setupTagSuggestions);
    document.querySelectorAll("[data-submit-once]").forEach(setupSubmitOnce);
  });
})();
