-- The least-privilege role the gateway and workers run as in production (docs/deploy.md). Migrations run as the
-- schema owner (`npm run migrate`, the Kubernetes migrations Job); the running processes log in as a role that is a
-- member of lienthong_runtime and can only read and write rows:
--   CREATE ROLE lienthong_app LOGIN PASSWORD '…' IN ROLE lienthong_runtime;
-- It may not create, alter or drop anything. It reaches the audit trail only as lienthong_audit_writer /
-- lienthong_audit_reader (004: SET LOCAL ROLE), so the trail stays append-only for it too. With MIGRATIONS=off, or
-- with a current schema, the gateway runs no DDL at start.
DO $$
BEGIN
  BEGIN
    CREATE ROLE lienthong_runtime NOLOGIN;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
  BEGIN
    GRANT lienthong_audit_writer, lienthong_audit_reader TO lienthong_runtime;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
END $$;

GRANT USAGE ON SCHEMA public TO lienthong_runtime;
-- Every table of the schema owner's (the audit tables belong to lienthong_audit_owner and are revoked from PUBLIC:
-- this grant does not reach them)...
DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND pg_get_userbyid(c.relowner) = current_user LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON public.%I TO lienthong_runtime', t.relname);
  END LOOP;
  FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'S' AND pg_get_userbyid(c.relowner) = current_user LOOP
    EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE public.%I TO lienthong_runtime', t.relname);
  END LOOP;
END $$;
-- ...and every one later migrations create (as the same owner).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO lienthong_runtime;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO lienthong_runtime;
-- schema_migrations: the runtime reads which migrations are applied (MIGRATIONS=off refuses a schema behind it).
REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM lienthong_runtime;
