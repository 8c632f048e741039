-- Optimistic concurrency of API clients (docs/api-conventions.md, "Versions and round trips"): every change of a
-- client row, whichever way it comes (admin API, declarative import, bootstrap admin, secret rotation), moves its
-- version on; a write that names an older version is refused with 409.
ALTER TABLE clients ADD COLUMN version integer NOT NULL DEFAULT 1;

CREATE FUNCTION clients_next_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  RETURN NEW;
END
$$;

CREATE TRIGGER clients_version BEFORE UPDATE ON clients FOR EACH ROW EXECUTE FUNCTION clients_next_version();
