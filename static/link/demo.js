// The demo customer app: asks its backend for a link token when you connect, opens Link in a
// popup or an iframe with it, and lists the callbacks it gets.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var log = document.getElementById("callbacks");
  var form = document.getElementById("connect");

  function record(name) {
    return function (metadata) {
      var item = document.createElement("li");
      item.dataset.callback = name;
      item.textContent = name + " " + JSON.stringify(metadata || {});
      log.appendChild(item);
    };
  }

  form.addEventListener("click", function (e) {
    var button = e.target.closest("[data-mode]");
    if (!button) return;
    var body = new FormData(form);
    body.set("mode", button.dataset.mode);
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        Link.create({
          mode: button.dataset.mode,
          onLoad: record("onLoad"),
          onSuccess: record("onSuccess"),
          onError: record("onError"),
          onExit: record("onExit"),
          onEvent: function (name, metadata) { record("onEvent:" + name)(metadata); },
        }).open(answer.link_token);
      });
  });
})();
