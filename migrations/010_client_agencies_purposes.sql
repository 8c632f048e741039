-- Issue 22 #1: the agencies a client acts for in dossier and progress calls (agency ids, or patterns whose
-- segments may be *: src/auth/agencies.ts). A client whose id is an agency id acts for that agency; any other
-- client acts for none until an admin lists its agencies (docs/security.md, "Which agencies a system acts for").
ALTER TABLE clients ADD COLUMN agencies text[] NOT NULL DEFAULT '{}';
UPDATE clients SET agencies = ARRAY[id] WHERE id ~ '^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$';

-- Issue 15 #8: the purposes each grant allows, by service id (absent: any national procedure code).
ALTER TABLE clients ADD COLUMN grant_purposes jsonb NOT NULL DEFAULT '{}'::jsonb;
