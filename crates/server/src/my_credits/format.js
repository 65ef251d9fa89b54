// My Credits: amounts and days written exactly by the server, shown in the buyer's locale.
(function () {
  "use strict";
  var locale = navigator.language || "en";
  function run() {
    document.querySelectorAll("data.money").forEach(function (el) {
      var value = Number(el.getAttribute("value"));
      var currency = el.getAttribute("data-currency");
      try {
        el.textContent = new Intl.NumberFormat(locale, { style: "currency", currency: currency }).format(value);
      } catch (e) {
        el.textContent = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
      }
    });
    document.querySelectorAll("time.day").forEach(function (el) {
      var at = new Date(el.getAttribute("datetime"));
      if (!isNaN(at)) {
        el.textContent = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(at);
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
