-- When the recipient (the person, or a representative of the enterprise) read a notice.
ALTER TABLE benefit_notice ADD COLUMN read_at TEXT NOT NULL DEFAULT '';
