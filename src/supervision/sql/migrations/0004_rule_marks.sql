-- The day-to-day sweep. A case rule's statement is marked per rule (its text with the day's
-- constants left out): the constants it last ran with to completion (today, warning day, red
-- day) and the time from which changed cases are judged again. On the same constants only the
-- cases written since are read; on a new day, a rule whose constants are only compared with the
-- case's due day (`due on < today`, …) can change its verdict for an unchanged case only when
-- that due day lies between the old and the new constants, so it reads that due-day range (an
-- index range of case_record_due) and the changed cases, not every open case. `full_on` is the day
-- of its last full pass: a row written behind a mark (an import with an old updated_at) is still
-- judged by the full pass at least once a week.
CREATE TABLE supervision_rule_mark (
  rule_key TEXT PRIMARY KEY,
  today TEXT NOT NULL,
  warning_day TEXT NOT NULL,
  red_day TEXT NOT NULL,
  full_on TEXT NOT NULL,
  through BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Warning notices are queued for the cards issued after the last card a sweep queued them for
-- (mark 'notices': `through` is that card's id), in the same transaction that moves the mark; no
-- flag is rewritten on each card, so the index of the flag goes.
INSERT INTO supervision_sweep_mark (statement_key, through, updated_at)
SELECT 'notices', COALESCE((SELECT MIN(id) - 1 FROM supervision_card WHERE notified = 0 AND
  level = 'warning'), (SELECT MAX(id) FROM supervision_card), 0), 0;
DROP INDEX supervision_card_pending;
