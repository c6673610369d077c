// The Slotwise async snippet (sdk/script-tag.ts), as an external file because the demo's CSP
// allows no inline script. It defines `slotwise` as a queue of calls until /slotwise.min.js has
// loaded and replays them; after that `window.slotwise` is the real client.
window.slotwise = window.slotwise || [];
['track', 'page', 'identify', 'setConsent', 'setPersonalization', 'reset', 'use', 'on', 'flush'].forEach(function (m) {
  slotwise[m] =
    slotwise[m] ||
    function () {
      slotwise.push([m].concat([].slice.call(arguments)));
    };
});
