// The power chart of one device: uPlot over the readings the API returns
// (already downsampled to about one point per pixel). Drag across the chart
// to zoom into a stretch, double-click or "Reset zoom" to see it all again.
// Colours come from the theme's CSS variables, so the chart is rebuilt when
// the theme changes. The canvas is described in words for screen readers.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { cssVar, onThemeChange } from './theme';
import { watts } from './format';

export interface Point {
  t: number; // unix seconds
  power: number | null;
  peak: number | null;
}

export class PowerChart {
  private plot: uPlot | null = null;
  private points: Point[] = [];
  private zoomed = false;
  private readonly resize: ResizeObserver;
  private readonly unTheme: () => void;

  constructor(
    private readonly box: HTMLElement,
    private readonly onZoomChange: (zoomed: boolean) => void,
  ) {
    this.box.setAttribute('role', 'img');
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(this.box);
    this.unTheme = onThemeChange(() => this.build());
  }

  // Replaces the data; `keepZoom` keeps the visible stretch (live updates).
  setData(points: Point[], keepZoom = false): void {
    this.points = points;
    if (!this.plot) {
      this.build();
    } else {
      this.plot.setData(this.columns(), !(keepZoom && this.zoomed));
    }
    this.describe();
  }

  // A live reading: appended, and points older than `windowS` dropped.
  append(p: Point, windowS: number): void {
    const last = this.points[this.points.length - 1];
    if (last && p.t <= last.t) return;
    const from = p.t - windowS;
    this.setData([...this.points.filter((x) => x.t >= from), p], true);
  }

  resetZoom(): void {
    if (!this.plot) return;
    this.zoomed = false;
    this.plot.setData(this.columns(), true);
    this.onZoomChange(false);
  }

  destroy(): void {
    this.resize.disconnect();
    this.unTheme();
    this.plot?.destroy();
    this.plot = null;
  }

  private columns(): uPlot.AlignedData {
    return [
      this.points.map((p) => p.t),
      this.points.map((p) => p.power),
      this.points.map((p) => p.peak),
    ];
  }

  private size(): { width: number; height: number } {
    const width = Math.max(240, Math.floor(this.box.clientWidth));
    return { width, height: width < 600 ? 200 : 280 };
  }

  private fit(): void {
    if (this.plot) this.plot.setSize(this.size());
  }

  private build(): void {
    this.plot?.destroy();
    this.zoomed = false;
    const text = cssVar('--muted') || '#666';
    const grid = cssVar('--grid') || '#ddd';
    const line = cssVar('--accent') || '#1565c0';
    const hasPeak = this.points.some((p) => p.peak !== null && p.peak !== p.power);
    const axis: uPlot.Axis = {
      stroke: text,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
    };
    const opts: uPlot.Options = {
      ...this.size(),
      cursor: { drag: { x: true, y: false, setScale: true } },
      scales: {
        x: { time: true },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 10] },
      },
      legend: { live: true },
      series: [
        {},
        {
          label: 'Power',
          stroke: line,
          fill: cssVar('--accent-fill') || 'rgba(21,101,192,0.12)',
          width: 1.5,
          value: (_u, v) => watts(v),
        },
        {
          label: 'Peak',
          stroke: cssVar('--warn') || '#b26a00',
          dash: [4, 4],
          width: 1,
          show: hasPeak,
          value: (_u, v) => watts(v),
        },
      ],
      axes: [axis, { ...axis, values: (_u, ticks) => ticks.map((v) => watts(v)), size: 70 }],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width > 0) {
              this.zoomed = true;
              this.onZoomChange(true);
            }
          },
        ],
      },
    };
    this.plot = new uPlot(opts, this.columns(), this.box);
    this.plot.over.addEventListener('dblclick', () => {
      this.zoomed = false;
      this.onZoomChange(false);
    });
    this.describe();
  }

  private describe(): void {
    const values = this.points.map((p) => p.power).filter((v): v is number => v !== null);
    if (!values.length) {
      this.box.setAttribute('aria-label', 'Power chart: no readings in this range');
      return;
    }
    const max = Math.max(...values);
    const latest = values[values.length - 1];
    this.box.setAttribute(
      'aria-label',
      `Power chart: ${values.length} points, highest ${watts(max)}, latest ${watts(latest)}`,
    );
  }
}
