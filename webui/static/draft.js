// The draft page: follows the draft's status while open, confirms irreversible actions, checks a
// rejection has a comment, and never loses what a reviewer typed — each form is kept in
// sessionStorage when submitted, so after an expired session and a new login the page puts it back.
(function () {
  "use strict";
  var live = document.getElementById("live-state");
  if (!live) return;
  var STASH = "sanshen-stash", MOVED = "sanshen-moved";
  var FAST_MS = 1500, SLOW_MS = 15000;

  function show(text) {
    live.textContent = text;
    live.hidden = false;
  }

  // ---- what was typed: kept on submit, restored once after a login or a refused form
  function fields(form) {
    var values = {};
    form.querySelectorAll("textarea, select, input:not([type=hidden])").forEach(function (el) {
      if (el.name) values[el.name] = el.value;
    });
    return values;
  }

  function typedSomething(form) {
    var values = fields(form);
    return Object.keys(values).some(function (k) { return values[k].trim() !== ""; });
  }

  function stash(form) {
    sessionStorage.setItem(STASH, JSON.stringify({
      path: location.pathname, key: form.dataset.stash, values: fields(form), at: Date.now()
    }));
  }

  function restore() {
    var saved = JSON.parse(sessionStorage.getItem(STASH) || "null");
    if (!saved || saved.path !== location.pathname) return;
    sessionStorage.removeItem(STASH);
    var form = document.querySelector('form[data-stash="' + CSS.escape(saved.key) + '"]');
    if (!form || typedSomething(form) || Date.now() - saved.at > 3600 * 1000) return;
    Object.keys(saved.values).forEach(function (name) {
      var el = form.elements[name];
      if (el && saved.values[name]) el.value = saved.values[name];
    });
    if (typedSomething(form)) {
      var note = document.createElement("p");
      note.className = "warn restored";
      note.textContent = "已恢复您上次未能提交的内容，请确认后重新提交。";
      form.insertBefore(note, form.firstChild);
      form.scrollIntoView({ block: "center" });
    }
  }

  document.querySelectorAll("form[data-stash]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      var required = button && button.dataset.requires && document.getElementById(button.dataset.requires);
      if (required && !required.value.trim()) {
        event.preventDefault();
        required.setCustomValidity(button.dataset.requiresMessage);
        required.reportValidity();
        required.addEventListener("input", function () { required.setCustomValidity(""); }, { once: true });
        return;
      }
      stash(form);
    });
  });

  // ---- irreversible actions ask first
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });

  // ---- follow the draft
  function anyTyped() {
    return Array.prototype.some.call(document.querySelectorAll("form[data-stash]"), typedSomething);
  }

  function changed(state) {
    return state.status !== live.dataset.status || (state.tier || "") !== live.dataset.tier ||
      state.revision !== live.dataset.revision || String(state.round) !== live.dataset.round;
  }

  function describe(state) {
    var text = "稿件状态已更新：" + state.status_label;
    if (state.status === "in_review" && state.tier_label) text += "（" + state.tier_label + "）";
    if (state.status === "returned" && state.note) text += "。" + state.note;
    return text;
  }

  function poll() {
    fetch(live.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.redirected || !response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (state) {
        if (!changed(state)) return schedule();
        if (anyTyped()) {
          // Never reload under someone's typing: say what happened and let them choose.
          show(describe(state) + "。您填写的内容会保留，");
          var again = document.createElement("button");
          again.type = "button";
          again.className = "link";
          again.textContent = "刷新查看";
          again.addEventListener("click", function () {
            document.querySelectorAll("form[data-stash]").forEach(function (f) { if (typedSomething(f)) stash(f); });
            location.reload();
          });
          live.appendChild(again);
          return;
        }
        sessionStorage.setItem(MOVED, describe(state));
        location.reload();
      })
      .catch(function () { setTimeout(poll, SLOW_MS); });
  }

  function schedule() {
    setTimeout(poll, live.dataset.status === "screening" ? FAST_MS : SLOW_MS);
  }

  var moved = sessionStorage.getItem(MOVED);
  if (moved) {
    sessionStorage.removeItem(MOVED);
    show(moved);
  }
  restore();
  var alert = document.querySelector(".error[role=alert]");
  if (alert) alert.scrollIntoView({ block: "center" });
  if (["screening", "in_review", "approved"].indexOf(live.dataset.status) >= 0) schedule();
})();
