/**
 * The HTML report's only script. The report works without it: panels open through
 * `:target`. The script adds the filter checkbox, Escape to close a panel, and a highlight
 * on the test row whose panel is open. It reads no report data, so nothing from a
 * container ever reaches script text.
 */
export const REPORT_SCRIPT = `
(() => {
  const filter = document.getElementById('only-problems');
  if (filter) {
    filter.hidden = false;
    filter.querySelector('input').addEventListener('change', (event) => {
      document.body.classList.toggle('only-problems', event.target.checked);
    });
  }

  const highlight = () => {
    for (const row of document.querySelectorAll('tr.selected')) {
      row.classList.remove('selected');
    }
    const id = location.hash.slice(1);
    if (/^t-[0-9]+$/.test(id)) {
      document.querySelector('tr[data-panel="' + id + '"]')?.classList.add('selected');
    }
  };
  window.addEventListener('hashchange', highlight);
  highlight();

  document.addEventListener('keydown', (event) => {
    const open = document.querySelector('.panel:target');
    if (event.key === 'Escape' && open) {
      location.hash = 'closed';
    }
  });
})();
`;
