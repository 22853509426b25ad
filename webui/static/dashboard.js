// The dashboard's period selector applies at once (no inline handler: a CSP may forbid those).
document.getElementById("days").addEventListener("change", function () { this.form.submit(); });
