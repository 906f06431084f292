CREATE TABLE widget_tag (widget_id TEXT NOT NULL REFERENCES widget (id), tag TEXT NOT NULL,
  PRIMARY KEY (widget_id, tag));
