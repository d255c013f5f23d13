// Interactive charts: where JavaScript runs, each chart's Vega-Lite spec replaces its SVG
// fallback (the same drawing, plus tooltips). Without JavaScript, or in print, the SVG stays.
(function () {
  "use strict";
  function embed() {
    if (typeof window.vegaEmbed !== "function") return;
    document.querySelectorAll(".vega-chart").forEach(function (container) {
      var source = container.querySelector("script.vega-spec");
      var fallback = container.querySelector(".chart-fallback");
      if (!source || !fallback) return;
      var target = document.createElement("div");
      target.className = "chart-interactive";
      target.setAttribute("role", "img");
      target.setAttribute("aria-label", fallback.getAttribute("aria-label") || "");
      container.appendChild(target);
      var embed = JSON.parse(source.textContent);
      window
        .vegaEmbed(target, embed.spec, {
          actions: false, renderer: "svg", formatLocale: embed.formatLocale,
          timeFormatLocale: embed.timeFormatLocale,
        })
        .then(function () { fallback.hidden = true; })
        .catch(function (error) {
          target.remove();
          console.warn("chart " + container.dataset.chart + " stays static: " + error);
        });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", embed);
  } else {
    embed();
  }
})();
