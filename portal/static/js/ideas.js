// Idea board: votes update in place with fetch; filters apply on change. Every control is a
// real form underneath, so all of it works without this file.
(function () {
  "use strict";

  function message(form, text, link) {
    var box = form.parentNode.querySelector(".vote-message");
    if (!box) {
      box = document.createElement("p");
      box.className = "vote-message";
      box.setAttribute("role", "alert");
      form.insertAdjacentElement("afterend", box);
    }
    box.textContent = text + " ";
    if (link) {
      var a = document.createElement("a");
      a.href = link; a.textContent = "Go to that idea";
      box.appendChild(a);
    }
  }

  function setupVote(form) {
    var button = form.querySelector("button");
    var count = form.querySelector("[data-vote-count]");
    var intent = form.querySelector('input[name="intent"]');
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (button.getAttribute("aria-busy") === "true") return;
      button.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": window.portal.csrfToken() }
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) { form.submit(); return null; }
        return response.json();
      }).then(function (data) {
        if (!data) return;
        if (data.error) { message(form, data.error, data.target_url); return; }
        button.setAttribute("aria-pressed", String(data.voted));
        button.title = data.voted ? "Withdraw your vote" : "Vote for this idea";
        form.classList.toggle("vote--mine", data.voted);
        intent.value = data.voted ? "remove" : "add";
        count.textContent = data.votes;
      }).catch(function () {
        form.submit();
      }).finally(function () {
        button.removeAttribute("aria-busy");
      });
    });
  }

  function setupAutoSubmit(select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    document.querySelectorAll("form[data-vote-form]").forEach(setupVote);
    document.querySelectorAll("select[data-auto-submit]").forEach(setupAutoSubmit);
  });
})();
