// What an operator would see as a broken page, measured rather than pixel-diffed. Returns the
// problems found, none when the page is sound:
// - the page scrolls sideways;
// - a box shows less than its content (cut off, or scrolled sideways), or a card or a table
//   cell has content spilling out of it; form fields, which scroll their own text, and text
//   for screen readers only (clipped to nothing on purpose) are left out;
// - two boxes of the page's layout overlap (cards, sidebars, filters, lists, fieldsets).
() => {
  const problems = [];
  const name = (el) =>
    (el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`) +
    ` "${el.innerText.trim().replace(/\s+/g, " ").slice(0, 30)}"`;
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) {
    problems.push(`the page scrolls sideways: ${root.scrollWidth} px in ${root.clientWidth}`);
  }
  const clipped = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.clipPath !== "none" || style.clip !== "auto") return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll("#container *")) {
    if (el.matches("input, select, textarea, option") || !el.checkVisibility()) continue;
    const style = getComputedStyle(el);
    const boxed = style.overflowX !== "visible" || el.matches(".console-card, th, td");
    if (!boxed || style.display.startsWith("inline") || clipped(el)) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      problems.push(`${name(el)} shows ${el.clientWidth} px of ${el.scrollWidth}`);
    }
  }
  const layout = [
    ".console-card", ".console-filters", "#content-main > .app-list", "#content-related",
    "#nav-sidebar", "#changelist-filter", "#changelist-form", "#toolbar", "fieldset.module",
    ".inline-group", ".submit-row",
  ];
  const boxes = [...document.querySelectorAll(layout.join(","))]
    .filter((el) => el.checkVisibility())
    .map((el) => [el, el.getBoundingClientRect()]);
  for (const [i, [a, ra]] of boxes.entries()) {
    for (const [b, rb] of boxes.slice(i + 1)) {
      if (a.contains(b) || b.contains(a)) continue;
      const apart =
        ra.right <= rb.left + 1 || rb.right <= ra.left + 1 ||
        ra.bottom <= rb.top + 1 || rb.bottom <= ra.top + 1;
      if (!apart) problems.push(`${name(a)} overlaps ${name(b)}`);
    }
  }
  return problems;
}
