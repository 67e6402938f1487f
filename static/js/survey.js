// Survey helpers (no inline scripts: the Content-Security-Policy forbids them).
(function () {
  // Show a plain message when an answer could not be saved; the page's Next button saves
  // every answer on the page again, so nothing is lost.
  function show(event, text, css) {
    var target = event.detail.target;
    if (target) { target.textContent = text; target.className = "small mt-1 saved " + css; }
  }
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    show(event, "Saving…", "text-muted");
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    show(event, event.detail.xhr.responseText || "Not saved.", "text-danger");
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    show(event, "No connection: your answer will be saved when you press Next.", "text-warning");
  });
  // One click submits once (the server is idempotent too).
  document.querySelectorAll("form button[data-once]").forEach(function (button) {
    button.form.addEventListener("submit", function () { button.disabled = true; });
  });
})();
