/** The frame the benchmark's bar charts share: canvas, title, y grid with labels, and the scales. */

const n = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 0 });

/** Canvas size and margins, px. */
export const CHART = { W: 640, H: 380, L: 70, B: 50, T: 40, R: 20 } as const;

/** Scales for `count` bars up to `maxY`, and the opening SVG elements (to be closed with `</svg>`). */
export function chartFrame(count: number, maxY: number, title: string): { x: (i: number) => number; y: (v: number) => number; bar: number; head: string[] } {
  const { W, H, L, B, T, R } = CHART;
  const x = (i: number) => L + ((i + 0.5) * (W - L - R)) / count;
  const y = (v: number) => H - B - (v / maxY) * (H - B - T);
  const ticks = Array.from({ length: 6 }, (_, i) => (maxY / 5) * i);
  return {
    x, y, bar: (W - L - R) / count / 2.5,
    head: [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
      `<rect width="${W}" height="${H}" fill="white"/>`,
      `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${title}</text>`,
      ...ticks.map((t) => `<line x1="${L}" x2="${W - R}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/><text x="${L - 6}" y="${y(t) + 4}" text-anchor="end">${n(t)}</text>`),
    ],
  };
}
