// The widget's little bit of script: it tells the embedding page what happens (postMessage to
// the embedding origin only; the embed script turns the messages into callbacks), opens an
// embedded widget's OAuth sign-in in a window of its own, copies links and shows/hides
// passwords. Everything it enhances also works without it.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var origin = root.dataset.linkOrigin;
  var embed = root.dataset.linkEmbed;
  var session = root.dataset.linkSession || null;
  var embedder = embed === "iframe" ? window.parent : embed === "popup" ? window.opener : null;

  function post(message) {
    if (embedder && embedder !== window && origin) {
      message.source = "vital-link";
      embedder.postMessage(message, origin);
    }
  }

  function event(name, provider) {
    post({ type: "event", name: name, metadata: { link_session_id: session, provider: provider || null } });
  }

  function flushEvents() {
    var node = document.getElementById("link-events");
    if (!node) return;
    node.remove();
    JSON.parse(node.textContent).forEach(post);
  }

  function openerIsWidget() {
    try {
      return !!(window.opener && window.opener.document.documentElement.dataset.linkWidget !== undefined);
    } catch (e) {
      return false; // a cross-origin opener: not a window of ours
    }
  }

  // The vendor's return page, in the window an embedded widget opened for the sign-in: wake
  // the widget (it also polls, for a vendor that cut this window off from it), then close.
  function oauthDone() {
    var done = document.getElementById("oauth-done");
    if (!done) return;
    var wakes = openerIsWidget();
    if (wakes) window.opener.postMessage({ source: "link-oauth" }, location.origin);
    if (wakes || done.dataset.embedded !== undefined) window.close();
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
    var copy = e.target.closest("[data-copy]");
    if (copy) {
      var field = document.getElementById(copy.dataset.copy);
      field.select();
      if (navigator.clipboard) navigator.clipboard.writeText(field.value).catch(function () {});
      return;
    }
    var tracked = e.target.closest("a[data-link-event]");
    if (tracked) event(tracked.dataset.linkEvent, tracked.dataset.provider);
    var oauth = e.target.closest("[data-oauth-popup]");
    // Embedded: the vendor opens in a window of its own while the widget moves on to the
    // waiting step, which offers a new tab if the window was blocked.
    if (oauth) window.open(oauth.dataset.oauthPopup, "link-oauth", "popup,width=520,height=720");
  });

  document.addEventListener("submit", function (e) {
    var form = e.target.closest("form[data-link-event]");
    if (form) event(form.dataset.linkEvent, form.dataset.provider);
  });

  window.addEventListener("message", function (e) {
    if (e.origin === location.origin && e.data && e.data.source === "link-oauth") checkNow();
  });

  document.addEventListener("htmx:afterSettle", function (e) {
    flushEvents();
    if (e.detail.target && e.detail.target.id === "panel") {
      var heading = document.querySelector("#panel h1");
      if (heading) heading.focus();
      searchTypedEarly(); // (a new field: the results' own swaps do not come here)
    }
  });

  // Text typed in a new search field before htmx listened to it (while the page still loaded,
  // or in the moment between a swap and htmx's settling) went by unsearched.
  function searchTypedEarly() {
    var search = document.querySelector("input[type=search][hx-get]");
    if (search && window.htmx && search.value !== search.defaultValue) htmx.trigger(search, "search");
  }

  document.addEventListener("DOMContentLoaded", function () {
    post({ type: "loaded", metadata: { link_session_id: session, provider: null } });
    flushEvents();
    oauthDone();
    searchTypedEarly();
  });
})();
