/*
 * The demo's "go offline" switch. Load it first, before the SDK.
 *
 * Flipping a flag in the page would prove nothing: the SDK has to *see* the network go away the way
 * it would on a train. So while the switch is on, this script makes the page's network to the
 * Slotwise API (any URL under /v1/) behave exactly like a dead connection:
 *   - fetch() to /v1/… rejects with a TypeError ("Failed to fetch"), as a real network error does;
 *   - navigator.sendBeacon() to /v1/… returns false (the browser refused to queue it);
 *   - navigator.onLine reads false, and the window gets an `offline` event (`online` when it ends).
 * Page loads, styles and images are left alone, so the demo stays usable while "offline" — unlike
 * the browser's real offline mode, which the e2e tests use instead (context.setOffline).
 * The state survives navigation (sessionStorage), like a real outage would.
 */
(function () {
  'use strict';
  var KEY = 'lumen.offline';
  var offline = false;
  try {
    offline = sessionStorage.getItem(KEY) === '1';
  } catch (e) {
    /* storage blocked: start online */
  }

  var realFetch = window.fetch;
  var realBeacon = navigator.sendBeacon;
  var onLine = Object.getOwnPropertyDescriptor(Navigator.prototype, 'onLine');

  function isApi(url) {
    try {
      var href = typeof url === 'string' || url instanceof URL ? String(url) : url.url;
      return new URL(href, location.href).pathname.indexOf('/v1/') === 0;
    } catch (e) {
      return false;
    }
  }

  window.fetch = function (input, init) {
    if (offline && isApi(input)) return Promise.reject(new TypeError('Failed to fetch (Lumen demo: offline switch)'));
    return realFetch.call(window, input, init);
  };

  if (realBeacon) {
    navigator.sendBeacon = function (url, data) {
      if (offline && isApi(url)) return false;
      return realBeacon.call(navigator, url, data);
    };
  }

  if (onLine && onLine.get) {
    Object.defineProperty(navigator, 'onLine', {
      configurable: true,
      get: function () {
        return !offline && onLine.get.call(navigator);
      },
    });
  }

  window.lumenNet = {
    isOffline: function () {
      return offline;
    },
    /** Switch the page's API network off (true) or back on (false). */
    set: function (value) {
      value = !!value;
      if (value === offline) return;
      offline = value;
      try {
        if (offline) sessionStorage.setItem(KEY, '1');
        else sessionStorage.removeItem(KEY);
      } catch (e) {
        /* not persisted: fine */
      }
      window.dispatchEvent(new Event(offline ? 'offline' : 'online'));
    },
  };
})();
