// Link embed script: Link.create({token, onSuccess, onExit, onError, onEvent, onLoad}) returns
// {open(), exit(), destroy()}; window.Vital.create is the same, for Vital's React hook. It opens
// the widget in an iframe (default) or a popup ({mode: "popup"}) and relays the widget's
// messages, accepting only those from the widget's origin and its own window.
(function () {
  "use strict";
  var BASE = new URL(document.currentScript.src).origin;
  var noop = function () {};

  function create(config) {
    config = config || {};
    var mode = config.mode === "popup" ? "popup" : "iframe";
    var on = {
      success: config.onSuccess || noop,
      exit: config.onExit || noop,
      error: config.onError || noop,
      event: config.onEvent || noop,
      load: config.onLoad || noop,
    };
    var frame = null, popup = null, watch = null, loaded = false, finished = false;

    function widgetUrl(token) {
      var params = new URLSearchParams({ token: token, embed: mode, origin: location.origin });
      if (config.env) params.set("env", config.env);
      if (config.region) params.set("region", config.region);
      if (config.lang) params.set("lang", config.lang);
      return BASE + "/?" + params.toString();
    }

    function widgetWindow() {
      return frame ? frame.contentWindow : popup;
    }

    function teardown() {
      window.removeEventListener("message", onMessage);
      clearInterval(watch);
      if (frame) frame.remove();
      if (popup && !popup.closed) popup.close();
      frame = popup = null;
    }

    function onMessage(e) {
      var data = e.data;
      if (e.origin !== BASE || e.source !== widgetWindow() || !data || data.source !== "vital-link") return;
      var metadata = data.metadata || {};
      on.event(data.type, metadata);
      if (data.type === "loaded") {
        if (!loaded) on.load(metadata);
        loaded = true;
      } else if (data.type === "success") {
        finished = true;
        on.success(metadata);
      } else if (data.type === "error") {
        on.error(metadata);
      } else if (data.type === "exit") {
        teardown();
        on.exit(metadata);
      } else if (data.type === "done") {
        teardown();
      }
    }

    function openFrame(url) {
      frame = document.createElement("iframe");
      frame.src = url;
      frame.title = config.title || "Connect a provider";
      frame.style.cssText = "position:fixed;inset:0;width:100%;height:100%;border:0;z-index:2147483647;background:rgba(0,0,0,.4)";
      if (document.body) document.body.appendChild(frame);
      else document.addEventListener("DOMContentLoaded", function () { document.body.appendChild(frame); });
    }

    function open(token) {
      token = typeof token === "string" ? token : config.token;
      teardown();
      loaded = finished = false;
      window.addEventListener("message", onMessage);
      if (mode === "popup") {
        popup = window.open(widgetUrl(token), "link-widget", "popup,width=480,height=760");
        if (popup) {
          // Closing the popup by hand is an exit too.
          watch = setInterval(function () {
            if (popup && popup.closed) {
              teardown();
              if (!finished) on.exit({ state: "error", error_type: "user_cancelled", error: "Closed" });
            }
          }, 500);
          return;
        }
        mode = "iframe"; // popup blocked: fall back to the iframe rather than fail silently
      }
      openFrame(widgetUrl(token));
    }

    return {
      open: open,
      exit: function () {
        var wasOpen = !!(frame || popup);
        teardown();
        if (wasOpen && !finished) on.exit({ state: "error", error_type: "user_cancelled", error: "Closed" });
      },
      destroy: teardown,
    };
  }

  window.Link = { create: create };
  window.Vital = window.Vital || { create: create };
})();
