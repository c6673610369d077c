/**
 * The analyses' one chart component: Apache ECharts, with only the charts and components the eight
 * screens draw registered (echarts/core tree-shakes the rest away), on a canvas. The chart is a
 * picture for the eye: the table beside it carries the same numbers for a screen reader, so the
 * canvas is `role="img"` with a label, and ECharts' own aria description is on.
 *
 * The instance is kept on its element as `chart` (`document.querySelector('.an-chart').chart
 * .getOption()`): the browser tests read what was drawn from it.
 */
import { useEffect, useRef } from 'preact/hooks';
import { init, use, type ComposeOption, type ECharts } from 'echarts/core';
import { BarChart, HeatmapChart, LineChart, SankeyChart, type BarSeriesOption, type HeatmapSeriesOption, type LineSeriesOption, type SankeySeriesOption } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  type AriaComponentOption,
  type GridComponentOption,
  type LegendComponentOption,
  type TooltipComponentOption,
  type VisualMapComponentOption,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | HeatmapSeriesOption
  | SankeySeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
  | VisualMapComponentOption
  | AriaComponentOption
>;

let registered = false;
/** registers the parts once, on the first chart (no work at module scope) */
function register(): void {
  if (registered) return;
  use([BarChart, LineChart, HeatmapChart, SankeyChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, AriaComponent, CanvasRenderer]);
  registered = true;
}

export type ChartElement = HTMLDivElement & { chart?: ECharts };

export interface ChartProps {
  /** what ECharts draws; replaced whole on every change (`notMerge`) */
  option: ChartOption;
  /** the chart's accessible name, e.g. "Funnel: customers per step" */
  label: string;
  /** CSS height in px. @default 320 */
  height?: number;
}

/**
 * @example <Chart label="Funnel" option={{ xAxis: { type: 'value' }, yAxis: { type: 'category', data: ['1', '2'] }, series: [{ type: 'bar', data: [10, 5] }] }} />
 */
export function Chart({ option, label, height = 320 }: ChartProps) {
  const el = useRef<ChartElement>(null);
  useEffect(() => {
    register();
    const node = el.current!;
    const chart = init(node, undefined, { renderer: 'canvas' });
    node.chart = chart;
    const resize = () => chart.resize();
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      chart.dispose();
      delete node.chart;
    };
  }, []);
  useEffect(() => {
    el.current?.chart?.setOption({ animation: false, aria: { enabled: true, label: { description: label } }, ...option }, { notMerge: true });
  }, [option, label]);
  return <div class="an-chart" ref={el} role="img" aria-label={label} style={{ height: `${height}px` }} />;
}
