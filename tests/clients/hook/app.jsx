// A customer's React app as Vital's docs show it: useVitalLink from npm @tryvital/vital-link,
// unedited. Every callback the hook passes on is recorded with all its arguments in
// window.events; "Connect" opens the widget with the link token in the page's query string and
// "Leave" calls the hook's exit(options, callback).
import React from "react";
import { createRoot } from "react-dom/client";
import { useVitalLink } from "@tryvital/vital-link";

window.events = [];
const record =
  (name) =>
  (...args) =>
    window.events.push([name, ...args]);

function App() {
  const token = new URLSearchParams(location.search).get("token");
  const { open, exit, ready, error } = useVitalLink({
    env: "sandbox",
    onSuccess: record("onSuccess"),
    onExit: record("onExit"),
    onError: record("onError"),
    onLoad: record("onLoad"),
  });
  return (
    <main>
      <button type="button" disabled={!ready || Boolean(error)} onClick={() => open(token)}>
        Connect
      </button>
      <button type="button" onClick={() => exit({}, record("exited"))}>
        Leave
      </button>
    </main>
  );
}

createRoot(document.getElementById("root")).render(<App />);
