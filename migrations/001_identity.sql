-- Identity: API clients (provincial systems, admins, auditors) and the gateway's token signing keys.
CREATE TABLE clients (
  id            text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{3,64}$'),
  name          text NOT NULL,
  roles         text[] NOT NULL CHECK (roles <@ ARRAY['system', 'admin', 'auditor']::text[]),
  secret_hash   text NOT NULL,
  grants        text[] NOT NULL DEFAULT '{}',
  enabled       boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  secret_rotated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE signing_keys (
  kid          text PRIMARY KEY,
  alg          text NOT NULL,
  private_pem  text NOT NULL,
  public_pem   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz
);
