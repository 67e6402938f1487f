// Draws every chart of the page from the JSON the server put beside it (no inline scripts).
(function () {
  var config = { displayModeBar: false, responsive: true };
  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var source = document.getElementById(element.dataset.figure);
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, config);
  });
})();
