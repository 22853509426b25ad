// Counts down every [data-deadline] once a second; overdue ones turn red.
(function () {
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = new Date(el.dataset.deadline) - new Date();
      var abs = Math.abs(left), m = Math.floor(abs / 60000), s = Math.floor(abs % 60000 / 1000);
      var text = (m >= 60 ? Math.floor(m / 60) + " 小时 " + (m % 60) + " 分" : m + " 分 " + s + " 秒");
      el.textContent = left >= 0 ? "剩余 " + text : "已超时 " + text;
      el.classList.toggle("overdue", left < 0);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
