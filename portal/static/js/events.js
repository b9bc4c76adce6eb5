// Each viewer's own time beside an event's planned zone (the page is the same for everyone).
(() => {
  const format = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  });
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const time of document.querySelectorAll("time[data-local-time]")) {
    const start = new Date(time.getAttribute("datetime"));
    if (Number.isNaN(start.getTime())) continue;
    const endValue = time.dataset.localEnd;
    let text = format.format(start);
    if (endValue) {
      const end = new Date(endValue);
      text = `${format.format(start)} to ${format.format(end)} (${zone.replaceAll("_", " ")})`;
    }
    time.textContent = text;
    time.title = "In your time zone";
    const wrapper = time.closest(".event__local");
    if (wrapper) wrapper.hidden = false;
  }
})();
