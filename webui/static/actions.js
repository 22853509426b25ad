// Page behaviour that the Content-Security-Policy keeps out of inline attributes and scripts.
(function () {
  var print = document.getElementById("print");
  if (print) print.addEventListener("click", function () { window.print(); });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
