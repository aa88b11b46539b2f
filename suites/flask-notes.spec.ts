/**
 * Multi-request flows against the flask-notes image (Flask under gunicorn with two
 * worker processes sharing one SQLite file). Each test gets a fresh container, so ids
 * start at 1 and the counter at 0. Consecutive requests may be served by different
 * workers, so these checks cover state shared between processes through SQLite's file
 * locks, which a single HTTP check in matrix.yaml cannot show.
 */
import { test, expect } from 'gvmatrix/suite';

const NOTES_PORT = 8000;

interface Note {
  id: number;
  text: string;
  createdAt: string;
}

test('notes survive create, list and delete', async ({ app, request }) => {
  const texts = ['buy milk', 'call the plumber', 'renew the certificate'];
  const created: Note[] = [];
  for (const text of texts) {
    const response = await request.post(app.url(NOTES_PORT, '/notes'), { data: { text } });
    expect(response.status()).toBe(201);
    const note = (await response.json()) as Note;
    expect(note.text).toBe(text);
    expect(response.headers()['location']).toBe(`/notes/${note.id}`);
    created.push(note);
  }
  expect(created.map((note) => note.id)).toEqual([1, 2, 3]);

  const listed = await request.get(app.url(NOTES_PORT, '/notes'));
  expect(listed.status()).toBe(200);
  expect(((await listed.json()) as Note[]).map((note) => note.text)).toEqual(texts);

  const deleted = await request.delete(app.url(NOTES_PORT, '/notes/2'));
  expect(deleted.status()).toBe(204);

  const afterDelete = await request.get(app.url(NOTES_PORT, '/notes'));
  expect(((await afterDelete.json()) as Note[]).map((note) => note.id)).toEqual([1, 3]);

  const deletedNote = await request.get(app.url(NOTES_PORT, '/notes/2'));
  expect(deletedNote.status()).toBe(404);
  expect(await deletedNote.json()).toEqual({ error: 'note 2 not found' });

  const deletedAgain = await request.delete(app.url(NOTES_PORT, '/notes/2'));
  expect(deletedAgain.status()).toBe(404);

  const remainingNote = await request.get(app.url(NOTES_PORT, '/notes/3'));
  expect(remainingNote.status()).toBe(200);
  expect(((await remainingNote.json()) as Note).text).toBe('renew the certificate');
});

test('concurrent increments are not lost', async ({ app, request }) => {
  const increments = 60;

  const responses = await Promise.all(
    Array.from({ length: increments }, () => request.post(app.url(NOTES_PORT, '/counter'))),
  );

  for (const response of responses) {
    expect(response.status()).toBe(200);
  }
  const values = await Promise.all(responses.map(async (response) => ((await response.json()) as { value: number }).value));
  // Every increment returns the value it wrote, so the values are exactly 1..increments.
  expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: increments }, (_, i) => i + 1));

  const final = await request.get(app.url(NOTES_PORT, '/counter'));
  expect(await final.json()).toEqual({ value: increments });
});

test('both workers serve requests', async ({ app, request }) => {
  const workers = new Set<number>();

  // The kernel hands each new connection to whichever worker accepts first. In practice
  // 40 requests on separate connections reach both workers.
  for (let i = 0; i < 40 && workers.size < 2; i++) {
    const response = await request.get(app.url(NOTES_PORT, '/health'), { headers: { connection: 'close' } });
    expect(response.status()).toBe(200);
    workers.add(((await response.json()) as { worker: number }).worker);
  }

  expect(workers.size).toBe(2);
});

test('invalid notes are rejected', async ({ app, request }) => {
  const cases: { name: string; options: Parameters<typeof request.post>[1]; error: RegExp }[] = [
    { name: 'empty text', options: { data: { text: '   ' } }, error: /non-empty string "text"/ },
    { name: 'text is a number', options: { data: { text: 42 } }, error: /non-empty string "text"/ },
    { name: 'body is not JSON', options: { data: 'text=hello', headers: { 'content-type': 'text/plain' } }, error: /JSON object/ },
    { name: 'text too long', options: { data: { text: 'x'.repeat(1001) } }, error: /longer than 1000 characters/ },
  ];

  for (const { name, options, error } of cases) {
    const response = await request.post(app.url(NOTES_PORT, '/notes'), options);
    expect(response.status(), name).toBe(400);
    expect(((await response.json()) as { error: string }).error, name).toMatch(error);
  }

  const listed = await request.get(app.url(NOTES_PORT, '/notes'));
  expect(await listed.json()).toEqual([]);
});

test('notes persist in the database file', async ({ app, request }) => {
  const response = await request.post(app.url(NOTES_PORT, '/notes'), { data: { text: 'on disk' } });
  expect(response.status()).toBe(201);

  // Read the row back with Python's sqlite3 module, outside gunicorn.
  const query = await app.exec([
    'python3',
    '-c',
    'import sqlite3; print(sqlite3.connect("/var/lib/notes/notes.db").execute("SELECT text FROM notes WHERE id = 1").fetchone()[0])',
  ]);
  expect(query.exitCode, query.stderr).toBe(0);
  expect(query.stdout.trim()).toBe('on disk');
});
