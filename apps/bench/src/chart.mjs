// An SVG bar chart of "wasm speed-up over X" per benchmark (log scale), one bar per comparison.
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function ratioChart(items, title) {
  // items: [{ label, ratio, min, max }]
  const rowH = 22;
  const left = 380;
  const width = 900;
  const plotW = width - left - 80;
  const maxLog = Math.log10(Math.max(10, ...items.map((i) => i.max ?? i.ratio)) * 1.2);
  const minLog = Math.log10(0.25); // ratios below 1 (wasm slower) extend left of the 1x line
  const x = (r) => left + ((Math.log10(Math.max(r, 0.25)) - minLog) / (maxLog - minLog)) * plotW;
  const height = 60 + items.length * rowH + 30;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const tick of [0.25, 0.5, 1, 2, 5, 10, 20, 50, 100]) {
    if (Math.log10(tick) > maxLog) break;
    const stroke = tick === 1 ? '#333' : '#ddd';
    out.push(`<line x1="${x(tick)}" y1="40" x2="${x(tick)}" y2="${height - 30}" stroke="${stroke}"/>`);
    out.push(`<text x="${x(tick)}" y="${height - 14}" text-anchor="middle" fill="#555">${tick}x</text>`);
  }
  items.forEach((it, i) => {
    const y = 48 + i * rowH;
    const color = it.ratio >= 1 ? '#2b7bb9' : '#c0392b';
    out.push(`<text x="${left - 8}" y="${y + 12}" text-anchor="end">${esc(it.label)}</text>`);
    out.push(
      `<rect x="${left}" y="${y}" width="${Math.max(1, x(it.ratio) - left)}" height="${rowH - 6}" fill="${color}"/>`,
    );
    if (it.min !== undefined) {
      out.push(
        `<line x1="${x(it.min)}" y1="${y + 8}" x2="${x(it.max)}" y2="${y + 8}" stroke="#222" stroke-width="1.5"/>`,
      );
    }
    out.push(
      `<text x="${x(Math.max(it.ratio, it.max ?? 0)) + 6}" y="${y + 12}">${it.ratio.toFixed(1)}x</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
