// The widget's little bit of script: it tells the embedding page what happened (postMessage to
// the embedding origin only), opens OAuth in a popup when framed, and shows/hides passwords.
// Everything it enhances also works without it.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var origin = root.dataset.linkOrigin;
  var embed = root.dataset.linkEmbed;
  var parentWindow = embed === "iframe" ? window.parent : window.opener;
  var POPUP_ORIGIN_KEY = "vital-link-origin";

  if (embed === "popup" && origin) {
    // Kept for the OAuth return page, which the vendor opens in this same window.
    sessionStorage.setItem(POPUP_ORIGIN_KEY, origin);
  }

  function post(message, target, targetOrigin) {
    if (target && target !== window && targetOrigin) {
      message.source = "vital-link";
      target.postMessage(message, targetOrigin);
    }
  }

  function flushEvents() {
    var node = document.getElementById("link-event");
    if (!node) return;
    node.remove();
    post(JSON.parse(node.textContent), parentWindow, origin);
  }

  function openerIsWidget() {
    try {
      return !!(window.opener && window.opener.document.documentElement.dataset.linkWidget !== undefined);
    } catch (e) {
      return false; // a cross-origin opener: the customer's page
    }
  }

  function oauthDone() {
    var done = document.getElementById("oauth-done");
    if (!done || !window.opener) return;
    if (openerIsWidget()) {
      // Framed widget: it opened us as a popup; tell it, then go away.
      window.opener.postMessage({ source: "link-oauth" }, location.origin);
      window.close();
      return;
    }
    var event = JSON.parse(done.textContent);
    post(event, window.opener, sessionStorage.getItem(POPUP_ORIGIN_KEY));
  }

  function checkNow() {
    var waiting = document.querySelector("[data-oauth-wait]");
    if (waiting && window.htmx) htmx.trigger(waiting, "check");
  }

  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-close-window]")) return window.close();
    var toggle = e.target.closest("[data-toggle-password]");
    if (toggle) {
      var input = document.getElementById(toggle.getAttribute("aria-controls"));
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      toggle.setAttribute("aria-pressed", String(show));
      return;
    }
    var oauth = e.target.closest("[data-oauth-popup]");
    // Framed: the vendor opens in a popup while the link itself moves on to the waiting step,
    // which offers a new tab if the popup was blocked.
    if (oauth) window.open(oauth.dataset.oauthPopup, "link-oauth", "popup,width=520,height=720");
  });

  window.addEventListener("message", function (e) {
    if (e.origin === location.origin && e.data && e.data.source === "link-oauth") checkNow();
  });

  document.addEventListener("htmx:afterSettle", function (e) {
    flushEvents();
    if (e.detail.target && e.detail.target.id === "panel") {
      var heading = document.querySelector("#panel h1");
      if (heading) heading.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    post({ type: "loaded", metadata: {} }, parentWindow, origin);
    flushEvents();
    oauthDone();
  });
})();
