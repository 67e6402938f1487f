// Draws every chart of the page from the JSON the server put beside it (no inline scripts),
// and again whenever htmx swaps in new content (the workshop screen refreshes itself).
// On a phone (a plot narrower than PHONE px) each figure is fitted before it is drawn: titles
// wrap, legends move under the plot, labels get room, and a heatmap keeps readable cells by
// scrolling sideways in its card.
(function () {
  var config = { displayModeBar: false, responsive: true };
  var PHONE = 576;          // px: Bootstrap's small breakpoint
  var TITLE_CHARACTERS = 34; // a line of a 16 px title on a 390 px phone
  var HEATMAP_CELL = 64;     // px per column: room for "1.76" at 13 px

  function wrap(text, width) {
    var words = text.replace(/<br>/g, " ").split(/\s+/), lines = [], line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines;
  }

  function fitToPhone(figure, element) {
    var layout = figure.layout, data = figure.data || [];
    var title = layout.title && layout.title.text;
    var top = 30;
    if (title) {
      var lines = wrap(title, TITLE_CHARACTERS);
      layout.title.text = lines.join("<br>");
      top = 24 + 20 * lines.length;
    }
    layout.margin = Object.assign({}, layout.margin, { t: top + 10, l: 4, r: 16 });
    layout.legend = Object.assign({}, layout.legend, {
      orientation: "h", x: 0, xanchor: "left", y: -0.12, yanchor: "top", font: { size: 11 }
    });
    var xTitle = layout.xaxis && layout.xaxis.title;
    if (xTitle && (typeof xTitle === "string" ? xTitle : xTitle.text)) {
      layout.legend.y = -0.28;  // under the axis's title, not over it
    }
    var kinds = data.map(function (trace) { return trace.type; });
    if (kinds.indexOf("heatmap") >= 0) {
      var columns = (data[0].x || []).length;
      var width = Math.max(element.clientWidth, 200 + HEATMAP_CELL * columns);
      layout.width = width;
      layout.autosize = false;
      element.style.width = width + "px";
      element.parentElement.classList.add("chart-scroll");
      layout.legend.y = -0.45;
      layout.height = (layout.height || 300) + 60;
    }
    if (kinds.indexOf("scatterpolar") >= 0) {
      layout.polar = Object.assign({}, layout.polar);
      layout.polar.angularaxis = Object.assign({}, layout.polar.angularaxis, { tickfont: { size: 10 } });
      layout.margin.l = 84; layout.margin.r = 84;
    }
    ["yaxis", "xaxis"].forEach(function (axis) {
      layout[axis] = Object.assign({ automargin: true }, layout[axis]);
      layout[axis].tickfont = Object.assign({ size: 10 }, layout[axis].tickfont);
      var named = layout[axis].title;
      var text = typeof named === "string" ? named : named && named.text;
      if (text && text.length > TITLE_CHARACTERS) {
        layout[axis].title = { text: wrap(text, TITLE_CHARACTERS).join("<br>"), font: { size: 11 } };
      }
    });
    data.forEach(function (trace) {
      if (trace.type === "bar" && trace.textposition === "outside" && trace.text) {
        // Only the flagged gaps keep their figure on the bar (it would run over the names
        // on a phone); every figure is in the table under the chart.
        trace.text = trace.text.map(function (text) { return text.indexOf("\u2691") >= 0 ? text : ""; });
        trace.cliponaxis = false;
        trace.textfont = Object.assign({}, trace.textfont, { size: 10 });
        layout.margin.r = 90;
      }
    });
    return figure;
  }

  function draw(root) {
    root.querySelectorAll("[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.dataset.figure);
      if (!source || !window.Plotly) { return; }
      var figure = JSON.parse(source.textContent);
      if (element.clientWidth && element.clientWidth < PHONE) { fitToPhone(figure, element); }
      window.Plotly.react(element, figure.data, figure.layout, config);
    });
  }
  draw(document);
  document.body.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
