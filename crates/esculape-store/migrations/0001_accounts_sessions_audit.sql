-- Accounts, sessions and the hash-chained audit trail.
-- Times are Unix seconds (users, sessions) or Unix milliseconds (audit).

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    login           TEXT    NOT NULL UNIQUE,
    display_name    TEXT    NOT NULL,
    role            TEXT    NOT NULL,
    password_hash   TEXT    NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until_s  INTEGER,
    disabled        INTEGER NOT NULL DEFAULT 0,
    created_at_s    INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    token_sha256 BLOB    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at_s INTEGER NOT NULL,
    expires_at_s INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE audit (
    id              INTEGER PRIMARY KEY,
    at_ms           INTEGER NOT NULL,
    actor           TEXT    NOT NULL,
    action          TEXT    NOT NULL,
    target          TEXT    NOT NULL,
    outcome         TEXT    NOT NULL,
    details         TEXT    NOT NULL,
    previous_sha256 BLOB    NOT NULL,
    sha256          BLOB    NOT NULL
) STRICT;

-- One row: where the chain starts (the last record removed by retention, or nothing) and
-- where it ends (the last record appended), so that removing the oldest or the newest
-- records is detected as surely as removing one in the middle.
CREATE TABLE audit_chain (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    anchor_id     INTEGER NOT NULL,
    anchor_sha256 BLOB    NOT NULL,
    head_id       INTEGER NOT NULL,
    head_sha256   BLOB    NOT NULL
) STRICT;
INSERT INTO audit_chain VALUES (1, 0, zeroblob(32), 0, zeroblob(32));

-- Append-only: no record changes, and only the prefix already moved behind the anchor
-- (by retention) may be deleted.
CREATE TRIGGER audit_records_are_never_updated BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;
CREATE TRIGGER audit_records_are_deleted_only_behind_the_anchor BEFORE DELETE ON audit
WHEN OLD.id > (SELECT anchor_id FROM audit_chain)
BEGIN
    SELECT RAISE(ABORT, 'audit records are removed only by retention, oldest first');
END;
