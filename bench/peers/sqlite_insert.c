/* The C peer of eid-load: what SQLite itself takes on this machine for the same rows,
 * the same schema and the same indexes, so bench/run can show eid-load as a share of it.
 *
 *   cc -O2 -o sqlite_insert bench/peers/sqlite_insert.c -lsqlite3
 *   eid-load STORE /dev/null          # an empty store: Eidolon's schema, pragmas, indexes
 *   sqlite_insert STORE ROWS.csv      # the rows bench/peers/ndjson_to_csv.py writes
 *
 * It loads as eid-load loads an empty store (formats/sqlite-schema.md): the events
 * table's indexes dropped, one prepared insert bound without copies (SQLITE_STATIC),
 * transactions of 100,000 rows, each event's tags into event_tags, the indexes built at
 * the end with half the page cache. What it leaves out is what Eidolon adds to the
 * load: reading and checking the events, the checkpoint and its checksum, rejects.
 * The CSV is read through mmap; a quoted field is unquoted into a buffer of its own. */
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

enum { COLUMNS = 23, BATCH = 100000 };
/* The columns of ndjson_to_csv.py, in its order. */
enum { ID, SOURCE, KIND, START, DURATION, STREAM, PRODUCTIVITY = 18, TAGS, BILLABLE, OFFSET, ATTRS };

struct field { const char *text; int length; };

static void fail(sqlite3 *db, const char *what) {
  fprintf(stderr, "sqlite_insert: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
  exit(2);
}

static void run(sqlite3 *db, const char *sql) {
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) fail(db, sql);
}

/* Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm). */
static long long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  long long era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (long long)doe - 719468;
}

static int digits(const char *p, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) v = v * 10 + (p[i] - '0');
  return v;
}

/* YYYY-MM-DDTHH:MM:SS.mmmZ as milliseconds since the epoch. */
static long long start_millis(struct field f) {
  if (f.length != 24) return 0;
  const char *p = f.text;
  long long days = days_from_civil(digits(p, 4), digits(p + 5, 2), digits(p + 8, 2));
  return days * 86400000LL + ((digits(p + 11, 2) * 60LL + digits(p + 14, 2)) * 60 + digits(p + 17, 2)) * 1000 + digits(p + 20, 3);
}

/* Reads one CSV record from [*at, end) into fields; quoted fields are unquoted into
 * `scratch` (big enough for any record: at most the record's own length). */
static int record(const char **at, const char *end, struct field *fields, char *scratch) {
  const char *p = *at;
  int n = 0;
  if (p >= end) return 0;
  while (n < COLUMNS) {
    if (p < end && *p == '"') {
      char *out = scratch;
      p++;
      while (p < end) {
        if (*p == '"') {
          if (p + 1 < end && p[1] == '"') { *out++ = '"'; p += 2; continue; }
          p++;
          break;
        }
        *out++ = *p++;
      }
      fields[n].text = scratch;
      fields[n].length = (int)(out - scratch);
      scratch = out;
    } else {
      const char *begin = p;
      while (p < end && *p != ',' && *p != '\n' && *p != '\r') p++;
      fields[n].text = begin;
      fields[n].length = (int)(p - begin);
    }
    n++;
    if (p < end && *p == ',') { p++; continue; }
    break;
  }
  while (p < end && (*p == '\r' || *p == '\n')) p++;
  *at = p;
  return n;
}

static void bind_text(sqlite3_stmt *s, int index, struct field f, int empty_is_null) {
  if (f.length == 0 && empty_is_null) sqlite3_bind_null(s, index);
  else sqlite3_bind_text(s, index, f.text, f.length, SQLITE_STATIC);
}

/* Each string of a JSON array of strings (as json.dumps writes tags), unescaped simply. */
static void store_tags(sqlite3 *db, sqlite3_stmt *insert_tag, sqlite3_int64 seq, struct field tags, char *scratch) {
  const char *p = tags.text, *end = tags.text + tags.length;
  while (p < end) {
    while (p < end && *p != '"') p++;
    if (p >= end) return;
    p++;
    char *out = scratch;
    while (p < end && *p != '"') {
      if (*p == '\\' && p + 1 < end) p++;
      *out++ = *p++;
    }
    p++;
    sqlite3_bind_int64(insert_tag, 1, seq);
    sqlite3_bind_text(insert_tag, 2, scratch, (int)(out - scratch), SQLITE_STATIC);
    if (sqlite3_step(insert_tag) != SQLITE_DONE) fail(db, "insert a tag");
    sqlite3_reset(insert_tag);
  }
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: sqlite_insert STORE ROWS.csv\n");
    return 2;
  }
  int fd = open(argv[2], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) { perror(argv[2]); return 2; }
  const char *data = st.st_size ? mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : "";
  if (data == MAP_FAILED) { perror("mmap"); return 2; }
  const char *at = data, *end = data + st.st_size;

  sqlite3 *db;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) fail(db, "open the store");
  run(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768; PRAGMA temp_store = FILE;");
  run(db, "BEGIN IMMEDIATE; DROP INDEX IF EXISTS events_by_id; DROP INDEX IF EXISTS events_by_start; "
          "DROP INDEX IF EXISTS events_by_stream; INSERT INTO imports (started, status, tool_version, inputs, strategy) "
          "VALUES ('peer', 'running', 'peer', '[]', 'append'); COMMIT;");
  sqlite3_int64 import_id = sqlite3_last_insert_rowid(db);

  sqlite3_stmt *insert, *insert_tag;
  if (sqlite3_prepare_v2(db,
        "INSERT INTO events (id, source, kind, start, start_ms, end_ms, duration, stream, host, user, app, title, url, "
        "file, project, client, task, description, category, subcategory, productivity, tags, billable, utc_offset, "
        "attrs, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        -1, &insert, NULL) != SQLITE_OK) fail(db, "prepare the insert");
  if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO event_tags (event_seq, tag) VALUES (?, ?)", -1, &insert_tag, NULL) != SQLITE_OK)
    fail(db, "prepare the tag insert");

  char *scratch = malloc(16 << 20), *tag_scratch = malloc(1 << 20);
  struct field f[COLUMNS];
  long rows = 0;
  run(db, "BEGIN");
  while (at < end) {
    int n = record(&at, end, f, scratch);
    if (n == 0) continue;
    if (n != COLUMNS) { fprintf(stderr, "sqlite_insert: a row of %d fields\n", n); return 2; }
    long long start = start_millis(f[START]);
    double duration = strtod(f[DURATION].text, NULL);
    bind_text(insert, 1, f[ID], 0);
    bind_text(insert, 2, f[SOURCE], 0);
    bind_text(insert, 3, f[KIND], 0);
    bind_text(insert, 4, f[START], 0);
    sqlite3_bind_int64(insert, 5, start);
    sqlite3_bind_int64(insert, 6, start + llround(duration * 1000));
    sqlite3_bind_double(insert, 7, duration);
    for (int i = 0; i < 13; i++) bind_text(insert, 8 + i, f[STREAM + i], 1);
    if (f[PRODUCTIVITY].length) sqlite3_bind_int64(insert, 21, atoi(f[PRODUCTIVITY].text));
    else sqlite3_bind_null(insert, 21);
    bind_text(insert, 22, f[TAGS], 1);
    if (f[BILLABLE].length) sqlite3_bind_int64(insert, 23, f[BILLABLE].text[0] == 'T');
    else sqlite3_bind_null(insert, 23);
    bind_text(insert, 24, f[OFFSET], 1);
    bind_text(insert, 25, f[ATTRS], 1);
    sqlite3_bind_int64(insert, 26, import_id);
    if (sqlite3_step(insert) != SQLITE_DONE) fail(db, "insert an event");
    sqlite3_reset(insert);
    if (f[TAGS].length) store_tags(db, insert_tag, sqlite3_last_insert_rowid(db), f[TAGS], tag_scratch);
    if (++rows % BATCH == 0) run(db, "COMMIT; BEGIN");
  }
  run(db, "PRAGMA cache_size = -4096; PRAGMA threads = 2");  /* as eid-load's StoreIndexes.build */
  run(db, "CREATE UNIQUE INDEX events_by_id ON events(id); CREATE INDEX events_by_start ON events(start_ms); "
          "CREATE INDEX events_by_stream ON events(source, stream, start_ms);");
  run(db, "COMMIT");
  sqlite3_finalize(insert);
  sqlite3_finalize(insert_tag);
  sqlite3_close(db);
  fprintf(stderr, "sqlite_insert: %ld rows\n", rows);
  return 0;
}
