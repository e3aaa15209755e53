/* The scorecard's player: click a flag, a timeline mark or a transcript line to play from there;
   while the call plays, the lines being spoken are highlighted and the timeline's playhead moves.
   Inline in the page (no network, no server); runs only when the page has a recording. */
(function () {
  "use strict";
  var audio = document.getElementById("call-audio");
  if (!audio) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.u[data-t]"));
  var spans = rows.map(function (r) {
    return [parseFloat(r.getAttribute("data-t")), parseFloat(r.getAttribute("data-end"))];
  });
  var svg = document.querySelector("svg.timeline");
  var head = document.getElementById("playhead");
  var follow = document.getElementById("follow");
  var x0 = svg ? parseFloat(svg.getAttribute("data-x0")) : 0;
  var pw = svg ? parseFloat(svg.getAttribute("data-pw")) : 1;
  var dur = svg ? parseFloat(svg.getAttribute("data-dur")) : 1;
  var lit = [];
  var raf = 0;
  var EPS = 0.05; // a line stays lit a moment past its last word, so it does not flicker at the edge

  function seek(t) {
    if (!isFinite(t)) return;
    audio.currentTime = Math.max(0, t);
    var p = audio.play();
    if (p && p.catch) p.catch(function () {}); // a browser may refuse to autoplay: the seek still holds
    update();
  }

  function offscreen(el) {
    var r = el.getBoundingClientRect();
    var bar = document.getElementById("player");
    var top = bar ? bar.getBoundingClientRect().bottom : 0;
    return r.top < top || r.bottom > (window.innerHeight || document.documentElement.clientHeight);
  }

  function update() {
    var t = audio.currentTime;
    var hit = [];
    for (var i = 0; i < spans.length; i++) {
      if (spans[i][0] <= t && t < spans[i][1] + EPS) hit.push(i);
    }
    if (hit.join() !== lit.join()) {
      lit.forEach(function (i) { rows[i].classList.remove("current"); });
      hit.forEach(function (i) { rows[i].classList.add("current"); });
      lit = hit;
      if (hit.length && !audio.paused && follow && follow.checked && offscreen(rows[hit[0]])) {
        rows[hit[0]].scrollIntoView({block: "center"});
      }
    }
    if (head) {
      var x = x0 + pw * Math.max(0, Math.min(t, dur)) / dur;
      head.setAttribute("x1", x.toFixed(1));
      head.setAttribute("x2", x.toFixed(1));
      head.setAttribute("visibility", "visible");
    }
  }

  function tick() {
    update();
    raf = audio.paused ? 0 : window.requestAnimationFrame(tick);
  }

  document.addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest("[data-t]") : null;
    if (el) {
      ev.preventDefault();
      seek(parseFloat(el.getAttribute("data-t")));
      return;
    }
    if (svg && svg.contains(ev.target) && svg.getScreenCTM()) { // the timeline's background: seek by position
      var pt = svg.createSVGPoint();
      pt.x = ev.clientX;
      pt.y = ev.clientY;
      var p = pt.matrixTransform(svg.getScreenCTM().inverse());
      if (p.x >= x0 && p.x <= x0 + pw) seek(dur * (p.x - x0) / pw);
    }
  });
  document.addEventListener("keydown", function (ev) {
    var el = document.activeElement;
    if ((ev.key === "Enter" || ev.key === " ") && el && el.hasAttribute && el.hasAttribute("data-t")) {
      ev.preventDefault();
      seek(parseFloat(el.getAttribute("data-t")));
    }
  });
  ["timeupdate", "seeked", "pause", "ended", "loadedmetadata"].forEach(function (name) {
    audio.addEventListener(name, update);
  });
  audio.addEventListener("play", function () { if (!raf) raf = window.requestAnimationFrame(tick); });
  audio.addEventListener("error", function () {
    var box = document.getElementById("audio-error");
    if (box) box.hidden = false;
  });
})();
