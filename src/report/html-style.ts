/**
 * The HTML report's style sheet. Each verdict class (`v-NAME`) and outcome class
 * (`o-NAME`) sets two colours: `--solid` for badges and `--tint` for grid cells and cards.
 * Detail panels are `:target` sections, so they open from a link without script.
 */
export const REPORT_CSS = `
:root { color-scheme: light; --border: #d0d4d9; --muted: #5f6670; --panel-width: min(62rem, 100vw); }
* { box-sizing: border-box; }
body { margin: 0; padding: 1.25rem 1.5rem 4rem; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d2127; background: #fafbfc; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 .4rem; }
a { color: #0b57d0; }
pre, code { font: 12.5px/1.4 ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; }
pre { margin: .35rem 0; padding: .5rem .65rem; background: #f3f4f6; border: 1px solid var(--border); border-radius: 4px; overflow: auto; max-height: 24rem; white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border: 1px solid var(--border); }
th { background: #eef0f3; font-weight: 600; }
.muted { color: var(--muted); }
.meta { margin: 0; color: var(--muted); }
.meta span + span::before { content: " · "; }

.v-compatible, .o-passed { --solid: #2e7d32; --on-solid: #fff; --tint: #e3f3e6; }
.v-syscall-incompatible { --solid: #c62828; --on-solid: #fff; --tint: #fbe4e4; }
.v-behavior-diff { --solid: #d35400; --on-solid: #fff; --tint: #fdebd9; }
.v-sandbox-crash { --solid: #6a1b9a; --on-solid: #fff; --tint: #f1e2f6; }
.v-baseline-failure, .o-failed, .o-timedOut { --solid: #5d4037; --on-solid: #fff; --tint: #efe7e4; }
.v-known { --solid: #455a64; --on-solid: #fff; --tint: #e8edf0; }
.v-fixed { --solid: #00796b; --on-solid: #fff; --tint: #dff2ef; }
.v-flaky { --solid: #f2b705; --on-solid: #2b2100; --tint: #fff6d6; }
.v-not-run, .o-skipped, .o-interrupted, .o-missing { --solid: #80868b; --on-solid: #fff; --tint: #f1f2f3; }

.badge.slow { --solid: #b45309; --on-solid: #fff; margin-left: .25rem; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; background: var(--solid); color: var(--on-solid); font-size: 12px; font-weight: 600; white-space: nowrap; line-height: 1.6; }
.legend { display: flex; flex-wrap: wrap; gap: .35rem 1rem; margin: .5rem 0 .75rem; padding: 0; list-style: none; }
.legend li { display: flex; gap: .35rem; align-items: baseline; }
.totals { display: flex; flex-wrap: wrap; gap: .4rem; margin: .75rem 0 0; }

table.grid { min-width: 40rem; background: #fff; }
table.grid th[scope=row] { white-space: nowrap; }
table.grid td.cell { padding: 0; background: var(--tint, #fff); border-left: 4px solid var(--solid, var(--border)); }
table.grid td.cell a { display: block; padding: .45rem .6rem; color: inherit; text-decoration: none; min-height: 2.6rem; }
table.grid td.cell a:hover, table.grid td.cell a:focus { outline: 2px solid #0b57d0; outline-offset: -2px; }
.chips { display: flex; flex-wrap: wrap; gap: .25rem; }

table.tests { width: 100%; background: #fff; }
table.tests tr.image-row th { background: #e4e7eb; font-size: 1rem; }
table.tests td.run { white-space: nowrap; }
table.tests .duration { color: var(--muted); font-variant-numeric: tabular-nums; margin-left: .35rem; }
table.tests tr.selected td, table.tests tr.selected th { background: #fff8c5; }
body.only-problems table.tests tr.all-compatible { display: none; }
.filter { margin: .5rem 0; display: inline-flex; gap: .4rem; align-items: center; }

.panel { display: none; position: fixed; top: 0; right: 0; bottom: 0; width: var(--panel-width); overflow: auto; background: #fff; border-left: 1px solid var(--border); box-shadow: -8px 0 24px rgba(0, 0, 0, .18); padding: 1rem 1.5rem 3rem; z-index: 10; }
.panel:target { display: block; }
.panel > header { display: flex; justify-content: space-between; align-items: flex-start; gap: 1rem; border-bottom: 1px solid var(--border); padding-bottom: .5rem; }
.panel > header h2 { margin: 0; overflow-wrap: anywhere; }
.close { font-size: 1.1rem; text-decoration: none; padding: .1rem .5rem; border: 1px solid var(--border); border-radius: 4px; color: #1d2127; background: #f3f4f6; }
.runtime-card { margin: 1rem 0; padding: .25rem .9rem .75rem; border: 1px solid var(--border); border-left: 5px solid var(--solid, var(--border)); border-radius: 4px; background: #fff; }
.runtime-card h3 { display: flex; gap: .5rem; align-items: baseline; flex-wrap: wrap; }
.runtime-card h3 .muted { font-weight: normal; font-size: .9em; }
.cell-panel td:first-child { min-width: 11rem; }
.message { margin: .25rem 0; padding: .35rem .55rem; background: var(--tint, #f3f4f6); border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; }
table.findings, table.durations, table.calls, table.runtimes, table.changes, table.steps { margin: .35rem 0; background: #fff; }
table.findings td, table.calls td, table.steps td { overflow-wrap: anywhere; }
table.steps tr.failed td { background: #fbe4e4; }
.benign { color: var(--muted); }
.diff .add { color: #1b5e20; background: #e6f4ea; }
.diff .del { color: #8e1c1c; background: #fbe9e9; }
.diff .hunk { color: #6a1b9a; }
details > summary { cursor: pointer; color: var(--muted); margin: .35rem 0; }
`;
