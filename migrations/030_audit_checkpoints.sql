-- Signed checkpoints of the audit chain (docs/audit.md §3): the chain head (seq, hash) at a time, chained to the
-- previous checkpoint by its digest, signed with a key kept outside the database (Ed25519), with an RFC 3161
-- time-stamp token when a time-stamping authority is configured. Append-only like the events; a copy of every
-- checkpoint is also kept outside PostgreSQL (witness files, GET /v1/audit/checkpoints), so what a superuser
-- deletes or rewrites here is still found.
CREATE TABLE audit_checkpoints (
  n         bigint PRIMARY KEY CHECK (n >= 1),
  seq       bigint NOT NULL,
  hash      text NOT NULL,
  at        timestamptz NOT NULL,
  prev      text NOT NULL,
  kid       text NOT NULL,
  instance  text NOT NULL,
  digest    text NOT NULL,
  signature text NOT NULL,
  -- DER of the RFC 3161 TimeStampToken over the digest; NULL when no TSA is configured or it did not answer
  timestamp bytea
);
CREATE INDEX audit_checkpoints_seq ON audit_checkpoints (seq);

CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_forbid_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_forbid_change();

ALTER TABLE audit_checkpoints OWNER TO lienthong_audit_owner;
REVOKE ALL ON audit_checkpoints FROM PUBLIC;
GRANT SELECT, INSERT ON audit_checkpoints TO lienthong_audit_writer;
GRANT SELECT ON audit_checkpoints TO lienthong_audit_reader;
