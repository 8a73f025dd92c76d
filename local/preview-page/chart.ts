/**
 * The per-minute bar chart of messages per robot against the per-robot limit, as a plain tree: the preview page's
 * script turns it into DOM nodes, `report --html` into markup. One drawing, so both pages read the same way.
 */

/** An SVG element with its attributes and children (text children are plain strings). */
export interface ChartNode {
  tag: 'svg' | 'line' | 'text' | 'rect' | 'title';
  attrs: Record<string, string | number>;
  children: (ChartNode | string)[];
}

export interface MinuteChartInput {
  /** Drawn at this width so labels keep their font size. */
  width: number;
  limitPerMinute: number;
  /** One bucket per minute, oldest first; `counts` by series name (a robot). */
  minutes: readonly { minute: number; counts: Record<string, number> }[];
  /** Series in drawing order. */
  names: readonly string[];
  colorOf: (name: string) => string;
  /** The label of a minute (epoch ms), in the page's time zone. */
  label: (minute: number) => string;
  ariaLabel: string;
}

const HEIGHT = 190;
const PAD = { left: 34, right: 14, top: 12, bottom: 26 };

const node = (
  tag: ChartNode['tag'],
  attrs: ChartNode['attrs'],
  ...children: ChartNode['children']
): ChartNode => ({
  tag,
  attrs,
  children,
});

/** Bars per minute and series, a grid, and the limit line: a bar over the line is a robot WeCom throttles. */
export function minuteChart(input: MinuteChartInput): ChartNode {
  const { width, limitPerMinute: limit, minutes, names } = input;
  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const peak = Math.max(0, ...minutes.flatMap((bucket) => Object.values(bucket.counts)));
  const yMax = Math.ceil(Math.max(limit + 4, peak + 2) / 5) * 5;
  const y = (v: number) => PAD.top + plotH - (v / yMax) * plotH;
  const chart = node('svg', {
    viewBox: `0 0 ${width} ${HEIGHT}`,
    role: 'img',
    'aria-label': input.ariaLabel,
  });
  const step = yMax > 40 ? 10 : 5;
  for (let v = 0; v <= yMax; v += step) {
    chart.children.push(
      node('line', { class: 'grid', x1: PAD.left, x2: width - PAD.right, y1: y(v), y2: y(v) }),
    );
    chart.children.push(node('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
  }
  const groupW = plotW / Math.max(minutes.length, 1);
  const barW = Math.max(2, Math.min(16, (groupW - 8) / Math.max(names.length, 1)));
  const labelEvery = Math.ceil(minutes.length / 8);
  minutes.forEach((bucket, i) => {
    const x0 = PAD.left + i * groupW + (groupW - barW * names.length) / 2;
    names.forEach((name, j) => {
      const count = bucket.counts[name] ?? 0;
      if (count === 0) return;
      const attrs = {
        x: x0 + j * barW,
        y: y(count),
        width: Math.max(1, barW - 1),
        height: y(0) - y(count),
        rx: 2,
        fill: input.colorOf(name),
        class: count > limit ? 'over' : 'bar',
      };
      chart.children.push(
        node('rect', attrs, node('title', {}, `${name}: ${count} at ${input.label(bucket.minute)}`)),
      );
    });
    if (i % labelEvery === 0 || i === minutes.length - 1) {
      const x = PAD.left + i * groupW + groupW / 2;
      chart.children.push(
        node('text', { x, y: HEIGHT - 8, 'text-anchor': 'middle' }, input.label(bucket.minute)),
      );
    }
  });
  const limitY = y(limit);
  chart.children.push(
    node('line', { class: 'limit-line', x1: PAD.left, x2: width - PAD.right, y1: limitY, y2: limitY }),
  );
  chart.children.push(
    node(
      'text',
      { class: 'limit-label', x: width - PAD.right, y: limitY - 5, 'text-anchor': 'end' },
      `${limit}/min`,
    ),
  );
  return chart;
}
