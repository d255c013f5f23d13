// The contents sidebar marks the section being read (aria-current), so a reader always sees
// where they are in a long report. Progressive: without JavaScript the sidebar still works.
(function () {
  "use strict";
  function start() {
    var links = {};
    document.querySelectorAll("#TOC a[href^='#']").forEach(function (link) {
      links[decodeURIComponent(link.getAttribute("href").slice(1))] = link;
    });
    var sections = Array.prototype.filter.call(
      document.querySelectorAll("main section[id]"), function (s) { return links[s.id]; });
    if (!sections.length || !("IntersectionObserver" in window)) return;
    var current = null;
    function mark() {
      // The last section whose top has passed a line near the top of the window.
      var line = window.innerHeight * 0.25, best = sections[0];
      sections.forEach(function (s) { if (s.getBoundingClientRect().top <= line) best = s; });
      if (best === current) return;
      if (current) links[current.id].removeAttribute("aria-current");
      current = best;
      links[current.id].setAttribute("aria-current", "true");
    }
    var observer = new IntersectionObserver(mark, { rootMargin: "0px 0px -70% 0px" });
    sections.forEach(function (s) { observer.observe(s); });
    window.addEventListener("scroll", mark, { passive: true });
    mark();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
