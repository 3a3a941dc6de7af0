// A small line-chart drawer on <canvas>: no library, no network. drawChart(canvas, series, unit), where
// series is [{label, color, values: [numbers]}]; the y axis starts at 0 and ends at a round number above the
// largest value. The canvas gets data-max (the largest value drawn) and data-points (the longest series).
"use strict";

const CHART_COLORS = ["#1f77b4", "#ff7f0e", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

function niceCeiling(value) {
  if (!(value > 0)) return 1;
  const magnitude = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * magnitude) return step * magnitude;
  }
  return 10 * magnitude;
}

function formatNumber(v) {
  if (v >= 1000) return (v / 1000).toFixed(v >= 10000 ? 0 : 1) + "k";
  if (v >= 10 || v === 0) return v.toFixed(0);
  return v.toFixed(v >= 1 ? 1 : 2);
}

function drawChart(canvas, series, unit) {
  // Draw at the size the page lays the canvas out at (CSS width 100%), not a stretched bitmap.
  if (canvas.clientWidth > 0 && canvas.width !== canvas.clientWidth) canvas.width = canvas.clientWidth;
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  const left = 48, right = 8, top = 22, bottom = 18;
  let max = 0, points = 0;
  for (const s of series) {
    points = Math.max(points, s.values.length);
    for (const v of s.values) if (v > max) max = v;
  }
  canvas.dataset.max = String(max);
  canvas.dataset.points = String(points);
  const yMax = niceCeiling(max);
  ctx.clearRect(0, 0, w, h);
  ctx.font = "11px system-ui, sans-serif";
  ctx.strokeStyle = "#e4e4e4";
  ctx.fillStyle = "#666";
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (let i = 0; i <= 4; i++) {
    const y = top + (h - top - bottom) * (1 - i / 4);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(w - right, y);
    ctx.stroke();
    ctx.fillText(formatNumber(yMax * i / 4), left - 4, y);
  }
  ctx.textAlign = "left";
  ctx.fillText(unit, 2, 8);
  // Legend, with each series' latest value.
  let x = left;
  for (const s of series) {
    const last = s.values.length ? s.values[s.values.length - 1] : 0;
    const text = s.label + " " + formatNumber(last);
    ctx.fillStyle = s.color;
    ctx.fillRect(x, 4, 10, 8);
    ctx.fillStyle = "#333";
    ctx.fillText(text, x + 13, 8);
    x += ctx.measureText(text).width + 26;
  }
  const plotW = w - left - right, plotH = h - top - bottom;
  const slots = Math.max(points - 1, 1);
  for (const s of series) {
    if (s.values.length === 0) continue;
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    const offset = points - s.values.length;
    s.values.forEach((v, i) => {
      const px = left + plotW * (offset + i) / slots;
      const py = top + plotH * (1 - v / yMax);
      if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    });
    ctx.stroke();
  }
}
