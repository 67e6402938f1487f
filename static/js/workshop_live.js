/* A workshop phone follows the facilitator (templates/survey/workshop_live.html). Each new
   question, lock or reveal arrives as a server-sent event with the phone's new fragment
   (assessments/live.py); nothing is sent in between but a ping every 15 s. While the stream
   is down (a proxy that buffers it, a phone waking up, a lost connection) the fragment is
   polled every 3 s instead; polling stops only once the stream has proved itself by speaking
   (it pings as soon as it opens), so a stream that never arrives costs nothing but load. */
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.htmx) { return; }
  var TEXT = {};
  try { TEXT = JSON.parse(document.getElementById("script-text").textContent) || {}; }
  catch (error) { TEXT = {}; }
  // A word or a question being typed survives the facilitator's next action (the fragment
  // that replaces it has the same field, empty).
  var typed = {};
  function keepTyped() {
    typed = {};
    live.querySelectorAll("input[data-keep]").forEach(function (input) {
      if (input.value && input.value !== input.defaultValue) { typed[input.id] = input.value; }
    });
  }
  function restoreTyped() {
    Object.keys(typed).forEach(function (id) {
      var input = document.getElementById(id);
      if (input && !input.disabled && !input.closest("fieldset[disabled]")) { input.value = typed[id]; }
    });
    typed = {};
  }
  live.addEventListener("htmx:beforeSwap", function (event) { if (event.detail.target === live) { keepTyped(); } });
  live.addEventListener("htmx:afterSwap", function (event) { if (event.detail.target === live) { restoreTyped(); } });
  // A word that was refused or could not be sent says so where "Sent" would be.
  document.body.addEventListener("htmx:responseError", function (event) {
    if (!event.detail.elt.matches || !event.detail.elt.matches(".live-form")) { return; }
    event.detail.target.className = "small text-danger mt-1";
    event.detail.target.textContent = event.detail.xhr.responseText || TEXT.not_sent || "Not sent.";
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    if (!event.detail.elt.matches || !event.detail.elt.matches(".live-form")) { return; }
    event.detail.target.className = "small text-warning-emphasis mt-1";
    event.detail.target.textContent = TEXT.word_offline ||
      "No connection: not sent yet. Send it again when you are back online.";
  });
  var poller = null;
  var quiet = null;
  function poll() { window.htmx.trigger(live, "poll"); }
  function startPolling() { if (!poller) { poll(); poller = window.setInterval(poll, 3000); } }
  function stopPolling() { if (poller) { window.clearInterval(poller); poller = null; } }
  if (!window.EventSource) { startPolling(); return; }

  var source = new window.EventSource(live.getAttribute("data-events"));
  function heard() {
    stopPolling();
    window.clearTimeout(quiet);
    quiet = window.setTimeout(startPolling, 25000); // two pings missed: the stream is stuck
  }
  startPolling(); // until the stream speaks
  source.addEventListener("ping", heard);
  source.addEventListener("fragment", function (event) {
    heard();
    keepTyped();
    live.innerHTML = event.data;
    restoreTyped();
    window.htmx.process(live);
    live.dispatchEvent(new window.CustomEvent("live:swapped", { bubbles: true }));
  });
  // The page itself must change (the campaign closed, the facilitator chose free mode).
  source.addEventListener("reload", function () { source.close(); window.location.reload(); });
  source.addEventListener("error", function () {
    // EventSource tries again by itself (every 2 s); the poll keeps the phone in step meanwhile.
    startPolling();
  });
})();
