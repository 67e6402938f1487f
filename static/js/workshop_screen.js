/* The audience screen's timer: counts down from the seconds the server rendered, again after
   every refresh of the screen (htmx replaces it when something changed). */
(function () {
  "use strict";
  let started = 0;
  let left = null;
  function arm() {
    const timer = document.getElementById("screen-timer");
    left = timer ? Number(timer.dataset.left) : null;
    started = Date.now();
  }
  function tick() {
    const timer = document.getElementById("screen-timer");
    if (!timer || left === null) return;
    const remaining = Math.max(0, left - Math.floor((Date.now() - started) / 1000));
    timer.textContent = Math.floor(remaining / 60) + ":" + String(remaining % 60).padStart(2, "0");
    timer.classList.toggle("screen-timer-out", remaining === 0);
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "screen") arm();
  });
  document.body.addEventListener("htmx:afterSettle", tick);
  arm();
  tick();
  setInterval(tick, 250);
})();
