// Refrain share page: reports listening time so licensed plays are paid.
// No third-party code; nothing but a signed token, a counter and a timestamp leaves the page.
(function () {
  "use strict";
  var box = document.getElementById("player");
  var audio = document.getElementById("audio");
  if (!box || !audio || !window.fetch) { return; }
  var token = box.getAttribute("data-token");
  var endpoint = box.getAttribute("data-beacon");
  var everyMs = Math.max(1000, Number(box.getAttribute("data-every")) * 1000);
  var started = false, playing = false, listenedMs = 0, since = 0, timer = null;
  var chain = Promise.resolve();

  function listened() {
    return Math.round(listenedMs + (playing ? performance.now() - since : 0));
  }
  function post(kind, ms, at, keepalive) {
    var body = JSON.stringify({ t: token, k: kind, ms: ms, at: at });
    return fetch(endpoint, {
      method: "POST", body: body, keepalive: keepalive, credentials: "same-origin",
      headers: { "Content-Type": "application/json" }
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j && j.t) { token = j.t; } })
      .catch(function () {});
  }
  // Beacons go one after the other (each answer carries the token for the next), but what
  // they report is read when they are sent, not when their turn comes.
  function send(kind) {
    var ms = listened(), at = Date.now();
    chain = chain.then(function () { return post(kind, ms, at, false); });
  }
  function stopClock() {
    if (playing) { listenedMs += performance.now() - since; playing = false; }
  }
  function finish(leaving) {
    if (!started) { return; }
    stopClock();
    started = false;
    clearInterval(timer);
    timer = null;
    if (leaving) { post("end", listened(), Date.now(), true); } else { send("end"); }
    listenedMs = 0;
  }
  audio.addEventListener("playing", function () {
    if (!started) { started = true; listenedMs = 0; send("start"); }
    if (!playing) { playing = true; since = performance.now(); }
    if (!timer) { timer = setInterval(function () { if (playing) { send("progress"); } }, everyMs); }
  });
  audio.addEventListener("pause", stopClock);
  audio.addEventListener("waiting", stopClock);
  audio.addEventListener("ended", function () { finish(false); });
  window.addEventListener("pagehide", function () { finish(true); });
})();
