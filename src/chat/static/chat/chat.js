// Live chat without reloading: every few seconds ask the server for the messages after the
// last one shown, and send the form with fetch. Everything a person wrote goes into the
// page with textContent, never innerHTML, so a message is always shown as the text it is.
// Without this script the page still works: the form posts and the page reloads.
(function () {
  "use strict";
  var list = document.getElementById("chat-thread");
  if (!list || !window.fetch) return;
  var form = document.getElementById("chat-form");
  var status = document.getElementById("chat-status");
  var pollUrl = list.dataset.pollUrl || "";
  var after = parseInt(list.dataset.after || "0", 10) || 0;
  var interval = (parseInt(list.dataset.interval || "3", 10) || 3) * 1000;
  var busy = false;
  var timer = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function size(bytes) {
    var units = ["bytes", "KB", "MB", "GB"];
    var n = bytes, i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }

  function attachment(a) {
    var item = el("li", "chat-file " + a.kind);
    if (a.kind === "image") {
      var link = el("a");
      link.href = a.url;
      var img = el("img");
      img.src = a.url;
      img.alt = a.name;
      img.loading = "lazy";
      if (a.width) img.width = a.width;
      if (a.height) img.height = a.height;
      link.appendChild(img);
      item.appendChild(link);
    } else if (a.kind === "audio" || a.kind === "video") {
      var media = el(a.kind);
      media.controls = true;
      media.preload = "none";
      media.src = a.url;
      item.appendChild(media);
    }
    var download = el("a", "chat-download", a.name);
    download.href = a.url;
    download.setAttribute("download", "");
    item.appendChild(download);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(el("span", "muted", size(a.size)));
    return item;
  }

  function message(m) {
    var item = el("li", "chat-msg" + (m.mine ? " mine" : "") + (m.from_staff ? " staff" : ""));
    item.dataset.seq = String(m.seq);
    var head = el("header");
    head.appendChild(el("span", "chat-author", m.author));
    head.appendChild(document.createTextNode(" · "));
    var time = el("time", null, new Date(m.created_at).toLocaleString());
    time.setAttribute("datetime", m.created_at);
    head.appendChild(time);
    if (m.mine) {
      head.appendChild(document.createTextNode(" "));
      head.appendChild(el("span", "chat-read" + (m.read ? " seen" : ""), list.dataset.readLabel || "Read"));
    }
    item.appendChild(head);
    if (m.body) item.appendChild(el("p", "chat-body", m.body));
    if (m.attachments.length) {
      var files = el("ul", "chat-files");
      m.attachments.forEach(function (a) { files.appendChild(attachment(a)); });
      item.appendChild(files);
    }
    return item;
  }

  function atBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  function show(messages) {
    var follow = atBottom();
    messages.forEach(function (m) {
      if (m.seq <= after) return;
      var empty = document.getElementById("chat-empty");
      if (empty) empty.remove();
      list.appendChild(message(m));
      after = m.seq;
    });
    if (follow || messages.some(function (m) { return m.mine; })) list.scrollTop = list.scrollHeight;
  }

  function markRead(through) {
    list.querySelectorAll(".chat-msg.mine .chat-read").forEach(function (label) {
      var seq = parseInt(label.closest(".chat-msg").dataset.seq, 10);
      if (seq <= through) label.classList.add("seen");
    });
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(poll, delay === undefined ? interval : delay);
  }

  function poll() {
    if (!pollUrl) return;
    if (busy) { schedule(250); return; }
    if (document.hidden) { schedule(); return; }
    busy = true;
    fetch(pollUrl + "?after=" + after, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        show(data.messages);
        markRead(data.read_through);
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { busy = false; schedule(); });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      if (!window.FormData) return;
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      status.textContent = "";
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.status === 201, body: body }; });
        })
        .then(function (result) {
          if (!result.ok) {
            var problems = result.body.errors ? Object.values(result.body.errors).flat() : [];
            status.textContent = [result.body.detail].concat(problems).join(" ");
            return;
          }
          form.reset();
          if (!pollUrl) { window.location.reload(); return; }  // the first message started the thread
          poll();  // shows the new message with anything that arrived before it, in order
        })
        .catch(function () { status.textContent = list.dataset.offline || "Could not send."; })
        .then(function () { button.disabled = false; });
    });
  }

  document.addEventListener("visibilitychange", function () { if (!document.hidden) schedule(0); });
  list.scrollTop = list.scrollHeight;
  schedule();
})();
