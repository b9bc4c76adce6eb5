// Idea board: votes update in place with fetch. Every vote button is a real form underneath,
// so voting works without this file.
(function () {
  "use strict";

  // A refusal (voting closed, merged idea...) appears in a small bubble under the button.
  function message(form, text, link) {
    var box = form.querySelector(".vote-message");
    if (!box) {
      box = document.createElement("p");
      box.className = "vote-message";
      box.setAttribute("role", "alert");
      form.appendChild(box);
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
        var old = form.querySelector(".vote-message");
        if (old) old.remove();
        button.setAttribute("aria-pressed", String(data.voted));
        button.title = data.voted ? "Withdraw your vote" : "Vote for this idea";
        form.classList.toggle("vote--mine", data.voted);
        intent.value = data.voted ? "remove" : "add";
        count.textContent = data.votes;
        document.querySelectorAll('[data-vote-total="' + form.dataset.ideaId + '"]').forEach(
          function (total) { total.textContent = data.votes; }
        );
      }).catch(function () {
        form.submit();
      }).finally(function () {
        button.removeAttribute("aria-busy");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-vote-form]").forEach(setupVote);
  });
})();
