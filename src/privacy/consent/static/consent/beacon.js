/* First-party page analytics (performance): rendered only when performance is granted.
   Sends the path and whether a visit started; the server keeps counts per day only. */
(function () {
  var s = document.currentScript, url = s && s.dataset.endpoint;
  if (!url) return;
  var fresh = document.cookie.split("; ").every(function (c) { return c.indexOf("_sw_pa=") !== 0; });
  document.cookie = "_sw_pa=1; max-age=1800; path=/; SameSite=Lax";
  var body = JSON.stringify({path: location.pathname, new_visit: fresh});
  if (navigator.sendBeacon) navigator.sendBeacon(url, new Blob([body], {type: "application/json"}));
  else fetch(url, {method: "POST", body: body, headers: {"Content-Type": "application/json"}, keepalive: true});
})();
