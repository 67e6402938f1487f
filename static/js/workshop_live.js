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
    live.innerHTML = event.data;
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
