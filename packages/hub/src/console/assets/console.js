// The console's own script (served from the hub, as the CSP requires: no inline script anywhere).
// It does four small things htmx does not: it tells the hub the browser's time zone, turns the hub's
// event stream into htmx triggers so lists refresh themselves, keeps ticked boxes across those
// refreshes, and drives the "select all" box.
(function () {
  'use strict';
  var root = document.documentElement;

  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && root.dataset.tz !== zone && !root.dataset.tzFixed) {
    document.cookie = 'posdiag_tz=' + encodeURIComponent(zone) + '; Path=/; SameSite=Lax; Max-Age=31536000';
  }

  // A burst of events (a region going silent) makes one refresh, not one per event: the first event
  // schedules it, the ones within the next 300 ms ride along, and one after it schedules the next.
  var scheduled = {};
  function trigger(name) {
    if (scheduled[name] || !window.htmx) return;
    scheduled[name] = setTimeout(function () {
      scheduled[name] = null;
      window.htmx.trigger(document.body, name);
    }, 300);
  }

  // Live updates: the hub's alert stream plus this hub's alarm changes (GET /console/events).
  if (document.body.dataset.live !== undefined && window.EventSource) {
    var events = new EventSource('/console/events');
    ['alarm', 'alert', 'cleared'].forEach(function (type) {
      events.addEventListener(type, function () {
        trigger('posdiag:alarm');
      });
    });
    ['silent', 'back'].forEach(function (type) {
      events.addEventListener(type, function () {
        trigger('posdiag:presence');
      });
    });
    events.addEventListener('open', function () {
      root.dataset.live = 'open';
    });
    window.addEventListener('pagehide', function () {
      events.close();
    });
  }

  // Ticked alarms stay ticked when their rows are refreshed.
  var ticked = [];
  document.body.addEventListener('htmx:beforeSwap', function (e) {
    ticked = Array.prototype.map.call(e.detail.target.querySelectorAll('input[name="id"]:checked'), function (box) {
      return box.value;
    });
  });
  document.body.addEventListener('htmx:afterSwap', function (e) {
    ticked.forEach(function (value) {
      var box = e.detail.target.querySelector('input[name="id"][value="' + CSS.escape(value) + '"]');
      if (box) box.checked = true;
    });
  });

  document.body.addEventListener('change', function (e) {
    var all = e.target;
    if (!all || all.id !== 'select-all') return;
    var form = all.form;
    if (!form) return;
    Array.prototype.forEach.call(form.querySelectorAll('input[name="id"]'), function (box) {
      box.checked = all.checked;
    });
  });
})();
