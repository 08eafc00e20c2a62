-- Drafted documents and every version of their text. Times are Unix seconds.
-- A draft's life: draft → edited (any number of times) → validated or rejected; a
-- decided draft takes no new version and no other decision (the triggers refuse it).

CREATE TABLE drafts (
    id              INTEGER PRIMARY KEY,
    owner_id        INTEGER NOT NULL REFERENCES users(id),
    document_type   TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('draft', 'edited', 'validated', 'rejected')),
    -- JSON: which AI steps produced it (model, version, settings, sources).
    ai_use          TEXT    NOT NULL,
    created_at_s    INTEGER NOT NULL,
    updated_at_s    INTEGER NOT NULL,
    decided_by      INTEGER REFERENCES users(id),
    decided_at_s    INTEGER,
    rejection_reason TEXT
) STRICT;
CREATE INDEX drafts_by_owner ON drafts(owner_id, id);

CREATE TABLE draft_versions (
    draft_id     INTEGER NOT NULL REFERENCES drafts(id),
    version      INTEGER NOT NULL,
    author_id    INTEGER NOT NULL REFERENCES users(id),
    created_at_s INTEGER NOT NULL,
    -- The document as Markdown.
    body         TEXT    NOT NULL,
    -- JSON: the sentence-to-span links of the pipeline's version; `null` for an edit.
    trace        TEXT    NOT NULL,
    PRIMARY KEY (draft_id, version)
) STRICT;

CREATE TRIGGER draft_versions_are_kept_as_written BEFORE UPDATE ON draft_versions
BEGIN
    SELECT RAISE(ABORT, 'draft versions are kept as written');
END;
CREATE TRIGGER draft_versions_are_never_deleted BEFORE DELETE ON draft_versions
BEGIN
    SELECT RAISE(ABORT, 'draft versions are kept');
END;
CREATE TRIGGER decided_drafts_take_no_new_version BEFORE INSERT ON draft_versions
WHEN (SELECT status FROM drafts WHERE id = NEW.draft_id) IN ('validated', 'rejected')
BEGIN
    SELECT RAISE(ABORT, 'a validated or rejected draft takes no new version');
END;
CREATE TRIGGER decided_drafts_stay_decided BEFORE UPDATE OF status ON drafts
WHEN OLD.status IN ('validated', 'rejected')
BEGIN
    SELECT RAISE(ABORT, 'a validated or rejected draft stays as decided');
END;
