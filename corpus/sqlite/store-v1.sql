-- An Eidolon store at schema version 1 (imports and events only), for the upgrade tests.
PRAGMA application_id = 1162429516;
PRAGMA user_version = 1;
CREATE TABLE imports (
  id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL,
  tool_version TEXT NOT NULL, inputs TEXT NOT NULL, strategy TEXT NOT NULL,
  read INTEGER NOT NULL DEFAULT 0, inserted INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0,
  replaced INTEGER NOT NULL DEFAULT 0, removed INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,
  checksum TEXT
);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT NOT NULL, kind TEXT NOT NULL,
  start TEXT NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, duration REAL NOT NULL,
  stream TEXT, host TEXT, user TEXT, app TEXT, title TEXT, url TEXT, file TEXT,
  project TEXT, client TEXT, task TEXT, description TEXT, category TEXT, subcategory TEXT,
  productivity INTEGER, tags TEXT, billable INTEGER, utc_offset TEXT, attrs TEXT,
  import_id INTEGER NOT NULL REFERENCES imports(id)
);
CREATE INDEX events_by_start ON events(start_ms);
CREATE INDEX events_by_stream ON events(source, stream, start_ms);
INSERT INTO imports VALUES (1, '2025-01-10T09:00:00.000Z', '2025-01-10T09:00:01.000Z', 'done', '0.1.0',
  '["toggl.ndjson"]', 'append', 3, 3, 0, 0, 0, 0, 'crc32:0');
INSERT INTO events (id, source, kind, start, start_ms, end_ms, duration, project, tags, billable, attrs, import_id) VALUES
  ('toggl:1', 'toggl', 'time_entry', '2024-03-01T08:00:00.000Z', 1709280000000, 1709283600000, 3600, 'Eidolon', '["deep work","ops"]', 1, '{"email":"ann@example.com"}', 1),
  ('toggl:2', 'toggl', 'time_entry', '2024-03-01T09:00:00.000Z', 1709283600000, 1709285400000, 1800, 'Website', '["ops"]', 0, NULL, 1),
  ('toggl:3', 'toggl', 'time_entry', '2024-03-01T10:00:00.000Z', 1709287200000, 1709287200000, 0, NULL, NULL, NULL, NULL, 1);
