// Quiz countdown: the page states the deadline in text; this only keeps the remaining time current.
(function () {
  "use strict";
  var box = document.querySelector("[data-deadline]");
  if (!box) { return; }
  var deadline = Date.parse(box.getAttribute("data-deadline"));
  var out = box.querySelector(".ln-countdown");
  if (isNaN(deadline) || !out) { return; }
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    out.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    if (left > 0) { window.setTimeout(tick, 1000); }
  }
  tick();
})();
