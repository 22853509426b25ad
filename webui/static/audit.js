// Loads the hash-chain verification after the trail renders: walking the chain reads every event,
// and the page should not wait for it. The fragment is server-rendered HTML from our own origin.
(function () {
  "use strict";
  var box = document.getElementById("integrity");
  if (!box) return;
  fetch(box.dataset.url, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
    .then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      box.replaceChildren.apply(box, Array.prototype.slice.call(doc.body.childNodes));
    })
    .catch(function () { box.querySelector("p").textContent = "审计链校验结果加载失败，请刷新页面"; });
})();
