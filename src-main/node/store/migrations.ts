/**
 * The database schema, as an ordered list of migrations: migration i brings the database from
 * `PRAGMA user_version` i to i+1. Never edit a migration that has shipped; append a new one.
 * docs/database.md documents every table and column for users who query the file directly, so
 * a schema change updates it too.
 *
 * Plain (not STRICT) tables with CHECK constraints, so the sqlite3 shells of older systems can
 * still read the file.
 */

/** `PRAGMA application_id` of a WakeLab database: 'WKLB' in ASCII. */
export const APPLICATION_ID = 0x574b4c42;

const definitionTable = (name: string): string => `
CREATE TABLE ${name} (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  json       TEXT NOT NULL,
  source     TEXT NOT NULL CHECK (source IN ('builtin', 'user', 'file')),
  updated_at TEXT NOT NULL
);`;

const V1 = `
PRAGMA application_id = ${APPLICATION_ID};
${definitionTable('policies')}
${definitionTable('radio_profiles')}
${definitionTable('scenarios')}

CREATE TABLE comparisons (
  id            INTEGER PRIMARY KEY,
  created_at    TEXT NOT NULL,
  radio_id      TEXT NOT NULL,
  scenario_id   TEXT NOT NULL,
  seed          INTEGER NOT NULL CHECK (typeof(seed) = 'integer' AND seed BETWEEN 0 AND 4294967295),
  duration_s    REAL NOT NULL,
  settings_json TEXT NOT NULL
);

CREATE TABLE runs (
  id              INTEGER PRIMARY KEY,
  created_at      TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('simulate', 'compare')),
  comparison_id   INTEGER REFERENCES comparisons (id) ON DELETE CASCADE,
  policy_id       TEXT NOT NULL,
  policy_json     TEXT NOT NULL,
  radio_id        TEXT NOT NULL,
  radio_json      TEXT NOT NULL,
  scenario_id     TEXT NOT NULL,
  scenario_json   TEXT NOT NULL,
  seed            INTEGER NOT NULL CHECK (typeof(seed) = 'integer' AND seed BETWEEN 0 AND 4294967295),
  duration_s      REAL NOT NULL,
  overrides_json  TEXT NOT NULL,
  pareto          INTEGER CHECK (pareto IN (0, 1)),
  metrics_json    TEXT NOT NULL,
  wakelab_version TEXT NOT NULL,
  CHECK ((kind = 'compare') = (comparison_id IS NOT NULL))
);
CREATE INDEX runs_created_at ON runs (created_at);
CREATE INDEX runs_comparison_id ON runs (comparison_id);
CREATE INDEX runs_policy_id ON runs (policy_id);

CREATE TABLE run_metrics (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name   TEXT NOT NULL,
  value  REAL NOT NULL,
  PRIMARY KEY (run_id, name)
) WITHOUT ROWID;

CREATE TABLE wakeups (
  run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  t_s        REAL NOT NULL,
  cause      TEXT NOT NULL CHECK (cause IN ('keepalive', 'dpd', 'rekey', 'reconnect', 'data', 'baseline')),
  state_left TEXT NOT NULL,
  energy_j   REAL NOT NULL,
  ap_woken   INTEGER NOT NULL CHECK (ap_woken IN (0, 1)),
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
`;

/**
 * Version 2: the live lab (issue "live lab"). A lab is one run of `wakelab lab`; a session is
 * everything that crossed its responder for one client (by IKE identity): per-datagram rows
 * (wire-visible header octets only, never plaintext or keys), SA lifecycle events, and the radio
 * wakeups the live estimator charged to it. Times `t_s` are seconds since the lab started.
 *
 * The per-datagram tables keep their rowid: rows of a thousand clients arrive interleaved, and a
 * clustered (WITHOUT ROWID) table would insert each in the middle of its B-tree, about three times
 * slower (BENCHMARKS.md, "The live lab"); the primary key is then a separate index.
 */
const TRAFFIC_CLASSES = "'ike-setup', 'dpd', 'rekey', 'delete', 'keepalive', 'data', 'control', 'invalid'";
const V2 = `
CREATE TABLE labs (
  id              INTEGER PRIMARY KEY,
  started_at      TEXT NOT NULL,
  stopped_at      TEXT,
  config_json     TEXT NOT NULL,
  wakelab_version TEXT NOT NULL
);

CREATE TABLE sessions (
  id          INTEGER PRIMARY KEY,
  lab_id      INTEGER NOT NULL REFERENCES labs (id) ON DELETE CASCADE,
  client      TEXT NOT NULL,
  first_s     REAL NOT NULL,
  last_s      REAL NOT NULL,
  radio_id    TEXT NOT NULL,
  radio_json  TEXT NOT NULL,
  totals_json TEXT NOT NULL,
  UNIQUE (lab_id, client)
);
CREATE INDEX sessions_client ON sessions (client);

CREATE TABLE session_packets (
  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  t_s        REAL NOT NULL,
  dir        TEXT NOT NULL CHECK (dir IN ('in', 'out')),
  class      TEXT NOT NULL CHECK (class IN (${TRAFFIC_CLASSES})),
  bytes      INTEGER NOT NULL,
  local_addr TEXT NOT NULL,
  local_port INTEGER NOT NULL,
  peer_addr  TEXT NOT NULL,
  peer_port  INTEGER NOT NULL,
  ike_sa     TEXT,
  spi        INTEGER,
  message_id INTEGER,
  request    INTEGER CHECK (request IN (0, 1)),
  head       BLOB NOT NULL,
  PRIMARY KEY (session_id, seq)
);

CREATE TABLE session_events (
  session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  t_s         REAL NOT NULL,
  kind        TEXT NOT NULL,
  ike_sa      TEXT,
  detail_json TEXT NOT NULL,
  PRIMARY KEY (session_id, seq)
);

CREATE TABLE live_wakeups (
  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  n          INTEGER NOT NULL,
  t_s        REAL NOT NULL,
  cause      TEXT NOT NULL CHECK (cause IN ('keepalive', 'dpd', 'rekey', 'reconnect', 'data', 'baseline')),
  state_left TEXT NOT NULL,
  energy_j   REAL,
  PRIMARY KEY (session_id, n)
);
`;

/**
 * Version 3: a session's packets and wakeups are stored a chunk to a row (session-writer.ts says
 * why), and `session_packets` and `live_wakeups` become views with the columns the tables had, so
 * queries written for version 2 still work, but for `head`, now `head_hex` (text): `unhex` is too
 * new for the sqlite3 shell of Debian 12 (3.40), which cannot prepare a view that names it. Each
 * element of `session_packet_chunks.packets` is the array [t_s, dir, class, bytes, local_addr,
 * local_port, peer_addr, peer_port, ike_sa, spi, message_id, request, head as hex]; of
 * `live_wakeup_chunks.wakeups`, [n, t_s, cause, state_left, energy_j].
 */
const V3 = `
CREATE TABLE session_packet_chunks (
  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  first_seq  INTEGER NOT NULL,
  count      INTEGER NOT NULL CHECK (count > 0),
  first_t_s  REAL NOT NULL,
  last_t_s   REAL NOT NULL,
  packets    TEXT NOT NULL CHECK (json_valid(packets)),
  PRIMARY KEY (session_id, first_seq)
);

INSERT INTO session_packet_chunks (session_id, first_seq, count, first_t_s, last_t_s, packets)
SELECT session_id, seq, 1, t_s, t_s,
  json_array(json_array(t_s, dir, class, bytes, local_addr, local_port, peer_addr, peer_port, ike_sa, spi, message_id, request, lower(hex(head))))
FROM session_packets;

DROP TABLE session_packets;

CREATE VIEW session_packets AS
SELECT c.session_id AS session_id,
  c.first_seq + p.key AS seq,
  p.value ->> 0 AS t_s,
  p.value ->> 1 AS dir,
  p.value ->> 2 AS class,
  p.value ->> 3 AS bytes,
  p.value ->> 4 AS local_addr,
  p.value ->> 5 AS local_port,
  p.value ->> 6 AS peer_addr,
  p.value ->> 7 AS peer_port,
  p.value ->> 8 AS ike_sa,
  p.value ->> 9 AS spi,
  p.value ->> 10 AS message_id,
  p.value ->> 11 AS request,
  p.value ->> 12 AS head_hex
FROM session_packet_chunks c, json_each(c.packets) p;

CREATE TABLE live_wakeup_chunks (
  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  first_n    INTEGER NOT NULL,
  count      INTEGER NOT NULL CHECK (count > 0),
  wakeups    TEXT NOT NULL CHECK (json_valid(wakeups)),
  PRIMARY KEY (session_id, first_n)
);

INSERT INTO live_wakeup_chunks (session_id, first_n, count, wakeups)
SELECT session_id, n, 1, json_array(json_array(n, t_s, cause, state_left, energy_j)) FROM live_wakeups;

DROP TABLE live_wakeups;

CREATE VIEW live_wakeups AS
SELECT c.session_id AS session_id,
  w.value ->> 0 AS n,
  w.value ->> 1 AS t_s,
  w.value ->> 2 AS cause,
  w.value ->> 3 AS state_left,
  w.value ->> 4 AS energy_j
FROM live_wakeup_chunks c, json_each(c.wakeups) w;
`;

/** The packed class codes of version 4 (node/store/packet-chunk.ts, PACKED_CLASSES). */
const PACKED_CLASSES = '["ike-setup","dpd","rekey","delete","keepalive","data","control","invalid"]';

/**
 * Version 4: a chunk's packets packed (node/store/packet-chunk.ts says how and why): each packet is
 * [dt_us, code, bytes, end, ike_sa, spi, message_id, head], with the chunk's endpoints in `ends`
 * and its IKE SA names in `ike_sas`. Wakeups are [n, t_us, cause, state_left, energy_nj]: integers
 * are written without the general number-to-text conversion, which cost more than the rest of a
 * wakeup (node/live/wakeup-records.ts). The `session_packets` and `live_wakeups` views keep their
 * columns. The JSON columns have no json_valid CHECK: it parsed every row again as it was
 * written, a third of SQLite's cost per packet (BENCHMARKS.md); WakeLab is their only writer.
 * Version 3 rows are packed one endpoint and one SA name per packet and every head whole (form
 * 0), their times rounded to the microsecond and energies to the nanojoule.
 */
const V4 = `
CREATE TABLE session_packet_chunks_v4 (
  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  first_seq  INTEGER NOT NULL,
  count      INTEGER NOT NULL CHECK (count > 0),
  first_t_s  REAL NOT NULL,
  last_t_s   REAL NOT NULL,
  ends       TEXT NOT NULL,
  ike_sas    TEXT NOT NULL,
  packets    TEXT NOT NULL,
  PRIMARY KEY (session_id, first_seq)
);

INSERT INTO session_packet_chunks_v4 (session_id, first_seq, count, first_t_s, last_t_s, ends, ike_sas, packets)
SELECT c.session_id, c.first_seq, c.count, round(c.first_t_s * 1000000) / 1000000.0, round(c.last_t_s * 1000000) / 1000000.0,
  (SELECT json_group_array(json_array(p.value ->> 4, p.value ->> 5, p.value ->> 6, p.value ->> 7) ORDER BY p.key) FROM json_each(c.packets) p),
  (SELECT json_group_array(coalesce(p.value ->> 8, '') ORDER BY p.key) FROM json_each(c.packets) p),
  (SELECT json_group_array(json_array(
      CAST(round((p.value ->> 0) * 1000000) AS INTEGER) - CAST(round(c.first_t_s * 1000000) AS INTEGER),
      (CASE WHEN p.value ->> 1 = 'out' THEN 1 ELSE 0 END)
        | (CASE p.value ->> 11 WHEN 1 THEN 4 WHEN 0 THEN 2 ELSE 0 END)
        | ((SELECT k.key FROM json_each('${PACKED_CLASSES}') k WHERE k.value = p.value ->> 2) << 3)
        | (CASE WHEN p.value ->> 9 IS NULL THEN 0 ELSE 64 END)
        | (CASE WHEN p.value ->> 10 IS NULL THEN 0 ELSE 128 END)
        | (CASE WHEN p.value ->> 8 IS NULL THEN 0 ELSE 256 END),
      p.value ->> 3, p.key, p.key, coalesce(p.value ->> 9, 0), coalesce(p.value ->> 10, 0), p.value ->> 12) ORDER BY p.key)
    FROM json_each(c.packets) p)
FROM session_packet_chunks c;

DROP VIEW session_packets;
DROP TABLE session_packet_chunks;
ALTER TABLE session_packet_chunks_v4 RENAME TO session_packet_chunks;

CREATE VIEW session_packets AS
SELECT session_id, seq, t_s,
  CASE WHEN code & 1 THEN 'out' ELSE 'in' END AS dir,
  '${PACKED_CLASSES}' ->> ((code >> 3) & 7) AS class,
  bytes,
  e ->> 0 AS local_addr,
  e ->> 1 AS local_port,
  e ->> 2 AS peer_addr,
  e ->> 3 AS peer_port,
  ike_sa,
  CASE WHEN code & 64 THEN spi END AS spi,
  CASE WHEN code & 128 THEN mid END AS message_id,
  CASE (code >> 1) & 3 WHEN 2 THEN 1 WHEN 1 THEN 0 END AS request,
  CASE (code >> 9) & 3
    WHEN 1 THEN (CASE WHEN code & 2048 THEN '00000000' ELSE '' END) || replace(ike_sa, '_', '') || substr(h, 1, 8)
      || printf('%08x%08x', mid, bytes - (CASE WHEN code & 2048 THEN 4 ELSE 0 END)) || substr(h, 9)
    WHEN 2 THEN printf('%08x%08x', spi, h)
    ELSE h
  END AS head_hex
FROM (
  SELECT c.session_id AS session_id,
    c.first_seq + p.key AS seq,
    (CAST(round(c.first_t_s * 1000000) AS INTEGER) + (p.value ->> 0)) / 1000000.0 AS t_s,
    p.value ->> 1 AS code,
    p.value ->> 2 AS bytes,
    c.ends -> (p.value ->> 3) AS e,
    CASE WHEN (p.value ->> 1) & 256 THEN c.ike_sas ->> (p.value ->> 4) END AS ike_sa,
    p.value ->> 5 AS spi,
    p.value ->> 6 AS mid,
    p.value ->> 7 AS h
  FROM session_packet_chunks c, json_each(c.packets) p
);

CREATE TABLE live_wakeup_chunks_v4 (
  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  first_n    INTEGER NOT NULL,
  count      INTEGER NOT NULL CHECK (count > 0),
  wakeups    TEXT NOT NULL,
  PRIMARY KEY (session_id, first_n)
);

INSERT INTO live_wakeup_chunks_v4 (session_id, first_n, count, wakeups)
SELECT c.session_id, c.first_n, c.count,
  (SELECT json_group_array(json_array(w.value ->> 0, CAST(round((w.value ->> 1) * 1000000) AS INTEGER), w.value ->> 2, w.value ->> 3,
      CAST(round((w.value ->> 4) * 1000000000) AS INTEGER)) ORDER BY w.key)
    FROM json_each(c.wakeups) w)
FROM live_wakeup_chunks c;

DROP VIEW live_wakeups;
DROP TABLE live_wakeup_chunks;
ALTER TABLE live_wakeup_chunks_v4 RENAME TO live_wakeup_chunks;

CREATE VIEW live_wakeups AS
SELECT c.session_id AS session_id,
  w.value ->> 0 AS n,
  (w.value ->> 1) / 1000000.0 AS t_s,
  w.value ->> 2 AS cause,
  w.value ->> 3 AS state_left,
  (w.value ->> 4) / 1000000000.0 AS energy_j
FROM live_wakeup_chunks c, json_each(c.wakeups) w;
`;

/** Migration SQL in order; the schema version after migration i is i + 1. */
export const MIGRATIONS: readonly string[] = [V1, V2, V3, V4];

export const LATEST_VERSION = MIGRATIONS.length;
