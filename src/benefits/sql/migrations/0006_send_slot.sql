-- The sending slot of each channel (sms, app), shared by every process using the database: the
-- window a notice was last allotted to (ms since the epoch, aligned on window_ms) and how many
-- of the window's sends are taken. A notice's transaction locks the row, allots the next slot
-- and moves it on, so a CLI `policy notify` beside a server shares the channel's rate with it.
CREATE TABLE benefit_send_slot (
  channel TEXT PRIMARY KEY,
  window_start_ms BIGINT NOT NULL,
  window_ms BIGINT NOT NULL,
  used INTEGER NOT NULL
);
