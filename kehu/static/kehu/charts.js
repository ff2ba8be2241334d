// Dashboard charts: each panel embeds its figures as JSON (<script type="application/json">,
// no inline script under the Content-Security-Policy) beside an element with data-chart
// naming it. Drawn with the vendored ECharts when the panel arrives (htmx) or the page loads;
// a click on a bar or slice opens the list behind that figure.
(() => {
  const draw = (root) => {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach((element) => {
      if (element.dataset.drawn) return;
      const source = document.getElementById(element.dataset.chart);
      if (!source) return;
      const data = JSON.parse(source.textContent);
      const chart = echarts.init(element, null, { renderer: "svg" });
      const items = data.values.map((value, index) => ({ value, name: data.labels[index] }));
      const option =
        data.kind === "pie"
          ? {
              tooltip: { trigger: "item" },
              series: [{ type: "pie", radius: ["35%", "70%"], data: items, label: { formatter: "{b}: {c}" } }],
            }
          : {
              tooltip: { trigger: "axis" },
              grid: { left: 8, right: 8, top: 8, bottom: 8, containLabel: true },
              xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 5 ? 30 : 0 } },
              yAxis: { type: "value", minInterval: 1 },
              series: [{ type: data.kind === "line" ? "line" : "bar", data: items }],
            };
      chart.setOption(option);
      chart.on("click", (event) => {
        const url = data.urls[event.dataIndex];
        if (url) window.location.assign(url);
      });
      element.dataset.drawn = "true";
      element.setAttribute("data-rendered", "true");
      window.addEventListener("resize", () => chart.resize());
    });
  };
  document.addEventListener("DOMContentLoaded", () => draw(document));
  document.addEventListener("htmx:load", (event) => draw(event.target));
})();
