// Chart tooltips: each data mark of a chart's SVG carries Vega's description of its datum
// (aria-label "Year: 2015; Count: 91,611; Source: …"); pointing at a mark shows it. The SVG
// itself is the chart, in print and without JavaScript alike; the data table below each chart
// gives every value to keyboard and screen-reader users.
(function () {
  "use strict";
  var MARKS = "g.role-mark [aria-label]";
  function start() {
    var tip = document.createElement("div");
    tip.className = "chart-tooltip";
    tip.setAttribute("aria-hidden", "true");
    tip.hidden = true;
    document.body.appendChild(tip);
    function show(mark, event) {
      tip.textContent = "";
      mark.getAttribute("aria-label").split("; ").forEach(function (part) {
        var line = document.createElement("div");
        line.textContent = part;
        tip.appendChild(line);
      });
      tip.hidden = false;
      var x = event.clientX + 14, y = event.clientY + 14;
      var box = tip.getBoundingClientRect();
      if (x + box.width > window.innerWidth - 8) x = event.clientX - box.width - 14;
      if (y + box.height > window.innerHeight - 8) y = event.clientY - box.height - 14;
      tip.style.left = Math.max(8, x) + "px";
      tip.style.top = Math.max(8, y) + "px";
    }
    document.querySelectorAll(".vega-chart svg").forEach(function (svg) {
      svg.addEventListener("pointermove", function (event) {
        var mark = event.target.closest && event.target.closest(MARKS);
        if (mark && svg.contains(mark)) show(mark, event); else tip.hidden = true;
      });
      svg.addEventListener("pointerleave", function () { tip.hidden = true; });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") tip.hidden = true;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
