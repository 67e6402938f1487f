/* The presenter view's keys (templates/assessments/workshop.html): each presses the button
   the facilitator would click, so the keys do exactly what the buttons do. */
(function () {
  "use strict";
  const keys = {
    ArrowRight: ["next"],
    ArrowLeft: ["previous"],
    r: ["reveal", "hide"],
    l: ["lock", "unlock"],
    " ": ["timer"],
  };
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) {
      return; // typing a note or choosing from a list
    }
    if (target && target.tagName === "BUTTON" && (event.key === " " || event.key === "Enter")) {
      return; // a focused button presses itself
    }
    const actions = keys[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!actions) return;
    for (const action of actions) {
      const button = document.querySelector('button[name="action"][value="' + action + '"]');
      if (button) {
        event.preventDefault();
        button.click();
        return;
      }
    }
  });
})();
