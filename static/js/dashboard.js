// Draws every chart of the page from the JSON the server put beside it (no inline scripts),
// and again whenever htmx swaps in new content (the workshop screen refreshes itself).
(function () {
  var config = { displayModeBar: false, responsive: true };
  function draw(root) {
    root.querySelectorAll("[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.dataset.figure);
      if (!source || !window.Plotly) { return; }
      var figure = JSON.parse(source.textContent);
      window.Plotly.react(element, figure.data, figure.layout, config);
    });
  }
  draw(document);
  document.body.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
