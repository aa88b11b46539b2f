"""A small notes service: a JSON API over SQLite, served by gunicorn with several workers.

The notes and the counter live in one SQLite file, so every worker process reads the same
state and writes from different workers are serialized by SQLite's file locks.
"""

import os
import sqlite3

from flask import Flask, g, jsonify, request, url_for

DATABASE = os.environ.get("NOTES_DATABASE", "/var/lib/notes/notes.db")
MAX_TEXT_LENGTH = 1000

app = Flask(__name__)


def connect() -> sqlite3.Connection:
    # Wait up to 10 s for another worker's write lock instead of failing at once.
    connection = sqlite3.connect(DATABASE, timeout=10)
    connection.row_factory = sqlite3.Row
    return connection


def create_schema() -> None:
    with connect() as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS notes ("
            " id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " text TEXT NOT NULL,"
            " created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
        )
        connection.execute(
            "CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL)"
        )
        connection.execute("INSERT OR IGNORE INTO counter (id, value) VALUES (1, 0)")


def db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = connect()
    return g.db


@app.teardown_appcontext
def close_db(_error) -> None:
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


def note_json(row: sqlite3.Row) -> dict:
    return {"id": row["id"], "text": row["text"], "createdAt": row["created_at"]}


def error(status: int, message: str):
    return jsonify({"error": message}), status


@app.get("/health")
def health():
    db().execute("SELECT 1").fetchone()
    return jsonify({"status": "ok", "worker": os.getpid()})


@app.get("/notes")
def list_notes():
    rows = db().execute("SELECT id, text, created_at FROM notes ORDER BY id").fetchall()
    return jsonify([note_json(row) for row in rows])


@app.post("/notes")
def create_note():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"].strip():
        return error(400, 'expected a JSON object with a non-empty string "text"')
    text = body["text"]
    if len(text) > MAX_TEXT_LENGTH:
        return error(400, f'"text" is longer than {MAX_TEXT_LENGTH} characters')

    connection = db()
    with connection:
        cursor = connection.execute("INSERT INTO notes (text) VALUES (?)", (text,))
    row = connection.execute("SELECT id, text, created_at FROM notes WHERE id = ?", (cursor.lastrowid,)).fetchone()

    response = jsonify(note_json(row))
    response.status_code = 201
    response.headers["Location"] = url_for("get_note", note_id=row["id"])
    return response


@app.get("/notes/<int:note_id>")
def get_note(note_id: int):
    row = db().execute("SELECT id, text, created_at FROM notes WHERE id = ?", (note_id,)).fetchone()
    if row is None:
        return error(404, f"note {note_id} not found")
    return jsonify(note_json(row))


@app.delete("/notes/<int:note_id>")
def delete_note(note_id: int):
    connection = db()
    with connection:
        deleted = connection.execute("DELETE FROM notes WHERE id = ?", (note_id,)).rowcount
    if deleted == 0:
        return error(404, f"note {note_id} not found")
    return "", 204


@app.get("/counter")
def read_counter():
    value = db().execute("SELECT value FROM counter WHERE id = 1").fetchone()["value"]
    return jsonify({"value": value})


@app.post("/counter")
def increment_counter():
    connection = db()
    with connection:
        # One statement, so concurrent increments from several workers are never lost.
        value = connection.execute("UPDATE counter SET value = value + 1 WHERE id = 1 RETURNING value").fetchone()["value"]
    return jsonify({"value": value})


create_schema()
