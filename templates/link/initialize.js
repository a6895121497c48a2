// Link embed script, served at /initialize.js (where Vital's React hook loads it from):
// Link.create({token, mode, onSuccess, onExit, onError, onEvent, onLoad}) returns
// {open(token), exit(options), destroy()}; window.Vital.create is the same. It opens the widget
// in an iframe (the default) or a popup ({mode: "popup"}) and turns the widget's messages into
// callbacks, accepting only those from the widget's origin and its own window. The README's
// callback table says what each callback gets, and when.
(function () {
  "use strict";
  var BASE = "{{ origin|escapejs }}";
  var noop = function () {};
  var succeeded = {}; // link sessions whose onSuccess has fired on this page

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
    // Vital's hook counts the widget open from open() until onExit, and its exit() waits for
    // onExit: so every open() is answered by one onExit once exit() is called, even after the
    // widget closed itself on a success.
    var owesExit = false;
    var last = { link_session_id: null, provider: null };

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

    function isOpen() {
      return !!(frame || popup);
    }

    function teardown() {
      window.removeEventListener("message", onMessage);
      clearInterval(watch);
      if (frame) frame.remove();
      if (popup && !popup.closed) popup.close();
      frame = popup = null;
    }

    function exited(metadata) {
      owesExit = false;
      on.exit(metadata);
    }

    // Closed without a word from the widget: its popup closed by hand, or exit() called. After
    // a success that is a HANDOFF (unless the widget already handed off), and onExit only for
    // exit().
    function closed(byApp) {
      var metadata = { link_session_id: last.link_session_id, provider: last.provider };
      var wasOpen = isOpen();
      teardown();
      if (finished) {
        metadata.state = "success";
        if (wasOpen) on.event("HANDOFF", metadata);
        if (byApp) exited(metadata);
        return;
      }
      metadata.state = "error";
      metadata.error_type = "user_cancelled";
      metadata.error = "Closed";
      on.event("EXIT", metadata);
      exited(metadata);
    }

    function onMessage(e) {
      var data = e.data;
      if (e.origin !== BASE || e.source !== widgetWindow() || !data || data.source !== "vital-link") return;
      var metadata = data.metadata || {};
      last.link_session_id = metadata.link_session_id || last.link_session_id;
      last.provider = metadata.provider || last.provider;
      if (data.type === "loaded") {
        if (loaded) return;
        loaded = true;
        on.load(metadata);
        on.event("OPEN", metadata);
      } else if (data.type === "event") {
        on.event(data.name, metadata);
      } else if (data.type === "success") {
        finished = true;
        if (succeeded[metadata.link_session_id]) return; // a refresh or reopen of a finished session
        succeeded[metadata.link_session_id] = true;
        on.success(metadata);
      } else if (data.type === "error") {
        on.event("ERROR", metadata);
        on.error(metadata);
      } else if (data.type === "exit") {
        teardown();
        on.event("EXIT", metadata);
        exited(metadata);
      } else if (data.type === "done") {
        teardown();
        on.event("HANDOFF", metadata);
      }
    }

    function openFrame(url) {
      frame = document.createElement("iframe");
      frame.src = url;
      frame.title = config.title || "Connect a provider";
      frame.allow = "clipboard-write";
      frame.style.cssText = "position:fixed;inset:0;width:100%;height:100%;border:0;z-index:2147483647;background:rgba(0,0,0,.4)";
      if (document.body) document.body.appendChild(frame);
      else document.addEventListener("DOMContentLoaded", function () { document.body.appendChild(frame); });
    }

    function open(token) {
      token = typeof token === "string" ? token : config.token;
      teardown();
      loaded = finished = false;
      owesExit = true;
      last = { link_session_id: null, provider: null };
      window.addEventListener("message", onMessage);
      if (mode === "popup") {
        popup = window.open(widgetUrl(token), "link-widget", "popup,width=480,height=760");
        if (popup) {
          watch = setInterval(function () {
            if (popup && popup.closed) closed(false);
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
        if (owesExit) closed(true);
      },
      destroy: teardown,
    };
  }

  window.Link = { create: create };
  window.Vital = window.Vital || { create: create };
})();
