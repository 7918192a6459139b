// Globals the pages use without importing them. Types only: nothing here is served as code.

// Plotly.js is served from the python plotly package (/vendor/plotly/plotly.min.js) and loaded on
// demand by plots.js. Its full types (@types/plotly.js) weigh more than the code that uses them;
// these are the calls Gradscape makes.
declare namespace Plotly {
  type Data = Record<string, any>;
  type Layout = Record<string, any>;
  type Config = Record<string, any>;
  interface PlotlyHTMLElement extends HTMLDivElement {
    on(event: string, handler: (event: any) => void): void;
    removeAllListeners?(event: string): void;
    _fullLayout?: any;
    layout?: any;
    data?: any[];
  }
  function newPlot(root: HTMLElement, data: Data[], layout?: Layout, config?: Config): Promise<PlotlyHTMLElement>;
  function react(root: HTMLElement, data: Data[], layout?: Layout, config?: Config): Promise<PlotlyHTMLElement>;
  function relayout(root: HTMLElement, update: Layout): Promise<PlotlyHTMLElement>;
  function restyle(root: HTMLElement, update: Data, traces?: number | number[]): Promise<PlotlyHTMLElement>;
  function extendTraces(root: HTMLElement, update: Data, traces: number[], maxPoints?: number): Promise<PlotlyHTMLElement>;
  function addTraces(root: HTMLElement, traces: Data | Data[]): Promise<PlotlyHTMLElement>;
  function deleteTraces(root: HTMLElement, indices: number | number[]): Promise<PlotlyHTMLElement>;
  function purge(root: HTMLElement): void;
  function toImage(root: HTMLElement, options: Record<string, any>): Promise<string>;
  function downloadImage(root: HTMLElement, options: Record<string, any>): Promise<string>;
  const Plots: { resize(root: HTMLElement): void };
}

interface Window {
  /** Set once /vendor/plotly/plotly.min.js has run (shared/plots.js loadPlotly). */
  Plotly?: typeof Plotly;
}
