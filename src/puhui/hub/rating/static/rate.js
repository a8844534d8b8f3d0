/* Puhui hub, rating page: send the rating form with fetch and keep it in the browser while the
   hub cannot be reached; number keys 1..n choose the n-th answer.

   The page works without this file (a plain form POST). With it, each sent form is first kept
   in localStorage (with its one-time client key), then sent; a network error or a 5xx leaves it
   there, the page says how many labels wait, and they are sent again on the "online" event, on
   every page load and every 20 seconds. The hub keeps each client key once, so sending a form
   again never doubles a label. Once sent, the page moves on to the next item. */
(function () {
  "use strict";
  if (!window.fetch || !window.localStorage || !window.URLSearchParams) return; /* plain forms */
  var STORE = "puhui-rate-queue";
  var RETRY_MS = 20000;
  var busy = false;

  function load() {
    try {
      var q = JSON.parse(window.localStorage.getItem(STORE) || "[]");
      return Array.isArray(q) ? q : [];
    } catch (e) {
      return [];
    }
  }

  function save(q) {
    try {
      window.localStorage.setItem(STORE, JSON.stringify(q));
    } catch (e) { /* storage full or off: the form is still sent once */ }
  }

  function show() {
    var box = document.getElementById("queue");
    if (!box) return;
    var n = load().length;
    if (n === 0) {
      box.hidden = true;
      box.textContent = "";
    } else {
      box.textContent = n === 1 ? box.dataset.one : box.dataset.many.replace("%(n)s", String(n));
      box.hidden = false;
    }
  }

  function problem(text) {
    var p = document.getElementById("problem");
    if (p) {
      p.textContent = text;
      p.hidden = !text;
    }
  }

  function send(entry) {
    var body = new URLSearchParams();
    entry.fields.forEach(function (kv) { body.append(kv[0], kv[1]); });
    return fetch(entry.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Puhui-Rate": "1", "Accept": "application/json" }
    }).then(function (r) {
      if (r.status >= 500) throw new Error("hub error " + r.status);
      return r.json().then(
        function (data) { return { status: r.status, data: data }; },
        function () { return { status: r.status, data: {} }; }
      );
    });
  }

  /* Send what waits, oldest first; stop at the first one the hub cannot be reached for. */
  function flush() {
    if (busy) return;
    var q = load();
    if (q.length === 0) { show(); return; }
    busy = true;
    var next = null;
    var sent = 0;
    function step() {
      var queue = load();
      if (queue.length === 0) return finish();
      var entry = queue[0];
      return send(entry).then(function (res) {
        save(load().filter(function (e) { return e.key !== entry.key; }));
        if (res.status >= 400) {
          problem(res.data.detail || ("HTTP " + res.status));
        } else {
          sent += 1;
          next = res.data.next || next;
        }
        return step();
      }, function () {
        busy = false;
        show();
        enable(true);
      });
    }
    function finish() {
      busy = false;
      show();
      if (sent > 0 && next) {
        window.location.assign(next);
      } else {
        enable(true);
      }
    }
    step();
  }

  function enable(on) {
    var form = document.getElementById("rate");
    if (!form) return;
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = !on; });
  }

  function onSubmit(ev) {
    var form = ev.target;
    ev.preventDefault();
    var data = new FormData(form);
    var by = ev.submitter;
    if (by && by.name && !data.has(by.name)) data.append(by.name, by.value);
    var fields = [];
    data.forEach(function (value, name) {
      if (typeof value === "string") fields.push([name, value]);
    });
    var key = String(data.get("key") || "");
    var q = load().filter(function (e) { return e.key !== key; });
    q.push({ url: form.action || window.location.href, key: key, fields: fields });
    save(q);
    problem("");
    enable(false);
    flush();
  }

  function onKey(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    if (t && (t.tagName === "TEXTAREA" || (t.tagName === "INPUT" && t.type !== "radio"))) return;
    var n = parseInt(ev.key, 10);
    var form = document.getElementById("rate");
    if (!form || !(n >= 1 && n <= 9)) return;
    var choices = form.querySelectorAll("button.choice[name]");
    if (choices.length > 0) {
      if (n <= choices.length && !choices[n - 1].disabled) {
        ev.preventDefault();
        choices[n - 1].click();
      }
      return;
    }
    var sets = form.querySelectorAll("fieldset");
    for (var i = 0; i < sets.length; i++) {
      var radios = sets[i].querySelectorAll("input[type=radio]");
      if (radios.length === 0) continue;
      var picked = Array.prototype.some.call(radios, function (r) { return r.checked; });
      if (!picked) {
        if (n <= radios.length) {
          ev.preventDefault();
          radios[n - 1].checked = true;
        }
        return;
      }
    }
  }

  var form = document.getElementById("rate");
  if (form) form.addEventListener("submit", onSubmit);
  document.addEventListener("keydown", onKey);
  window.addEventListener("online", flush);
  window.setInterval(flush, RETRY_MS);
  show();
  flush();
})();
