// reportkit preview: reload when the report was rebuilt; show render errors over the last
// good report instead of replacing it.
(function () {
  "use strict";
  var seen = null;
  var key = "reportkit-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) { window.scrollTo(0, parseFloat(saved)); sessionStorage.removeItem(key); }

  function overlay(message) {
    var box = document.getElementById("reportkit-error");
    if (!message) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "reportkit-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:1rem;right:1rem;bottom:1rem;z-index:1000;" +
        "background:#7f1d1d;color:#fff;padding:1rem 1.25rem;border-radius:6px;" +
        "font:14px/1.4 ui-monospace,monospace;box-shadow:0 4px 18px rgba(0,0,0,.35);" +
        "white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "reportkit: the last render failed; showing the last good report.\n\n" +
      "error: " + message;
  }

  function poll() {
    fetch("/__reportkit__/status", { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (seen === null) { seen = status.version; overlay(status.error); return; }
        if (status.version !== seen) {
          seen = status.version;
          if (status.error) { overlay(status.error); return; }
          sessionStorage.setItem(key, String(window.scrollY));
          location.reload();
        }
      })
      .catch(function () { /* preview stopped: keep the page as it is */ })
      .finally(function () { setTimeout(poll, 500); });
  }
  poll();
})();
