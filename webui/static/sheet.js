// 审签单: the print button (kept out of the page so a Content-Security-Policy can forbid inline scripts).
document.getElementById("print").addEventListener("click", function () { window.print(); });
