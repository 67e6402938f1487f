/* Kiosk mode (a shared tablet, views/survey.py): when nobody has touched the page for the
   kiosk's idle time, warn for 20 seconds, then post the reset form so the tablet forgets
   this person and shows the start page for the next one. Any touch, key or scroll starts
   the wait again. Answers already chosen are saved as they are chosen, so none is lost. */
(function () {
  "use strict";
  var form = document.getElementById("kiosk-reset");
  if (!form) return;
  var idle = parseInt(form.getAttribute("data-idle"), 10) * 1000;
  var warning = form.querySelector("[data-warning]");
  var warnFor = Math.min(20000, idle / 2);
  var warnTimer = null;
  var resetTimer = null;

  function start() {
    clearTimeout(warnTimer);
    clearTimeout(resetTimer);
    form.hidden = true;
    warning.hidden = true;
    warnTimer = setTimeout(function () {
      form.hidden = false;
      warning.hidden = false;
    }, idle - warnFor);
    resetTimer = setTimeout(function () {
      form.submit();
    }, idle);
  }

  ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (name) {
    window.addEventListener(name, start, { passive: true });
  });
  start();
})();
