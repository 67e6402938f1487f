// The initiative form: list only the blocking questions of the dimensions ticked (a ticked
// question always stays in sight). Without JavaScript every question is listed.
(function () {
  "use strict";
  var data = document.getElementById("form-data");
  if (!data) { return; }
  var dimensionOf = JSON.parse(data.textContent);
  var dimensions = document.querySelectorAll("input[name=dimensions]");
  function update() {
    var ticked = {};
    dimensions.forEach(function (box) { if (box.checked) { ticked[box.value] = true; } });
    document.querySelectorAll("input[name=questions]").forEach(function (box) {
      var row = box.closest(".form-check") || box.parentElement;
      row.hidden = !box.checked && !ticked[dimensionOf[box.value]];
    });
  }
  dimensions.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
