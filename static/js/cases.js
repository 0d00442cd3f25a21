// Case page: ask before steps that close a case; the page works without this script.
(function () {
  var closing = { refuse: 1, county_refuse: 1, stop: 1, terminate: 1 };
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form.transition")) return;
    var action = form.querySelector("input[name=action]").value;
    if (closing[action] && !window.confirm(form.querySelector("button[type=submit]").textContent.trim() + "?")) {
      event.preventDefault();
    }
  });
})();
