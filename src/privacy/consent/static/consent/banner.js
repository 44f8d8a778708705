/* Cookie banner: a modal dialog with a focus trap, choices sent to the JSON API, GPC.
   Without this script the same form posts to /consent/ and works. */
(function () {
  "use strict";
  var d = document, cc = d.getElementById("cc");
  if (!cc) return;
  var form = cc.querySelector("form"), closer = cc.querySelector("[data-cc-close]");
  var inline = cc.classList.contains("cc-inline"), decided = cc.dataset.decided === "1";
  var gpc = navigator.globalPrivacyControl === true, opener = null;
  var SEL = "button:not([disabled]):not([hidden]),summary,input:not([disabled]),a[href]";

  function each(sel, fn) { Array.prototype.forEach.call(d.querySelectorAll(sel), fn); }
  function post(body) {
    var t = form.querySelector("[name=csrfmiddlewaretoken]");
    return fetch("/api/consent/", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": t ? t.value : ""},
      body: JSON.stringify(body)
    }).then(function (r) { if (!r.ok) throw r; return r.json(); });
  }
  function focusables() {
    return Array.prototype.filter.call(cc.querySelectorAll(SEL), function (e) {
      return e.checkVisibility ? e.checkVisibility() : e.offsetParent !== null;
    });
  }
  function show(from) {
    opener = from || d.activeElement;
    if (cc.open) cc.close();
    cc.showModal();
    if (closer) closer.hidden = !decided;
    cc.focus();
  }
  function hide() {
    cc.close();
    if (opener && opener.focus) opener.focus();
  }

  cc.setAttribute("tabindex", "-1");
  cc.addEventListener("keydown", function (e) {
    if (e.key !== "Tab" || inline) return;
    var f = focusables(), first = f[0], last = f[f.length - 1];
    if (!f.length) return;
    if (e.shiftKey && (d.activeElement === first || d.activeElement === cc)) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && d.activeElement === last) { e.preventDefault(); first.focus(); }
  });
  cc.addEventListener("cancel", function (e) {
    e.preventDefault();
    if (decided) hide();  /* a first visit needs an answer: Reject all is one key away */
  });
  if (closer) closer.addEventListener("click", hide);

  form.addEventListener("submit", function (e) {
    var b = e.submitter;
    if (!b || !window.fetch) return;
    e.preventDefault();
    var cats = Array.prototype.map.call(form.querySelectorAll("input[name=category]:checked:not([disabled])"),
      function (i) { return i.value; });
    post({method: b.value, categories: cats, banner: cc.dataset.banner, gpc: gpc}).then(function (res) {
      if (window.gtag) window.gtag("consent", "update", res.consent_mode);
      if (inline) { location.assign(location.pathname + "?saved=1"); return; }
      if (res.changed) {
        try { sessionStorage.setItem("cc-focus", opener && opener.hasAttribute("data-cc-open") ? "1" : ""); } catch (x) {}
        location.reload();
      } else { decided = true; cc.dataset.decided = "1"; hide(); }
    }).catch(function () {
      var h = d.createElement("input");
      h.type = "hidden"; h.name = "method"; h.value = b.value;
      form.appendChild(h); form.submit();
    });
  });

  each("[data-cc-open]", function (a) {
    a.addEventListener("click", function (e) { if (!inline) { e.preventDefault(); show(a); } });
  });
  try {
    if (sessionStorage.getItem("cc-focus") === "1") { var a = d.querySelector("[data-cc-open]"); if (a) a.focus(); }
    sessionStorage.removeItem("cc-focus");
  } catch (x) {}

  if (gpc) {
    var held = (cc.dataset.gpcCategories || "").split(" ");
    each("[data-cc-honored]", function (el) { el.hidden = false; });
    each("#cc input[name=category]", function (i) { if (held.indexOf(i.value) >= 0) { i.checked = false; i.disabled = true; } });
    var granted = (cc.dataset.granted || "").split(" ");
    var takeBack = decided && cc.dataset.gpc !== "1" && held.some(function (c) { return c && granted.indexOf(c) >= 0; });
    if (takeBack) { post({method: "gpc", gpc: true}).then(function () { location.reload(); }); return; }
  }
  if (cc.open && !inline && !decided) show(null);
})();
