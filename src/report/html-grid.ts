import { firstLine } from './first-line.js';
import { VERDICT_MEANINGS, durationText, outcomeBadge, slowBadge, verdictBadge, verdictCountBadge } from './html-parts.js';
import { html, type SafeHtml } from './html-text.js';
import { VERDICTS_BY_SEVERITY, countVerdicts, isFailedOutcome, mostSevere, type ImageRow, type ReportView, type RuntimeColumn } from './report-view.js';
import type { TestRunResult } from './types.js';

/**
 * The images × runtimes grid with its legend, and the panel each grid cell opens: the
 * tests of one image under one runtime.
 */

export function renderLegend(): SafeHtml {
  const items = VERDICTS_BY_SEVERITY.map((verdict) => html`<li>${verdictBadge(verdict)}<span>${VERDICT_MEANINGS[verdict]}</span></li>`);
  return html`<ul class="legend" aria-label="Verdicts">${items}</ul>`;
}

/**
 * Renders the grid: baseline cells count passed tests (`4/4 passed`), sandbox cells count
 * verdicts and take the colour of the most severe one.
 */
export function renderGrid(view: ReportView): SafeHtml {
  const header = view.runtimes.map(
    (runtime) => html`<th scope="col">${runtime.name}${runtime.baseline ? html` <span class="muted">baseline</span>` : ''}</th>`,
  );
  const rows = view.images.map((image, imageIndex) => {
    const cells = view.runtimes.map((runtime, runtimeIndex) => renderCell(image, runtime, cellId(imageIndex, runtimeIndex)));
    const count = image.tests.length;
    return html`<tr><th scope="row"><a href="#${image.id}">${image.image}</a> <span class="muted">${count} ${count === 1 ? 'test' : 'tests'}</span></th>${cells}</tr>`;
  });
  return html`<table class="grid" id="grid"><thead><tr><th scope="col">image</th>${header}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** Renders one panel per grid cell that has results. */
export function renderCellPanels(view: ReportView): SafeHtml[] {
  const panels: SafeHtml[] = [];
  view.images.forEach((image, imageIndex) => {
    view.runtimes.forEach((runtime, runtimeIndex) => {
      if (resultsOf(image, runtime).length > 0) {
        panels.push(renderCellPanel(image, runtime, cellId(imageIndex, runtimeIndex), baselineName(view)));
      }
    });
  });
  return panels;
}

function renderCell(image: ImageRow, runtime: RuntimeColumn, id: string): SafeHtml {
  const results = resultsOf(image, runtime);
  if (results.length === 0) {
    return html`<td class="cell empty" data-image="${image.image}" data-runtime="${runtime.name}"><span class="muted">no tests</span></td>`;
  }

  const label = `${image.image} under ${runtime.name}`;
  if (runtime.baseline) {
    const passed = results.filter((result) => result.outcome === 'passed').length;
    const outcomeClass = baselineOutcomeClass(results);
    return html`<td class="cell ${outcomeClass}" data-image="${image.image}" data-runtime="${runtime.name}"><a href="#${id}" aria-label="${label}"><span class="badge ${outcomeClass}">${passed}/${results.length} passed</span></a></td>`;
  }

  const verdicts = image.tests.flatMap((test) => {
    const record = test.verdicts.get(runtime.name);
    return record ? [record.verdict] : [];
  });
  const severest = mostSevere(verdicts);
  const chips = countVerdicts(verdicts).map(([verdict, count]) => verdictCountBadge(verdict, count));
  const missing = results.length - verdicts.length;
  const noVerdict = missing > 0 ? html`<span class="muted">${missing} without verdict</span>` : '';
  return html`<td class="cell${severest ? ` v-${severest}` : ''}" data-image="${image.image}" data-runtime="${runtime.name}"><a href="#${id}" aria-label="${label}"><span class="chips">${chips}${noVerdict}</span></a></td>`;
}

function renderCellPanel(image: ImageRow, runtime: RuntimeColumn, id: string, baseline: string | undefined): SafeHtml {
  const rows = image.tests.flatMap((test) => {
    const record = test.verdicts.get(runtime.name);
    const result = record?.sandbox ?? test.results.get(runtime.name);
    if (!result) {
      return [];
    }

    const baselineResult = baseline === undefined ? undefined : test.results.get(baseline);
    const status = record ? verdictBadge(record.verdict) : outcomeBadge(result.outcome);
    const message = record ? record.message : firstLine(result.error ?? '');
    return [
      html`<tr data-panel="${test.id}"><td><a href="#${test.id}">${test.test}</a></td><td>${status}${slowBadge(record?.timing)}</td><td>${message}</td><td class="run">${durationText(result, baselineResult, record?.timing)}</td></tr>`,
    ];
  });

  return html`<section class="panel cell-panel" id="${id}" aria-label="${image.image} under ${runtime.name}">
<header><div><h2>${image.image} under ${runtime.name}</h2>${renderRuntimeMeta(runtime)}</div><a class="close" href="#closed" aria-label="Close">×</a></header>
<table class="tests"><thead><tr><th>test</th><th>${runtime.baseline ? 'outcome' : 'verdict'}</th><th>message</th><th>duration${runtime.baseline ? '' : ' (vs baseline)'}</th></tr></thead><tbody>${rows}</tbody></table>
</section>`;
}

/** Renders the version and flags of a probed runtime, or nothing for a runtime the report does not list. */
function renderRuntimeMeta(runtime: RuntimeColumn): SafeHtml | '' {
  if (!runtime.info) {
    return '';
  }
  const flags = runtime.info.flags.length > 0 ? html`<span>${runtime.info.flags.join(' ')}</span>` : '';
  return html`<p class="meta"><span>${runtime.info.version}</span>${flags}</p>`;
}

/** Colours a baseline cell: passed when every test passed, failed when one failed or timed out, skipped otherwise. */
function baselineOutcomeClass(results: readonly TestRunResult[]): string {
  if (results.every((result) => result.outcome === 'passed')) {
    return 'o-passed';
  }
  if (results.some((result) => isFailedOutcome(result.outcome))) {
    return 'o-failed';
  }
  return 'o-skipped';
}

function resultsOf(image: ImageRow, runtime: RuntimeColumn): TestRunResult[] {
  return image.tests.flatMap((test) => {
    const result = test.results.get(runtime.name) ?? test.verdicts.get(runtime.name)?.sandbox;
    return result ? [result] : [];
  });
}

function baselineName(view: ReportView): string | undefined {
  return view.runtimes.find((runtime) => runtime.baseline)?.name;
}

function cellId(imageIndex: number, runtimeIndex: number): string {
  return `c-${imageIndex}-${runtimeIndex}`;
}
