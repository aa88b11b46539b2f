import type { BenchResult, SideResult } from './run-bench.js';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function cpuSeconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(0)} s`;
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

/** Returns `met` or how far the value is past the target, with `unit` after the number. */
function verdict(value: number, target: number, unit = '', higherIsBetter = false): string {
  const met = higherIsBetter ? value >= target : value <= target;
  if (met) return 'met';
  const miss = Math.abs(value - target);
  return `missed by ${unit === ' ms' ? miss.toFixed(0) : miss.toFixed(2)}${unit}`;
}

/** Formats a benchmark result as the table the benchmark prints. */
export function formatReport(result: BenchResult): string {
  const lines = [
    `gvmatrix benchmark, ${result.date}, commit ${result.commit}, runtimes ${result.runtimes.join(', ')}, ${result.workers} workers`,
    `machine: ${Object.entries(result.machine).map(([key, value]) => `${key} ${value}`).join('; ')}`,
    '',
    'round  first     gvmatrix   plain      ratio  overhead/test  tests  passed (gvmatrix/plain)  CPU (gvmatrix/plain)',
  ];
  for (const round of result.rounds) {
    lines.push(
      [
        String(round.round).padEnd(6),
        round.order[0].padEnd(9),
        seconds(round.gvmatrix.wallMs).padEnd(10),
        seconds(round.plain.wallMs).padEnd(10),
        round.ratio.toFixed(2).padEnd(6),
        `${round.overheadMsPerTest.toFixed(0)} ms`.padEnd(14),
        String(round.plain.tests).padEnd(6),
        `${round.gvmatrix.passed}/${round.plain.passed}`.padEnd(24),
        `${cpuSeconds(round.gvmatrix.cpuMs)}/${cpuSeconds(round.plain.cpuMs)}`,
      ].join(' '),
    );
  }

  for (const round of result.rounds) {
    const means = (side: SideResult) => Object.entries(side.meanTestMs ?? {}).map(([runtime, ms]) => `${runtime} ${seconds(ms)}`).join(', ');
    const playwright = round.gvmatrix.playwrightMs === undefined ? '' : `; Playwright's span ${seconds(round.gvmatrix.playwrightMs)}`;
    lines.push(`round ${round.round} mean test duration: gvmatrix ${means(round.gvmatrix)}; plain ${means(round.plain)}${playwright}`);
  }

  const { targets } = result;
  lines.push('');
  if (result.medianRatio !== undefined && result.medianOverheadMsPerTest !== undefined) {
    lines.push(`median ratio gvmatrix/plain: ${result.medianRatio.toFixed(2)} (target <= ${targets.ratio}: ${verdict(result.medianRatio, targets.ratio)})`);
    lines.push(
      `median overhead per test: ${result.medianOverheadMsPerTest.toFixed(0)} ms (target <= ${targets.overheadMsPerTest} ms: ${verdict(result.medianOverheadMsPerTest, targets.overheadMsPerTest, ' ms')})`,
    );
  }
  const shippedPeak = Math.max(0, ...result.rounds.map((round) => round.gvmatrix.rss?.nodeSum ?? 0));
  if (shippedPeak > 0) lines.push(`peak RSS in the ratio rounds, node processes summed: ${mebibytes(shippedPeak)}`);
  if (result.wide?.rss) {
    const { rss } = result.wide;
    lines.push(
      `peak RSS, ${result.wide.images}-image matrix (${result.wide.tests} tests, ${seconds(result.wide.wallMs)}): node processes summed ${mebibytes(rss.nodeSum)} ` +
        `(target <= ${mebibytes(targets.peakRssBytes)}: ${rss.nodeSum <= targets.peakRssBytes ? 'met' : `missed by ${mebibytes(rss.nodeSum - targets.peakRssBytes)}`}); ` +
        `their PSS ${mebibytes(rss.nodePssSum)}; whole tree with API services ${mebibytes(rss.treeSum)}; largest process ${mebibytes(rss.largestProcess)} (${rss.largestCommand}); ${rss.samples} samples`,
    );
  }
  if (result.setup) {
    const { setup } = result;
    const speedup = setup.coldMs / setup.warmMs;
    lines.push(
      `set-up: cold ${seconds(setup.coldMs)} (exit ${setup.coldExitCode}), warm ${seconds(setup.warmMs)} (exit ${setup.warmExitCode}), ${speedup.toFixed(1)}x faster ` +
        `(target >= ${targets.setupSpeedup}x: ${verdict(speedup, targets.setupSpeedup, 'x', true)}); ` +
        `${setup.imageCount} images, rebuilt on the warm run: ${setup.rebuiltOnWarm.length === 0 ? 'none' : setup.rebuiltOnWarm.join(', ')}`,
    );
  }
  return lines.join('\n');
}
