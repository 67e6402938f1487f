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
  // Offline (a plant floor): keep the answer and send it again when the connection returns.
  var pending = new Set();
  document.body.addEventListener("htmx:sendError", function (event) {
    pending.add(event.detail.elt);
    show(event, "No connection: saved on this phone, sending when you are back online.",
         "text-warning");
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) { pending.delete(event.detail.elt); }
  });
  function retry() {
    pending.forEach(function (element) { window.htmx.trigger(element, "change"); });
  }
  window.addEventListener("online", retry);
  setInterval(function () { if (pending.size && navigator.onLine) { retry(); } }, 10000);
  // One click submits once (the server is idempotent too).
  document.querySelectorAll("form button[data-once]").forEach(function (button) {
    button.form.addEventListener("submit", function () { button.disabled = true; });
  });
})();
