// Live screening in the draft editor: after a pause in typing, POST the text to /drafts/preview and
// show each finding highlighted in place, with its rule and explanation. User text only ever goes
// into text nodes (createTextNode / textContent), never innerHTML, so "<script>" stays text.
(function () {
  "use strict";
  var panel = document.getElementById("live");
  var form = document.getElementById("draft-form");
  if (!panel || !form) return;
  var DEBOUNCE_MS = 600;
  var labels = JSON.parse(document.getElementById("live-labels").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var title = document.getElementById("f-title");
  var body = document.getElementById("f-body");
  var status = document.getElementById("live-status");
  var summary = document.getElementById("live-summary");
  var accept = document.getElementById("accept-deidentified");
  var list = document.getElementById("live-findings");
  var views = { title: document.getElementById("live-title"), body: document.getElementById("live-body") };
  var timer = null, sequence = 0, latest = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function repost() {
    if (!document.getElementById("f-repost").checked) return null;
    var data = {};
    form.querySelectorAll("[data-repost]").forEach(function (input) { data[input.dataset.repost] = input.value; });
    return data;
  }

  function schedule() {
    clearTimeout(timer);
    status.textContent = "输入中…";
    timer = setTimeout(run, DEBOUNCE_MS);
  }

  function run() {
    var mine = ++sequence;
    var payload = { title: title.value, body: body.value,
                    disclosure: document.getElementById("f-disclosure").checked, repost: repost() };
    if (!payload.title.trim() && !payload.body.trim()) { render(null); status.textContent = "输入后自动检查"; return; }
    status.textContent = "检查中…";
    fetch(panel.dataset.previewUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (reply) {
      if (mine !== sequence) return; // a newer request is on its way; drop this stale answer
      if (!reply.ok) { status.textContent = reply.data.message || "检查失败"; return; }
      latest = reply.data;
      render(latest);
      status.textContent = "已检查 " + new Date().toLocaleTimeString("zh-CN", { hour12: false });
    }).catch(function () {
      if (mine === sequence) status.textContent = "检查失败，请检查网络后继续输入重试";
    });
  }

  // Text with findings marked by offsets; overlapping spans are cut so every character shows once.
  function highlight(container, text, findings) {
    container.textContent = "";
    var spans = findings.slice().sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    var cursor = 0;
    spans.forEach(function (f) {
      var start = Math.max(f.start, cursor);
      if (start >= f.end) return;
      if (start > cursor) container.appendChild(document.createTextNode(text.slice(cursor, start)));
      var mark = el("mark", f.action, text.slice(start, f.end));
      mark.title = ruleOf(f) + "：" + f.message;
      mark.dataset.index = f.index;
      container.appendChild(mark);
      cursor = f.end;
    });
    if (cursor < text.length) container.appendChild(document.createTextNode(text.slice(cursor)));
  }

  function ruleOf(f) {
    // A category's own name (wordlist @name) first: one an administrator added has no built-in label.
    var name = (f.details && f.details.name) || labels.categories[f.category] || f.category;
    return (labels.checks[f.check] || f.check) + " · " + name;
  }

  function render(result) {
    list.textContent = "";
    views.title.textContent = "";
    views.body.textContent = "";
    accept.hidden = true;
    if (!result) { summary.textContent = "停止输入约半秒后，按当前词库检查全文。"; return; }
    var findings = result.findings.map(function (f, i) { return Object.assign({ index: i }, f); });
    var route = result.route.map(function (t) { return labels.tiers[t] || t; }).join(" → ");
    summary.textContent = findings.length
      ? "发现 " + findings.length + " 处问题；敏感级别：" + (labels.sensitivity[result.sensitivity] || result.sensitivity) +
        (result.sensitivity === "blocked" ? "：提交后将退回，请修改；确需发布须填写人工复核理由"
                                           : (route ? "；审签路径：" + route : ""))
      : "未发现问题；审签路径：" + route;
    summary.className = findings.some(function (f) { return f.action === "block"; }) ? "error" : (findings.length ? "warn" : "ok");
    // highlights: a copy is marked region by region, not from its first to its last copied line.
    var marks = result.highlights || findings;
    highlight(views.title, result.title, marks.filter(function (f) { return f.field === "title"; }));
    highlight(views.body, result.body, marks.filter(function (f) { return f.field === "body"; }));
    findings.forEach(function (f) {
      var item = el("li", "finding " + f.action);
      item.dataset.index = f.index;
      item.appendChild(el("span", "tag " + f.action, labels.actions[f.action] || f.action));
      item.appendChild(el("span", "rule", ruleOf(f)));
      item.appendChild(el("strong", "", (f.field === "title" ? "标题" : "正文") + "：“" + f.text + "”"));
      item.appendChild(el("div", "message", f.message));
      item.addEventListener("click", function () { select(f); });
      list.appendChild(item);
    });
    var d = result.deidentified || {};
    accept.hidden = !((d.title !== undefined && d.title !== result.title) || (d.body !== undefined && d.body !== result.body));
  }

  // Clicking a finding selects its text in the field, so the editor can fix it directly.
  function select(f) {
    var input = f.field === "title" ? title : body;
    if (input.value !== latest[f.field]) return;
    input.focus();
    input.setSelectionRange(f.start, f.end);
  }

  accept.addEventListener("click", function () {
    if (!latest) return;
    if (title.value !== latest.title || body.value.replace(/\r\n/g, "\n") !== latest.body) { run(); return; }
    title.value = latest.deidentified.title;
    body.value = latest.deidentified.body;
    run();
  });

  form.addEventListener("input", function (event) {
    if (event.target.name === "channel_id" || event.target.name === "override_reason") return;
    schedule();
  });
  form.addEventListener("change", function (event) {
    if (event.target.type === "checkbox") schedule();
  });
  if (title.value || body.value) run();
})();
