-- When a notice is (or was) due to be sent: bulk sending obeys each channel's rate, the notices
-- over it wait as "scheduled" until then (ms since the epoch; 0 for notices made before).
ALTER TABLE benefit_notice ADD COLUMN send_at_ms BIGINT NOT NULL DEFAULT 0;
CREATE INDEX benefit_notice_channel_send_at ON benefit_notice (channel, send_at_ms);
CREATE INDEX benefit_notice_status_send_at ON benefit_notice (status, send_at_ms);
