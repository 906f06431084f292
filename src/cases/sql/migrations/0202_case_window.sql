-- 窗口: the window (or kiosk) that took a case in, so KPIs and evaluation statistics can be cut
-- by window; '' for online cases and those submitted before windows were recorded.
ALTER TABLE case_record ADD COLUMN window_code TEXT NOT NULL DEFAULT '';
