/**
 * The PostgreSQL schema of the multi-node mode, as versioned migrations applied at open, and the one
 * statement every group commit runs (`nappe_commit`). Nodes starting together are safe: migrations run
 * under a transaction-scoped advisory lock, so the second node waits and then finds nothing left to do.
 */
import type pg from 'pg'

/** Any fixed 64-bit number: the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 7_316_905_552_013

/**
 * The commit function: `batch` is jsonb, byte payloads travel in `payloads` (referenced by 1-based index
 * `b`), `node` is the committing node. Fences are checked first, locking each lease row `FOR SHARE`, so
 * that a takeover (which updates the row) waits for this commit or this commit sees the new token. A café
 * whose fence fails gets none of its writes; the others commit. Replaying a batch gives the same result
 * (every write is an upsert or a delete), so a commit whose answer was lost is simply sent again.
 */
const COMMIT_FUNCTION = `
CREATE OR REPLACE FUNCTION nappe_commit(batch jsonb, payloads bytea[], node text) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
  ok text[] := '{}';
  fenced text[] := '{}';
  conflicts text[] := '{}';
  created jsonb := '{}';
  f jsonb;
  c text;
  tok bigint;
  lease leases%ROWTYPE;
BEGIN
  -- Cafés this node holds: the lease row must still carry our node and token.
  FOR f IN SELECT value FROM jsonb_array_elements(batch->'fences') LOOP
    c := f->>'c';
    PERFORM 1 FROM leases WHERE cafe_id = c AND node_id = node AND token = (f->>'t')::bigint FOR SHARE;
    IF FOUND THEN ok := ok || c; ELSE fenced := fenced || c; END IF;
  END LOOP;
  -- Cafés created on this node: the lease is taken with the café, atomically. Refused when the café
  -- already exists under another holder, when a live lease is someone else's, or its join code is taken.
  FOR f IN SELECT value FROM jsonb_array_elements(batch->'creates') LOOP
    c := f->>'c';
    SELECT * INTO lease FROM leases WHERE cafe_id = c FOR UPDATE;
    IF FOUND AND lease.node_id = node THEN
      tok := lease.token;
      UPDATE leases SET expires_at = now() + (f->>'ttl')::bigint * interval '1 millisecond' WHERE cafe_id = c;
    ELSIF EXISTS (SELECT 1 FROM cafes WHERE id = c) OR (FOUND AND lease.expires_at > now()) THEN
      fenced := fenced || c;
      CONTINUE;
    ELSIF f->>'code' IS NOT NULL AND EXISTS (SELECT 1 FROM cafes WHERE join_code = f->>'code' AND id <> c) THEN
      conflicts := conflicts || c;
      CONTINUE;
    ELSE
      tok := COALESCE(lease.token, 0) + 1;
      INSERT INTO leases (cafe_id, node_id, token, expires_at)
        VALUES (c, node, tok, now() + (f->>'ttl')::bigint * interval '1 millisecond')
        ON CONFLICT (cafe_id) DO UPDATE SET node_id = excluded.node_id, token = excluded.token, expires_at = excluded.expires_at;
    END IF;
    ok := ok || c;
    created := created || jsonb_build_object(c, tok);
  END LOOP;

  INSERT INTO cafes (id, join_code, phase, record, updated_at)
    SELECT w->>'c', w->'r'->>'joinCode', w->'r'->'lifecycle'->>'phase', w->'r', (w->'r'->>'updatedAt')::bigint
    FROM jsonb_array_elements(batch->'cafes') w WHERE w->>'c' = ANY(ok)
    ON CONFLICT (id) DO UPDATE SET join_code = excluded.join_code, phase = excluded.phase, record = excluded.record, updated_at = excluded.updated_at;

  INSERT INTO participants (id, cafe_id, joined_at, record)
    SELECT w->'r'->>'id', w->>'c', (w->'r'->>'joinedAt')::bigint, w->'r'
    FROM jsonb_array_elements(batch->'participants') w WHERE w->>'c' = ANY(ok)
    ON CONFLICT (id) DO UPDATE SET record = excluded.record;

  -- Updates before compactions: a compaction replaces every row up to its seq, whichever came first.
  INSERT INTO updates (doc_name, seq, cafe_id, data)
    SELECT w->>'d', (w->>'s')::bigint, w->>'c', payloads[(w->>'b')::int]
    FROM jsonb_array_elements(batch->'updates') w WHERE w->>'c' = ANY(ok)
    ON CONFLICT (doc_name, seq) DO UPDATE SET data = excluded.data;

  FOR f IN SELECT value FROM jsonb_array_elements(batch->'compactions') LOOP
    CONTINUE WHEN NOT (f->>'c' = ANY(ok));
    DELETE FROM updates WHERE doc_name = f->>'d' AND seq <= (f->>'s')::bigint;
    INSERT INTO updates (doc_name, seq, cafe_id, data) VALUES (f->>'d', (f->>'s')::bigint, f->>'c', payloads[(f->>'b')::int])
      ON CONFLICT (doc_name, seq) DO UPDATE SET data = excluded.data;
  END LOOP;

  INSERT INTO snapshots (doc_name, round, cafe_id, taken_at, data)
    SELECT w->>'d', (w->>'n')::int, w->>'c', (w->>'at')::bigint, payloads[(w->>'b')::int]
    FROM jsonb_array_elements(batch->'snapshots') w WHERE w->>'c' = ANY(ok)
    ON CONFLICT (doc_name, round) DO UPDATE SET cafe_id = excluded.cafe_id, taken_at = excluded.taken_at, data = excluded.data;

  DELETE FROM photos p USING jsonb_array_elements(batch->'photoDeletes') w
    WHERE w->>'c' = ANY(ok) AND p.id = w->>'id' AND p.cafe_id = w->>'c';

  INSERT INTO photos (id, cafe_id, created_at, meta, bytes, data)
    SELECT w->'m'->>'id', w->>'c', (w->'m'->>'createdAt')::bigint, w->'m', octet_length(payloads[(w->>'b')::int]), payloads[(w->>'b')::int]
    FROM jsonb_array_elements(batch->'photos') w WHERE w->>'c' = ANY(ok)
    ON CONFLICT (id) DO UPDATE SET cafe_id = excluded.cafe_id, created_at = excluded.created_at, meta = excluded.meta, bytes = excluded.bytes, data = excluded.data;

  RETURN jsonb_build_object('fenced', to_jsonb(fenced), 'conflicts', to_jsonb(conflicts), 'created', created);
END
$fn$;`

/** Each entry takes the schema from version i to i + 1. Never edit one that has shipped: add another. */
export const PG_MIGRATIONS: string[] = [
  `CREATE TABLE cafes (
     id text PRIMARY KEY,
     join_code text NOT NULL UNIQUE,
     phase text NOT NULL,
     record jsonb NOT NULL,
     updated_at bigint NOT NULL
   );
   CREATE INDEX cafes_open ON cafes (updated_at) WHERE phase <> 'closed';
   CREATE TABLE participants (
     id text PRIMARY KEY,
     cafe_id text NOT NULL,
     joined_at bigint NOT NULL,
     record jsonb NOT NULL
   );
   CREATE INDEX participants_by_cafe ON participants (cafe_id, joined_at, id);
   CREATE TABLE updates (
     doc_name text NOT NULL,
     seq bigint NOT NULL,
     cafe_id text NOT NULL,
     data bytea NOT NULL,
     PRIMARY KEY (doc_name, seq)
   );
   CREATE INDEX updates_by_cafe ON updates (cafe_id);
   CREATE TABLE snapshots (
     doc_name text NOT NULL,
     round integer NOT NULL,
     cafe_id text NOT NULL,
     taken_at bigint NOT NULL,
     data bytea NOT NULL,
     PRIMARY KEY (doc_name, round)
   );
   CREATE INDEX snapshots_by_cafe ON snapshots (cafe_id, round, doc_name);
   CREATE TABLE photos (
     id text PRIMARY KEY,
     cafe_id text NOT NULL,
     created_at bigint NOT NULL,
     meta jsonb NOT NULL,
     bytes integer NOT NULL,
     data bytea NOT NULL
   );
   CREATE INDEX photos_by_cafe ON photos (cafe_id, created_at, id);
   CREATE TABLE leases (
     cafe_id text PRIMARY KEY,
     node_id text NOT NULL,
     token bigint NOT NULL,
     expires_at timestamptz NOT NULL
   );
   CREATE TABLE nodes (
     id text PRIMARY KEY,
     address text NOT NULL,
     heartbeat_at timestamptz NOT NULL,
     started_at timestamptz NOT NULL
   );
   ${COMMIT_FUNCTION}`,
]
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length

/** Brings the database to `PG_SCHEMA_VERSION`; refuses a database made by a newer Nappe. */
export async function migrate(client: pg.ClientBase): Promise<{ from: number; to: number }> {
  await client.query('BEGIN')
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await client.query('CREATE TABLE IF NOT EXISTS nappe_schema (version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())')
    const { rows } = await client.query<{ v: number }>('SELECT COALESCE(MAX(version), 0) AS v FROM nappe_schema')
    const from = rows[0]!.v
    if (from > PG_MIGRATIONS.length) {
      throw new Error(`database schema version ${from} is newer than this Nappe (${PG_MIGRATIONS.length}); upgrade Nappe`)
    }
    for (let v = from; v < PG_MIGRATIONS.length; v++) {
      await client.query(PG_MIGRATIONS[v]!)
      await client.query('INSERT INTO nappe_schema (version) VALUES ($1)', [v + 1])
    }
    await client.query('COMMIT')
    return { from, to: PG_MIGRATIONS.length }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  }
}
