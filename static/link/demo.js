// The demo customer app: opens Link in a popup or an iframe and lists the callbacks it gets.
(function () {
  "use strict";
  var log = document.getElementById("callbacks");

  function record(name) {
    return function (metadata) {
      var item = document.createElement("li");
      item.dataset.callback = name;
      item.textContent = name + " " + JSON.stringify(metadata || {});
      log.appendChild(item);
    };
  }

  function connect(mode) {
    var button = document.getElementById("connect-" + mode);
    var link = Link.create({
      token: button.dataset.token,
      mode: mode,
      onLoad: record("onLoad"),
      onSuccess: record("onSuccess"),
      onError: record("onError"),
      onExit: record("onExit"),
      onEvent: function (name, metadata) { record("onEvent:" + name)(metadata); },
    });
    button.addEventListener("click", function () { link.open(); });
  }

  connect("popup");
  connect("iframe");
})();
