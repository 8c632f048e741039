-- Cancelling a dead letter (POST /v1/admin/deliveries/{id}/cancel): a failed delivery an admin decides will never
-- be delivered. It no longer holds back the later deliveries of its dossier (they are delivered in order, as if it
-- had been delivered); the portal never receives it. Who cancelled it, when and why are kept with it (and in the
-- audit trail as an admin change).
ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check
  CHECK (status IN ('queued', 'delivering', 'retrying', 'delivered', 'failed', 'cancelled'));
ALTER TABLE deliveries
  ADD COLUMN cancelled_at timestamptz,
  ADD COLUMN cancelled_by text,
  ADD COLUMN cancel_reason text;
