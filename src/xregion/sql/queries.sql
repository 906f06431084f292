-- name: upsert_identity
INSERT INTO xregion_identity (id, region, name, hub, updated_at)
  VALUES (1, :region, :name, :hub, :updated_at)
  ON CONFLICT (id) DO UPDATE SET region = excluded.region, name = excluded.name,
    hub = excluded.hub, updated_at = excluded.updated_at;

-- name: select_identity
SELECT region, name, hub FROM xregion_identity WHERE id = 1;

-- name: upsert_partner
INSERT INTO xregion_partner (region, name, base_url, public_key, hub, via, licence_root,
    updated_at)
  VALUES (:region, :name, :base_url, :public_key, :hub, :via, :licence_root, :updated_at)
  ON CONFLICT (region) DO UPDATE SET name = excluded.name, base_url = excluded.base_url,
    public_key = excluded.public_key, hub = excluded.hub, via = excluded.via,
    licence_root = excluded.licence_root, updated_at = excluded.updated_at;

-- name: select_partners
SELECT region, name, base_url, public_key, hub, via, licence_root FROM xregion_partner
  ORDER BY region;

-- name: delete_partner
DELETE FROM xregion_partner WHERE region = :region;

-- name: count_agreements_of_partner
SELECT COUNT(*) FROM xregion_agreement WHERE partner = :partner;

-- name: upsert_agreement
INSERT INTO xregion_agreement (id, partner, mode, title, originals_days, updated_at)
  VALUES (:id, :partner, :mode, :title, :originals_days, :updated_at)
  ON CONFLICT (id) DO UPDATE SET partner = excluded.partner, mode = excluded.mode,
    title = excluded.title, originals_days = excluded.originals_days,
    updated_at = excluded.updated_at;

-- name: delete_agreement_matters
DELETE FROM xregion_agreement_matter WHERE agreement_id = :id;

-- name: insert_agreement_matter
INSERT INTO xregion_agreement_matter (agreement_id, matter, name, handling_region)
  VALUES (:id, :matter, :name, :handling_region);

-- name: delete_agreement
DELETE FROM xregion_agreement WHERE id = :id;

-- name: select_agreements
SELECT a.id, a.partner, a.mode, a.title, a.originals_days, m.matter, m.name, m.handling_region
  FROM xregion_agreement a JOIN xregion_agreement_matter m ON m.agreement_id = a.id
  ORDER BY a.id, m.matter;

-- name: bump_sequence
INSERT INTO xregion_sequence (receiver, last_sequence) VALUES (:receiver, 1)
  ON CONFLICT (receiver) DO UPDATE SET last_sequence = xregion_sequence.last_sequence + 1;

-- name: select_sequence
SELECT last_sequence FROM xregion_sequence WHERE receiver = :receiver;

-- name: lock_log_head
UPDATE xregion_log_head SET position = position + 1 WHERE id = 1;

-- name: select_log_head
SELECT position, hash FROM xregion_log_head WHERE id = 1;

-- name: set_log_head_hash
UPDATE xregion_log_head SET hash = :hash WHERE id = 1;

-- name: insert_log
INSERT INTO xregion_log (position, direction, message_id, partner, digest, prev_hash, hash, at)
  VALUES (:position, :direction, :message_id, :partner, :digest, :prev_hash, :hash, :at);

-- name: select_log
SELECT position, direction, message_id, partner, digest, hash, at FROM xregion_log
  WHERE (:partner = '' OR partner = :partner2) ORDER BY position LIMIT :limit;

-- name: select_log_verify
SELECT l.position, l.direction, l.message_id, l.digest, l.prev_hash, l.hash,
    COALESCE(o.wire, i.wire, '')
  FROM xregion_log l
  LEFT JOIN xregion_outbox o ON l.direction <> 'in' AND o.message_id = l.message_id
  LEFT JOIN xregion_inbox i ON l.direction = 'in' AND i.message_id = l.message_id
  ORDER BY l.position;

-- name: insert_outbox
INSERT INTO xregion_outbox (message_id, ordinal, receiver, next_hop, case_ref, kind, wire, relayed,
    state, attempts, next_attempt_at, created_at)
  VALUES (:message_id, :ordinal, :receiver, :next_hop, :case_ref, :kind, :wire, :relayed,
    'pending', 0, :next_attempt_at, :created_at);

-- name: count_outbox_id
SELECT COUNT(*) FROM xregion_outbox WHERE message_id = :message_id;

-- name: select_due
SELECT message_id, next_hop, wire, attempts FROM xregion_outbox
  WHERE state = 'pending' AND next_attempt_at <= :now ORDER BY ordinal LIMIT 500;

-- name: mark_delivered
UPDATE xregion_outbox SET state = 'delivered', delivered_at = :now, attempts = attempts + 1,
    last_error = ''
  WHERE message_id = :message_id;

-- name: mark_failed
UPDATE xregion_outbox SET attempts = attempts + 1, next_attempt_at = :next_attempt_at,
    last_error = :last_error
  WHERE message_id = :message_id;

-- name: mark_dead
UPDATE xregion_outbox SET state = 'dead', attempts = attempts + 1, last_error = :last_error
  WHERE message_id = :message_id;

-- name: retry_outbox
UPDATE xregion_outbox SET state = 'pending', next_attempt_at = :now
  WHERE message_id = :message_id AND state = 'dead';

-- name: next_due
SELECT COALESCE(MIN(next_attempt_at), 0) FROM xregion_outbox WHERE state = 'pending';

-- name: select_outbox
SELECT message_id, receiver, next_hop, case_ref, kind, state, attempts, next_attempt_at,
    last_error, created_at
  FROM xregion_outbox WHERE (:state = '' OR state = :state2) ORDER BY ordinal LIMIT :limit;

-- name: count_inbox_id
SELECT COUNT(*) FROM xregion_inbox WHERE message_id = :message_id;

-- name: count_inbox_sequence
SELECT COUNT(*) FROM xregion_inbox WHERE sender = :sender AND sequence = :sequence;

-- name: insert_inbox
INSERT INTO xregion_inbox (message_id, sender, sequence, case_ref, kind, wire, received_at)
  VALUES (:message_id, :sender, :sequence, :case_ref, :kind, :wire, :received_at);

-- name: select_applied
SELECT last_sequence FROM xregion_applied WHERE sender = :sender;

-- name: upsert_applied
INSERT INTO xregion_applied (sender, last_sequence) VALUES (:sender, :last_sequence)
  ON CONFLICT (sender) DO UPDATE SET last_sequence = excluded.last_sequence;

-- name: select_inbox_at
SELECT message_id, wire FROM xregion_inbox WHERE sender = :sender AND sequence = :sequence;

-- name: mark_applied
UPDATE xregion_inbox SET applied_at = :now, apply_error = :apply_error
  WHERE message_id = :message_id;

-- name: insert_case
INSERT INTO xregion_case (ref, mode, role, matter, matter_name, receiving_region, handling_region,
    counterpart, parent_ref, applicant_name, applicant_code, form, materials, delivery, state,
    created_at, updated_at)
  VALUES (:ref, :mode, :role, :matter, :matter_name, :receiving_region, :handling_region,
    :counterpart, :parent_ref, :applicant_name, :applicant_code, :form, :materials, :delivery,
    :state, :created_at, :updated_at);

-- name: update_case_state
UPDATE xregion_case SET state = :state, result = :result, tracking_number = :tracking_number,
    updated_at = :updated_at
  WHERE ref = :ref;

-- name: select_case
SELECT ref, mode, role, matter, matter_name, receiving_region, handling_region, counterpart,
    parent_ref, applicant_name, applicant_code, form, materials, delivery, state, result,
    tracking_number, created_at, updated_at, case_number, open_error, originals_due_at,
    originals_tracking, originals_mailed_at, originals_received_at
  FROM xregion_case WHERE ref = :ref;

-- name: select_case_refs
SELECT ref FROM xregion_case
  WHERE (:role = '' OR role = :role2) AND (:state = '' OR state = :state2)
  ORDER BY created_at, ref LIMIT :limit;

-- name: select_counts
SELECT mode, role, counterpart, matter, COUNT(*) FROM xregion_case
  WHERE role IN ('receiving', 'lead', 'handling', 'part')
  GROUP BY mode, role, counterpart, matter ORDER BY mode, role, counterpart, matter;

-- name: insert_event
INSERT INTO xregion_event (case_ref, id, at, region, kind, note)
  VALUES (:case_ref, :id, :at, :region, :kind, :note)
  ON CONFLICT (case_ref, id) DO NOTHING;

-- name: select_events
SELECT id, at, region, kind, note FROM xregion_event WHERE case_ref = :case_ref
  ORDER BY at, id;

-- name: insert_part
INSERT INTO xregion_part (parent_ref, part_ref, region, matter, state)
  VALUES (:parent_ref, :part_ref, :region, :matter, :state);

-- name: update_part_state
UPDATE xregion_part SET state = :state WHERE parent_ref = :parent_ref AND part_ref = :part_ref;

-- name: select_parts
SELECT part_ref, region, matter, state FROM xregion_part WHERE parent_ref = :parent_ref
  ORDER BY region, matter;

-- name: insert_file
INSERT INTO xregion_file (hash, size, content) VALUES (:hash, :size, :content)
  ON CONFLICT (hash) DO NOTHING;

-- name: select_file
SELECT content FROM xregion_file WHERE hash = :hash;

-- name: insert_file_sent
INSERT INTO xregion_file_sent (partner, hash) VALUES (:partner, :hash)
  ON CONFLICT (partner, hash) DO NOTHING;

-- name: count_file_sent
SELECT COUNT(*) FROM xregion_file_sent WHERE partner = :partner AND hash = :hash;

-- name: count_outbox_by_state
SELECT state, COUNT(*) FROM xregion_outbox GROUP BY state ORDER BY state;

-- name: select_ref_by_case_number
SELECT ref FROM xregion_case WHERE case_number = :case_number;

-- name: set_case_number
UPDATE xregion_case SET case_number = :case_number, open_error = '' WHERE ref = :ref;

-- name: set_open_error
UPDATE xregion_case SET open_error = :open_error WHERE ref = :ref AND case_number = '';

-- name: select_unopened
SELECT ref FROM xregion_case
  WHERE role IN ('handling', 'part') AND case_number = '' AND open_error = ''
  ORDER BY created_at, ref LIMIT :limit;

-- name: set_originals_due
UPDATE xregion_case SET originals_due_at = :originals_due_at WHERE ref = :ref;

-- name: set_originals_mailed
UPDATE xregion_case SET originals_tracking = :originals_tracking,
    originals_mailed_at = :originals_mailed_at
  WHERE ref = :ref;

-- name: set_originals_received
UPDATE xregion_case SET originals_received_at = :originals_received_at WHERE ref = :ref;

-- name: select_originals_overdue
SELECT ref FROM xregion_case
  WHERE originals_due_at > 0 AND originals_due_at < :now
    AND role = 'receiving' AND originals_mailed_at = 0
  ORDER BY originals_due_at, ref;
